import Encoders
import Foundation
import XCTest
@testable import Quiver

/// Filtered search once the store has PQ codes: the planner's ADC scan with re-ranking in a
/// store that keeps full vectors, and ADC scans and traversals ranked by codes in a store that
/// keeps only codes — each against the exact filtered answer computed from the test's vectors.
final class FilteredPQSearchTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        directory.remove()
    }

    private func openStore(dimension: Int, name: String = "db") throws -> Store {
        try Store.open(
            at: directory.child(name),
            options: StoreOptions(
                encoder: try HashingEncoder(dimension: dimension), metric: .l2,
                graph: GraphParameters(m: 16, efConstruction: 100, efSearch: 64), skipSync: true,
                quantization: QuantizationOptions(trainingThreshold: nil)))
    }

    /// A store of `vectors` with `bucket = buckets[i]` on document `v<i>`.
    private func fill(_ store: Store, _ vectors: [[Float]], buckets: [Int64]) throws {
        for start in stride(from: 0, to: vectors.count, by: 1_000) {
            let range = start..<min(start + 1_000, vectors.count)
            try store.upsert(
                range.map { Document(id: "v\($0)", text: "", metadata: ["bucket": .int(buckets[$0])]) },
                vectors: Array(vectors[range]))
        }
    }

    /// Brute-force filtered top-k ids by squared L2.
    private func exactFiltered(_ query: [Float], vectors: [[Float]], matching: [Bool], k: Int) -> [String] {
        var ranked: [(i: Int, d: Float)] = []
        for i in vectors.indices where matching[i] {
            var sum: Float = 0
            for t in query.indices {
                let diff = query[t] - vectors[i][t]
                sum += diff * diff
            }
            ranked.append((i: i, d: sum))
        }
        ranked.sort { $0.d < $1.d || ($0.d == $1.d && $0.i < $1.i) }
        return ranked.prefix(k).map { "v\($0.i)" }
    }

    func testPlannerScansLargeCandidateSetsWithADCAndReRanks() throws {
        var rng = SeededGenerator(seed: 31)
        let n = 5_000, d = 32
        let store = try openStore(dimension: d)
        let vectors = rng.clusteredVectors(n, d)
        let buckets = (0..<n).map { _ in Int64.random(in: 0..<1000, using: &rng) }
        try fill(store, vectors, buckets: buckets)
        try store.trainQuantizer(QuantizationOptions(m: 16, iterations: 10))
        let queries = rng.clusteredVectors(30, d)
        let rerank = Store.defaultRerank(k: 10)
        let minimum = FilterPlanner.adcScanMinimum(rerank: rerank)
        // The planner's own choice at 35% and 60%, and a forced scan of every document.
        for (limit, strategy) in [(Int64(350), SearchPlan.Strategy?.none), (600, nil), (1000, .scan)] {
            let filter = Filter.field("bucket") < .int(limit)
            let matching = buckets.map { $0 < limit }
            let count = matching.filter { $0 }.count
            XCTAssertGreaterThan(count, minimum, "enough candidates for ADC to pay off")
            var recall = 0.0
            for query in queries {
                let (found, plan) = try store.searchWithPlan(vector: query, k: 10, filter: filter, strategy: strategy)
                XCTAssertEqual(plan.strategy, .scan, "bucket < \(limit)")
                XCTAssertEqual(plan.distance, .pq, "bucket < \(limit)")
                XCTAssertEqual(plan.rerank, rerank)
                XCTAssertEqual(plan.distanceComputations, count + rerank, "every candidate's code, then the short list")
                XCTAssertTrue(plan.description.contains("scan of the candidates with PQ codes"), plan.description)
                XCTAssertTrue(plan.description.contains("best \(rerank) re-ranked with full vectors"), plan.description)
                let truth = exactFiltered(query, vectors: vectors, matching: matching, k: 10)
                XCTAssertEqual(found.count, 10)
                XCTAssertTrue(found.allSatisfy { matching[Int($0.id.dropFirst()) ?? -1] })
                recall += Double(Set(found.map(\.id)).intersection(truth).count) / Double(truth.count)
                // Re-ranked results carry full-precision distances.
                for r in found {
                    let v = vectors[Int(r.id.dropFirst()) ?? 0]
                    let exact = zip(v, query).reduce(Float(0)) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
                    XCTAssertEqual(r.distance, exact.squareRoot(), accuracy: 1e-4)
                }
                // `exact` stays the full-precision ground truth.
                let (exactFound, exactPlan) = try store.searchWithPlan(vector: query, k: 10, filter: filter, exact: true)
                XCTAssertEqual(exactPlan.distance, .full)
                XCTAssertEqual(exactPlan.distanceComputations, count)
                XCTAssertEqual(exactFound.map(\.id), truth)
            }
            recall /= Double(queries.count)
            print("PQ planner scan, bucket < \(limit) (\(count) candidates): recall@10 \(recall)")
            XCTAssertGreaterThanOrEqual(recall, 0.95, "bucket < \(limit)")
        }
        // Few candidates: a full-precision scan is cheaper, and exact.
        let filter = Filter.field("bucket") < 20
        let matching = buckets.map { $0 < 20 }
        for query in queries.prefix(5) {
            let (found, plan) = try store.searchWithPlan(vector: query, k: 10, filter: filter)
            XCTAssertEqual(plan.strategy, .scan)
            XCTAssertEqual(plan.distance, .full)
            XCTAssertEqual(plan.rerank, 0)
            XCTAssertEqual(found.map(\.id), exactFiltered(query, vectors: vectors, matching: matching, k: 10))
        }
    }

    func testCompressedOnlyStoreSearchesFiltersWithCodes() throws {
        var rng = SeededGenerator(seed: 44)
        let n = 5_000, d = 16
        var store: Store? = try openStore(dimension: d, name: "compressed")
        let vectors = rng.clusteredVectors(n, d)
        let buckets = (0..<n).map { _ in Int64.random(in: 0..<1000, using: &rng) }
        try fill(try XCTUnwrap(store), vectors, buckets: buckets)
        try XCTUnwrap(store).trainQuantizer(QuantizationOptions(m: 16, iterations: 15, keepsFullVectors: false))
        let queries = rng.clusteredVectors(30, d)
        for reopen in [false, true] {
            if reopen {
                store = nil
                store = try openStore(dimension: d, name: "compressed")
            }
            let s = try XCTUnwrap(store)
            XCTAssertEqual(try s.statistics().databaseBytes["vectors"], 0)
            for (limit, label) in [(Int64(10), "1%"), (100, "10%"), (500, "50%")] {
                let filter = Filter.field("bucket") < .int(limit)
                let matching = buckets.map { $0 < limit }
                for strategy in [SearchPlan.Strategy?.none, .graph, .scan] {
                    var recall = 0.0
                    var fallbacks = 0
                    var computations = 0
                    for query in queries {
                        let (found, plan) = try s.searchWithPlan(vector: query, k: 10, filter: filter, strategy: strategy)
                        XCTAssertEqual(plan.candidates, matching.filter { $0 }.count)
                        fallbacks += plan.fellBackToScan ? 1 : 0
                        computations += plan.distanceComputations
                        XCTAssertEqual(plan.distance, .pq, "\(label) \(String(describing: strategy))")
                        XCTAssertEqual(plan.rerank, 0, "nothing to re-rank with")
                        XCTAssertTrue(plan.description.contains("ranked by codes"), plan.description)
                        XCTAssertEqual(found.count, 10, "\(label) \(String(describing: strategy))")
                        XCTAssertTrue(found.allSatisfy { matching[Int($0.id.dropFirst()) ?? -1] }, "only matching documents")
                        let truth = exactFiltered(query, vectors: vectors, matching: matching, k: 10)
                        recall += Double(Set(found.map(\.id)).intersection(truth).count) / Double(truth.count)
                    }
                    recall /= Double(queries.count)
                    print("compressed-only, \(label), \(strategy?.rawValue ?? "planner"): recall@10 \(recall), "
                          + "distances/query \(computations / queries.count), fallbacks \(fallbacks)")
                    if strategy == .graph && limit >= 100 {
                        XCTAssertEqual(fallbacks, 0, "the ADC traversal settles ef matches itself at \(label)")
                        XCTAssertLessThan(computations / queries.count, n / 2, "a traversal must not touch most of the store at \(label)")
                    }
                    XCTAssertGreaterThanOrEqual(recall, 0.9, "\(label) \(strategy?.rawValue ?? "planner")")
                }
            }
            // NOT subtracts from the live ids, which such a store knows from its codes.
            let rare = Filter.not(Filter.field("bucket") < 990)
            let rareMatching = buckets.map { $0 >= 990 }
            let (found, plan) = try s.searchWithPlan(vector: queries[0], k: 10, filter: rare)
            XCTAssertEqual(plan.candidates, rareMatching.filter { $0 }.count)
            XCTAssertEqual(found.count, 10)
            XCTAssertTrue(found.allSatisfy { rareMatching[Int($0.id.dropFirst()) ?? -1] })
            // Exact search needs the full vectors the store no longer has.
            XCTAssertThrowsError(try s.search(vector: queries[0], k: 5, filter: Filter.field("bucket") < 500, exact: true)) { error in
                guard case QuantizationError.fullVectorsDiscarded = error else { return XCTFail("\(error)") }
            }
        }
    }
}
