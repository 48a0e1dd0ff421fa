import Encoders
import Foundation
import LMDB
import XCTest
@testable import Quiver

/// `Store.verify()` passes sound stores and names each kind of damage.
final class StoreVerifyTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        directory.remove()
    }

    /// A store of 200 documents after some replacements and deletions.
    private func makeStore(_ name: String) throws -> Store {
        var rng = SeededGenerator(seed: 5)
        let store = try Store.open(
            at: directory.child(name),
            options: StoreOptions(encoder: try HashingEncoder(dimension: 8), graph: GraphParameters(m: 4, efConstruction: 32),
                                  skipSync: true))
        try store.upsert(
            (0..<200).map { Document(id: "d\($0)", text: "text \($0)", metadata: ["n": .int(Int64($0))]) },
            vectors: rng.clusteredVectors(200, 8))
        try store.upsert((0..<20).map { Document(id: "d\($0)", text: "new \($0)") }, vectors: rng.clusteredVectors(20, 8))
        try store.delete(ids: (20..<40).map { "d\($0)" })
        return store
    }

    func testASoundStorePasses() throws {
        let store = try makeStore("sound")
        let report = try store.verify()
        XCTAssertEqual(report.problems, [])
        XCTAssertTrue(report.isSound)
        XCTAssertEqual(report.checked["documents"], 180)
        XCTAssertEqual(report.checked["keys"], 180)
        XCTAssertEqual(report.checked["live_slots"], 180)
        XCTAssertEqual(report.checked["graph_nodes"], 180)
        XCTAssertEqual(report.checked["tombstones"], 40)
        XCTAssertEqual(report.checked["sq8_chunks"], report.checked["vector_chunks"])
        let stats = try store.statistics()
        XCTAssertEqual(stats.graphDegreeHistogram.count, 9)  // degrees 0…2M at M = 4
        XCTAssertEqual(stats.graphDegreeHistogram.reduce(0, +), 180)
        XCTAssertEqual(stats.graphDegreeHistogram[0], 0, "no isolated node")
        XCTAssertEqual(stats.graphLevelCounts.reduce(0, +), 180)
        XCTAssertEqual(stats.graphLevelCounts.count, stats.graphTopLevel + 1)
        XCTAssertEqual(stats.deletedFraction, 40.0 / 220.0, accuracy: 1e-12)
    }

    /// Applies `damage` in a raw write transaction, then expects a problem in `area` whose
    /// message contains `fragment`.
    private func expect(
        _ area: VerificationProblem.Area, _ fragment: String, file: StaticString = #filePath, line: UInt = #line,
        damage: (Store, Transaction) throws -> Void
    ) throws {
        let store = try makeStore(UUID().uuidString)
        try store.environment.write { txn in try damage(store, txn) }
        let report = try store.verify()
        XCTAssertFalse(report.isSound, file: file, line: line)
        XCTAssertTrue(
            report.problems.contains { $0.area == area && $0.message.contains(fragment) },
            "expected \(area) problem with '\(fragment)', got \(report.problems)", file: file, line: line)
    }

    func testEachKindOfDamageIsReported() throws {
        let id50 = { (store: Store, txn: Transaction) throws -> UInt32 in
            try XCTUnwrap(store.internalID(of: "d50", in: txn))
        }
        try expect(.vectors, "no key maps to it") { store, txn in
            try txn.delete(store.databases.keys, key: "d50")
        }
        try expect(.keys, "no live vector") { store, txn in
            try withUnsafeBytes(of: UInt32(25).littleEndian) { value in  // d25's first id was retired
                try "d50".withKeyBytes { try txn.put(store.databases.keys, key: $0, value: value) }
            }
        }
        try expect(.vectors, "has no document") { store, txn in
            try txn.delete(store.databases.docs, key: try id50(store, txn))
        }
        try expect(.documents, "cannot be decoded") { store, txn in
            try txn.put(store.databases.docs, key: try id50(store, txn), value: [9, 9, 9])
        }
        try expect(.tombstones, "still live") { store, txn in
            try txn.put(store.databases.deleted, key: try id50(store, txn), value: [])
        }
        try expect(.meta, "live documents") { store, txn in
            var counters = try MetaCounters.read(from: txn, meta: store.databases.meta)
            counters.liveCount += 1
            try counters.write(to: txn, meta: store.databases.meta)
        }
        try expect(.vectors, "squared length") { store, txn in
            let id = try id50(store, txn)
            var chunks = ChunkEditor(layout: store.layout, database: store.databases.vectors, sq8: store.sq8)
            try chunks.set(id, vector: [Float](repeating: 3, count: 8), txn: txn)
            try chunks.flush(to: txn)
        }
        try expect(.vectors, "8-bit copy of slot") { store, txn in
            // One component of d50's 8-bit record changes; its vector does not.
            let id = try id50(store, txn)
            guard let sq8 = store.sq8 else { return XCTFail("a new store keeps 8-bit copies") }
            let number = store.layout.chunk(of: id)
            var chunk = try sq8.loadStored(number, txn: txn)
            chunk[sq8.layout.recordOffset(slot: store.layout.slot(of: id)) + 8 + 3] &+= 1
            try txn.put(sq8.database, key: number, value: chunk)
        }
        try expect(.vectors, "has no 8-bit chunk") { store, txn in
            guard let sq8 = store.sq8 else { return XCTFail("a new store keeps 8-bit copies") }
            try txn.delete(sq8.database, key: UInt32(0))
        }
        try expect(.graph, "not a node") { store, txn in
            // Clear the presence bit of d50's level-0 record.
            let id = try id50(store, txn)
            let layout = store.graphLayout
            let number = layout.chunk(of: id)
            guard let stored = try txn.get(store.databases.graph, key: number) else { return XCTFail("no chunk") }
            var bytes = Array(stored)
            let offset = layout.recordOffset(of: id)
            bytes[offset + 3] &= 0x7F
            try txn.put(store.databases.graph, key: number, value: bytes)
        }
        try expect(.postings, "lacks a posting") { store, txn in
            let id = try id50(store, txn)
            let key = PostingKey.prefix(field: "n") + PostingKey.encode(int: 50)
            try txn.delete(try XCTUnwrap(store.metadataIndex).postings, key: key, value: withUnsafeBytes(of: id) { Array($0) })
        }
        try expect(.postings, "matches no value") { store, txn in
            let id = try id50(store, txn)
            let key = PostingKey.prefix(field: "n") + PostingKey.encode(int: 7)
            try withUnsafeBytes(of: id) { try txn.put(try XCTUnwrap(store.metadataIndex).postings, key: key, value: Array($0)) }
        }
        try expect(.graph, "graph chunk") { store, txn in
            try txn.put(store.databases.graph, key: UInt32(0), value: [1, 2, 3])
        }
    }
}
