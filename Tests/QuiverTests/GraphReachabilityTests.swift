import Encoders
import LMDB
import XCTest
@testable import Quiver

/// A node no search reaches is reported by verification and relinked by compaction.
final class GraphReachabilityTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        directory.remove()
    }

    private func options() throws -> StoreOptions {
        StoreOptions(
            encoder: try HashingEncoder(dimension: 8), graph: GraphParameters(m: 4, efConstruction: 32),
            skipSync: true, indexingThreads: 1)
    }

    /// Removes every link to `node` on every level, as a store written before writes kept
    /// every node reachable could be left.
    private func strand(_ node: UInt32, in store: Store) throws {
        try store.environment.write { txn in
            let idLimit = Int(try MetaCounters.read(from: txn, meta: store.databases.meta).nextID)
            let editor = GraphEditor(
                txn: txn, databases: store.databases, layout: store.graphLayout, vectorLayout: store.layout,
                idLimit: idLimit)
            for id in 0..<UInt32(idLimit) where editor.isPresent(id) {
                for level in 0...editor.level(of: id) {
                    let ids = editor.neighbors(id, level: level).ids
                    if ids.contains(node) { editor.setNeighbors(id, level: level, ids.filter { $0 != node }) }
                }
            }
            try editor.flush()
        }
    }

    func testCompactionRelinksAStrandedNode() throws {
        let path = directory.child("db")
        var rng = SeededGenerator(seed: 7)
        let vectors = rng.clusteredVectors(300, 8, clusters: 4)
        let stranded: UInt32 = 17
        do {
            let store = try Store.open(at: path, options: try options())
            try store.upsert((0..<300).map { Document(id: "d\($0)", text: "") }, vectors: vectors)
            XCTAssertEqual(try store.graphViolations(), [])
            let entry = try store.environment.read { try store.graphEntry(in: $0) }
            XCTAssertNotEqual(entry.node, stranded)
            try strand(stranded, in: store)
            // Nodes reached only through it are cut off too.
            XCTAssertTrue(try store.graphViolations().contains("node \(stranded) is not reachable from the entry point on level 0"))
            XCTAssertFalse(try store.verify().isSound)
            XCTAssertFalse(
                try store.search(vector: vectors[Int(stranded)], k: 10, ef: 300).contains { $0.id == "d\(stranded)" },
                "no search reaches a node nothing links to")
        }
        let report = try Store.compact(at: path, options: CompactionOptions(store: try options()))
        XCTAssertFalse(report.graphRebuilt)
        let store = try Store.open(at: path, options: try options())
        XCTAssertEqual(try store.verify().problems, [])
        for (index, vector) in vectors.enumerated() {
            XCTAssertTrue(
                try store.search(vector: vector, k: 5, ef: 100).contains { $0.id == "d\(index)" }, "d\(index)")
        }
    }
}
