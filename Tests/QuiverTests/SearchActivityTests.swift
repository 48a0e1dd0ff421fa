import Encoders
import Foundation
import XCTest
@testable import Quiver

/// `Store.searchActivity` counts what searches read: every vector of an exact scan, the nodes a
/// graph search visits, the codes and re-ranked vectors of a PQ search, with their bytes.
final class SearchActivityTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        directory.remove()
    }

    func testCountsVectorsAndCodesReadPerKindOfSearch() throws {
        let dimension = 16, n = 3_000, m = 4
        let store = try Store.open(
            at: directory.child("db"),
            options: StoreOptions(
                encoder: try HashingEncoder(dimension: dimension), metric: .l2,
                graph: GraphParameters(m: 8, efConstruction: 64, efSearch: 32), skipSync: true,
                indexingThreads: 1, quantization: QuantizationOptions(trainingThreshold: nil)))
        var rng = SeededGenerator(seed: 5)
        let base = rng.clusteredVectors(n, dimension)
        try store.upsert((0..<n).map { Document(id: "v\($0)", text: "") }, vectors: base)
        try store.delete(ids: (0..<100).map { "v\($0)" })
        let live = n - 100
        let query = rng.clusteredVectors(1, dimension)[0]
        XCTAssertEqual(store.searchActivity, .zero)

        // Exact: every live vector, 4·d bytes each.
        var before = store.searchActivity
        _ = try store.search(vector: query, k: 10, exact: true)
        var cost = store.searchActivity - before
        XCTAssertEqual(cost, SearchActivity(searches: 1, vectorsRead: live, codesRead: 0, bytesRead: live * dimension * 4))

        // Graph: the walk reads 8-bit copies (d + 8 bytes) of at least ef nodes, far fewer than
        // the store holds, then the ef nodes of its final beam as full vectors; a wider beam reads more.
        before = store.searchActivity
        _ = try store.search(vector: query, k: 10, ef: 16)
        let narrow = store.searchActivity - before
        before = store.searchActivity
        _ = try store.search(vector: query, k: 10, ef: 128)
        let wide = store.searchActivity - before
        XCTAssertEqual(narrow.searches, 1)
        XCTAssertEqual(narrow.vectorsRead, 16)
        XCTAssertGreaterThanOrEqual(narrow.codesRead, 16)
        XCTAssertLessThan(narrow.codesRead, live / 2)
        XCTAssertEqual(wide.vectorsRead, 128)
        XCTAssertGreaterThan(wide.codesRead, narrow.codesRead)
        XCTAssertEqual(wide.bytesRead, 128 * dimension * 4 + wide.codesRead * (dimension + 8))

        // With quantizedTraversal off the walk reads full vectors only.
        var fullOptions = StoreOptions(
            encoder: try HashingEncoder(dimension: dimension), metric: .l2,
            graph: GraphParameters(m: 8, efConstruction: 64, efSearch: 32), skipSync: true, indexingThreads: 1)
        fullOptions.quantizedTraversal = false
        let full = try Store.open(at: directory.child("full"), options: fullOptions)
        try full.upsert((0..<n).map { Document(id: "v\($0)", text: "") }, vectors: base)
        _ = try full.search(vector: query, k: 10, ef: 16)
        let plain = full.searchActivity
        XCTAssertEqual(plain.codesRead, 0)
        XCTAssertGreaterThanOrEqual(plain.vectorsRead, 16)
        XCTAssertLessThan(plain.vectorsRead, live / 2)
        XCTAssertEqual(plain.bytesRead, plain.vectorsRead * dimension * 4)

        // PQ scan: every live code (m bytes), then exactly the re-ranked vectors.
        try store.trainQuantizer(QuantizationOptions(m: m, iterations: 5))
        before = store.searchActivity
        _ = try store.search(vector: query, k: 10, exact: true, distance: .pq, rerank: 25)
        cost = store.searchActivity - before
        XCTAssertEqual(cost, SearchActivity(searches: 1, vectorsRead: 25, codesRead: live, bytesRead: 25 * dimension * 4 + live * m))

        // PQ traversal: codes for the visited nodes, vectors for the re-ranked ones only.
        before = store.searchActivity
        _ = try store.search(vector: query, k: 10, ef: 32, distance: .pq, rerank: 20)
        cost = store.searchActivity - before
        XCTAssertEqual(cost.vectorsRead, 20)
        XCTAssertGreaterThanOrEqual(cost.codesRead, 32)
        XCTAssertLessThan(cost.codesRead, live / 2)
        XCTAssertEqual(cost.bytesRead, 20 * dimension * 4 + cost.codesRead * m)

        // Filtered: the plan's distance computations, which are full-precision here.
        try store.upsert(
            [Document(id: "tagged", text: "", metadata: ["kind": .string("x")])], vectors: [query])
        before = store.searchActivity
        let (_, plan) = try store.searchWithPlan(vector: query, k: 1, filter: Filter.field("kind") == "x")
        cost = store.searchActivity - before
        XCTAssertEqual(cost.searches, 1)
        XCTAssertEqual(cost.vectorsRead + cost.codesRead, plan.distanceComputations)
    }
}
