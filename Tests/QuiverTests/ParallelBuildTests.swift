import Encoders
import Foundation
import LMDB
import XCTest
@testable import Quiver

/// Large batches are linked into the graph by ``ConcurrentGraphEditor``, on several threads.
final class ParallelBuildTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        directory.remove()
    }

    private func makeStore(_ name: String, threads: Int, dimension: Int = 16) throws -> Store {
        try Store.open(
            at: directory.child(name),
            options: StoreOptions(
                encoder: try HashingEncoder(dimension: dimension),
                graph: GraphParameters(m: 8, efConstruction: 64, efSearch: 64), skipSync: true,
                indexingThreads: threads))
    }

    /// Every key and value of the graph's two databases and the entry point.
    private func graphBytes(_ store: Store) throws -> [[UInt8]] {
        try store.environment.read { txn in
            var rows: [[UInt8]] = []
            for db in [store.databases.graph, store.databases.graphUpper] {
                let cursor = try txn.cursor(db)
                var entry = try cursor.first()
                while let (k, v) = entry {
                    rows.append(Array(k) + [0xFF] + Array(v))
                    entry = try cursor.next()
                }
            }
            rows.append(try store.graphEntry(in: txn).bytes)
            return rows
        }
    }

    /// With one thread the in-memory build makes exactly the graph that node-by-node insertion
    /// in place makes: the same algorithm, the same order, byte for byte.
    func testOneThreadBuildsTheSameGraphAsInPlaceInsertion() throws {
        var rng = SeededGenerator(seed: 41)
        let vectors = rng.clusteredVectors(600, 16)
        let documents = (0..<vectors.count).map { Document(id: "v\($0)", text: "") }
        let bulk = try makeStore("bulk", threads: 1)
        try bulk.upsert(Array(documents[0..<100]), vectors: Array(vectors[0..<100]))
        try bulk.upsert(Array(documents[100...]), vectors: Array(vectors[100...]))
        // Batches below the parallel minimum are inserted in place.
        let inPlace = try makeStore("in-place", threads: 1)
        let step = Store.parallelInsertionMinimum - 1
        for start in stride(from: 0, to: vectors.count, by: step) {
            let range = start..<min(start + step, vectors.count)
            try inPlace.upsert(Array(documents[range]), vectors: Array(vectors[range]))
        }
        XCTAssertEqual(try graphBytes(bulk), try graphBytes(inPlace))
        XCTAssertEqual(try bulk.graphViolations(), [])
    }

    /// Two threads make a sound graph that finds what exact search finds as well as the
    /// one-thread build does, also when the batch goes into a graph that already has nodes
    /// and deletions to repair.
    func testTwoThreadsBuildASoundGraphWithGoodRecall() throws {
        var rng = SeededGenerator(seed: 43)
        let vectors = rng.clusteredVectors(4_000, 24)
        let queries = rng.clusteredVectors(100, 24)
        let documents = (0..<vectors.count).map { Document(id: "v\($0)", text: "") }
        var recalls: [Double] = []
        for threads in [1, 2] {
            let store = try makeStore("threads-\(threads)", threads: threads, dimension: 24)
            try store.upsert(Array(documents[0..<1_000]), vectors: Array(vectors[0..<1_000]))
            try store.delete(ids: (0..<100).map { "v\($0 * 7)" })
            try store.upsert(Array(documents[1_000...]), vectors: Array(vectors[1_000...]))
            XCTAssertEqual(try store.graphViolations(), [])
            XCTAssertEqual(try store.statistics().graphNodes, 3_900)
            var total = 0.0
            for query in queries {
                let truth = Set(try store.search(vector: query, k: 10, exact: true).map(\.id))
                let found = try store.search(vector: query, k: 10, ef: 200)
                total += Double(found.filter { truth.contains($0.id) }.count) / Double(truth.count)
            }
            recalls.append(total / Double(queries.count))
            // Every document is reachable from the entry point: searching its own vector finds it.
            for index in stride(from: 1, to: vectors.count, by: 37) where index % 7 != 0 || index >= 700 {
                let hits = try store.search(vector: vectors[index], k: 3, ef: 100)
                XCTAssertTrue(hits.contains { $0.id == "v\(index)" }, "v\(index), \(threads) threads")
            }
        }
        print("recall@10 at ef 200: one thread \(recalls[0]), two threads \(recalls[1])")
        XCTAssertGreaterThanOrEqual(recalls[0], 0.95)
        XCTAssertGreaterThanOrEqual(recalls[1], recalls[0] - 0.01)
    }

    /// A batch that fails after the parallel build (the map is full) leaves nothing behind.
    func testFailedParallelBatchChangesNothing() throws {
        var rng = SeededGenerator(seed: 47)
        let path = directory.child("capped")
        let options = StoreOptions(
            encoder: try HashingEncoder(dimension: 16), initialMapSize: 1 << 20, maximumMapSize: 3 << 20,
            indexingThreads: 2)
        let store = try Store.open(at: path, options: options)
        try store.upsert((0..<500).map { Document(id: "\($0)", text: "") }, vectors: rng.clusteredVectors(500, 16))
        let before = try graphBytes(store)
        let text = String(repeating: "y", count: 3_000)
        XCTAssertThrowsError(
            try store.upsert(
                (500..<2_500).map { Document(id: "\($0)", text: text) }, vectors: rng.clusteredVectors(2_000, 16)))
        XCTAssertEqual(try graphBytes(store), before)
        XCTAssertEqual(try store.count(), 500)
        XCTAssertEqual(try store.graphViolations(), [])
    }
}
