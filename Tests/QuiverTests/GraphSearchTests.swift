import Encoders
import Foundation
import XCTest
@testable import Quiver

/// HNSW search quality and behaviour, measured against exact search on the same store.
final class GraphSearchTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        directory.remove()
    }

    private func makeStore(dimension: Int, metric: Metric = .cosine, graph: GraphParameters = GraphParameters())
        throws -> Store {
        try Store.open(
            at: directory.child("db"),
            options: StoreOptions(
                encoder: try HashingEncoder(dimension: dimension), metric: metric, graph: graph, skipSync: true,
                // One thread: reproducible graphs for these quality thresholds (ParallelBuildTests covers more).
                indexingThreads: 1))
    }

    /// Mean recall@k of graph search against exact search over `queries`.
    private func recall(_ store: Store, queries: [[Float]], k: Int = 10, ef: Int? = nil) throws -> Double {
        var total = 0.0
        for query in queries {
            let truth = Set(try store.search(vector: query, k: k, exact: true).map(\.id))
            let found = try store.search(vector: query, k: k, ef: ef)
            XCTAssertEqual(found.count, min(k, truth.count))
            total += Double(found.filter { truth.contains($0.id) }.count) / Double(truth.count)
        }
        return total / Double(queries.count)
    }

    func testRecallAgainstExactSearch() throws {
        var rng = SeededGenerator(seed: 7)
        let store = try makeStore(dimension: 32, graph: GraphParameters(m: 12, efConstruction: 100, efSearch: 64))
        let base = rng.clusteredVectors(3_000, 32)
        for start in stride(from: 0, to: base.count, by: 500) {
            let range = start..<min(start + 500, base.count)
            try store.upsert(range.map { Document(id: "v\($0)", text: "") }, vectors: Array(base[range]))
        }
        let queries = rng.clusteredVectors(100, 32)
        // 32 dimensions of uniform noise around 20 centres is hard for any graph: hnswlib with
        // the same M and efConstruction gets 0.94 at ef 64 and 1.0 at ef 200 on such data.
        let narrow = try recall(store, queries: queries, ef: 64)
        XCTAssertGreaterThanOrEqual(narrow, 0.90, "recall@10 at ef 64")
        let wide = try recall(store, queries: queries, ef: 200)
        XCTAssertGreaterThanOrEqual(wide, 0.98, "recall@10 at ef 200")
        XCTAssertGreaterThanOrEqual(wide, narrow, "a wider beam is at least as good")
    }

    func testL2RecallAndScoresAreExactDistances() throws {
        var rng = SeededGenerator(seed: 11)
        let store = try makeStore(dimension: 16, metric: .l2)
        let base = rng.clusteredVectors(2_000, 16)
        try store.upsert((0..<base.count).map { Document(id: "\($0)", text: "") }, vectors: base)
        let queries = rng.clusteredVectors(50, 16)
        XCTAssertGreaterThanOrEqual(try recall(store, queries: queries), 0.95)
        for query in queries.prefix(5) {
            for hit in try store.search(vector: query, k: 5) {
                let v = base[Int(hit.id) ?? 0]
                let d = zip(query, v).reduce(Float(0)) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
                XCTAssertEqual(hit.distance, d, accuracy: 1e-3)
            }
        }
    }

    func testDeletingAndReinsertingKeepsRecall() throws {
        var rng = SeededGenerator(seed: 99)
        let store = try makeStore(dimension: 24, graph: GraphParameters(m: 12, efConstruction: 100, efSearch: 64))
        let base = rng.clusteredVectors(2_500, 24)
        let documents = (0..<base.count).map { Document(id: "v\($0)", text: "") }
        try store.upsert(documents, vectors: base)
        let queries = rng.clusteredVectors(100, 24)
        let before = try recall(store, queries: queries)

        var order = Array(0..<base.count)
        order.shuffle(using: &rng)
        let removed = Array(order.prefix(base.count * 3 / 10))
        for chunk in stride(from: 0, to: removed.count, by: 150) {
            let ids = removed[chunk..<min(chunk + 150, removed.count)]
            try store.delete(ids: ids.map { "v\($0)" })
        }
        let removedIDs = Set(removed.map { "v\($0)" })
        for query in queries {
            let hits = try store.search(vector: query, k: 10)
            XCTAssertTrue(hits.allSatisfy { !removedIDs.contains($0.id) }, "a deleted id was returned")
        }
        XCTAssertGreaterThanOrEqual(try recall(store, queries: queries), 0.93, "recall while 30% are deleted")

        try store.upsert(removed.map { documents[$0] }, vectors: removed.map { base[$0] })
        let after = try recall(store, queries: queries)
        XCTAssertGreaterThanOrEqual(after, before - 0.01, "recall after re-inserting the deleted 30%")
        XCTAssertEqual(try store.count(), base.count)
    }

    func testReplacingDocumentsNeverReturnsOldVersions() throws {
        var rng = SeededGenerator(seed: 5)
        let store = try makeStore(dimension: 8)
        let base = rng.clusteredVectors(600, 8)
        try store.upsert((0..<600).map { Document(id: "\($0)", text: "v1") }, vectors: base)
        let moved = rng.clusteredVectors(300, 8)
        try store.upsert((0..<300).map { Document(id: "\($0)", text: "v2") }, vectors: moved)
        for i in 0..<300 where i % 10 == 0 {
            let hit = try XCTUnwrap(try store.search(vector: moved[i], k: 1, ef: 100).first)
            XCTAssertEqual(hit.text, "v2")
            for h in try store.search(vector: base[i], k: 10) where Int(h.id)! < 300 {
                XCTAssertEqual(h.text, "v2", "only the new version of a replaced document is in the graph")
            }
        }
    }

    func testDeletingEverythingThenInsertingAgain() throws {
        let store = try makeStore(dimension: 4)
        try store.upsert((0..<50).map { Document(id: "\($0)", text: "") }, vectors: (0..<50).map { [Float($0), 1, 2, 3] })
        try store.delete(ids: (0..<50).map { "\($0)" })
        XCTAssertEqual(try store.search(vector: [1, 1, 1, 1], k: 5), [])
        try store.upsert([Document(id: "new", text: "")], vectors: [[1, 2, 3, 4]])
        XCTAssertEqual(try store.search(vector: [1, 2, 3, 4], k: 5).map(\.id), ["new"])
    }

    func testLevelsAreReproducibleAndGeometric() {
        let a = LevelGenerator(seed: 1, m: 16)
        let b = LevelGenerator(seed: 1, m: 16)
        let levels = (0..<UInt32(100_000)).map { a.level(of: $0) }
        XCTAssertEqual(levels, (0..<UInt32(100_000)).map { b.level(of: $0) })
        // P(level ≥ 1) = 1/M.
        let above = Double(levels.filter { $0 >= 1 }.count) / Double(levels.count)
        XCTAssertEqual(above, 1.0 / 16, accuracy: 0.005)
        XCTAssertNotEqual(levels, (0..<UInt32(100_000)).map { LevelGenerator(seed: 2, m: 16).level(of: $0) })
    }
}
