import XCTest
@testable import Quiver

/// The planner's choices on the cases the benchmarks measured (docs/filters.md, docs/benchmarks.md).
final class FilterPlannerTests: XCTestCase {
    /// synth384 (200,000 × 384, 307 MB of vectors) with PQ at ef 64: the 5% range filter's 10,053
    /// candidates were scanned with ADC (770 QPS) where the traversal gave 1,844; on a store that
    /// fits in cache the ADC scan keeps its longer limit.
    func testADCScanExtendsTheScanLimitOnlyOnCacheResidentStores() {
        var planner = FilterPlanner(liveDocuments: 200_000, ef: 64, distances: .codesAndFullVectors(rerank: 40))
        XCTAssertEqual(planner.strategy(candidates: 10_053).0, .scan)
        planner.cacheResident = false
        XCTAssertEqual(planner.strategy(candidates: 10_053).0, .graph)
        // Few candidates are scanned either way (1% here: ADC pays off at this count).
        XCTAssertEqual(planner.strategy(candidates: 2_000).0, .scan)
        XCTAssertEqual(planner.scanDistance(candidates: 2_000), .pq)
        // The store decides by the size of its vectors.
        XCTAssertLessThan(10_000 * 128 * 4, FilterPlanner.cacheResidentBytes)   // sift-small
        XCTAssertGreaterThan(200_000 * 384 * 4, FilterPlanner.cacheResidentBytes)  // synth384
    }

    /// Over the scan limit, broad filters route through every node, narrow ones walk the matches.
    func testTraversalKindFollowsTheSelectivity() {
        let planner = FilterPlanner(liveDocuments: 200_000, ef: 16)
        XCTAssertEqual(planner.strategy(candidates: 20_000).0, .graph)  // 10%
        XCTAssertEqual(planner.strategy(candidates: 60_000).0, .routedGraph)  // 30%
        XCTAssertEqual(planner.strategy(candidates: 200_000).0, .routedGraph)
        XCTAssertEqual(planner.strategy(candidates: 0).0, .empty)
        XCTAssertEqual(planner.strategy(candidates: 200).0, .scan)
        // A store that keeps only codes walks the matches with ADC whatever the selectivity.
        let codesOnly = FilterPlanner(liveDocuments: 200_000, ef: 16, distances: .codesOnly)
        XCTAssertEqual(codesOnly.strategy(candidates: 100_000).0, .graph)
    }
}
