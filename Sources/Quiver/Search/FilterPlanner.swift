import Foundation

/// Chooses between scanning a filter's candidates and traversing the graph with the filter,
/// and which distances a scan uses.
///
/// A full-precision scan costs one distance per candidate. A filtered traversal costs about as
/// many distances as an unfiltered search at the same `ef` divided by a power of the
/// selectivity (fewer matching neighbours per step means more steps), plus heap and
/// visited-set work. The planner scans when the scan costs less than its estimate of the
/// traversal. With PQ codes, an ADC scan costs a fixed amount (table fill, re-ranking reads),
/// about half a distance per candidate and the re-ranking of a short list: cheaper than a full-precision scan of many
/// candidates, so it is used for those and lets the planner scan more. The constants come from
/// measurements (docs/filters.md, "Planner").
struct FilterPlanner {
    /// Distance computations of an unfiltered level-0 search, per unit of `ef` (measured ≈ 12–20 at M = 16).
    static let distancesPerEf = 16.0
    /// How traversal cost grows as the selectivity s falls: cost ∝ s^(−exponent).
    static let selectivityExponent = 0.5
    /// A traversal's distance costs more than a scan's (random access, heaps, visited marks).
    static let traversalOverhead = 2.0
    /// From this selectivity up, a traversal routes through every node and keeps the matching
    /// ones (``SearchPlan/Strategy/routedGraph``) instead of walking the matching nodes alone.
    /// Measured on sift-small (interleaved passes, ef 16–32): from 30% matching the routed walk
    /// reaches a higher recall at the same ef and the same speed (it computes more distances, but
    /// each costs about half of one in the two-hop walk, which reads the lists of non-matching
    /// neighbours); at 20% the two are level (docs/filters.md, "Planner").
    static let routingSelectivity = 0.3
    /// Below this many candidates the planner always scans.
    static let minimumScanLimit = 256
    /// One candidate of an ADC scan, in full-precision scan distances (measured on sift-small,
    /// d = 128, m = 32: ≈ 14 ns against ≈ 26 ns).
    static let adcCandidateCost = 0.55
    /// The fixed cost of an ADC scan besides re-ranking, in full-precision scan distances: filling
    /// the query's table, the wider short-list heap, and the re-ranked vectors' scattered reads
    /// (measured ≈ 12–17 µs, ≈ 600 scan distances, on sift-small).
    static let adcFixedCost = 600.0

    /// The distances a store offers a filtered search.
    enum Distances: Equatable {
        /// Full vectors only: no quantizer, or one still encoding.
        case full
        /// PQ codes and full vectors: an ADC scan re-ranks its best `rerank` with full vectors.
        case codesAndFullVectors(rerank: Int)
        /// PQ codes only (a compressed-only store): scans and traversals rank by ADC distances.
        case codesOnly
    }

    /// Stores whose full vectors take at most this many bytes count as cache-resident (about a
    /// large last-level cache; PostgreSQL's `effective_cache_size` plays the same part).
    static let cacheResidentBytes = 64 << 20

    let liveDocuments: Int
    let ef: Int
    var distances: Distances = .full
    /// Whether the store's vectors fit in ``cacheResidentBytes``. On a larger store a scan
    /// distance is a memory read and a traversal computes few of them, so the traversal estimate
    /// (fitted on cache-resident stores) already overstates it and an ADC scan does not earn the
    /// longer scan limit it gets on small stores (measured on synth384: docs/filters.md).
    var cacheResident = true

    /// The fewest candidates for which ADC and re-ranking `rerank` cost less than a
    /// full-precision scan: `c > fixedCost + c · adcCandidateCost + rerank` (≈ 1,420 for k = 10).
    static func adcScanMinimum(rerank: Int) -> Int {
        guard adcCandidateCost < 1 else { return .max }
        return Int(((adcFixedCost + Double(rerank)) / (1 - adcCandidateCost)).rounded(.up))
    }

    /// The distances a scan of `candidates` uses: ADC when the store has codes and (with full
    /// vectors kept) the candidates are enough for ADC to pay off.
    func scanDistance(candidates: Int) -> SearchDistance {
        switch distances {
        case .full: .full
        case .codesOnly: .pq
        case .codesAndFullVectors(let rerank): candidates >= Self.adcScanMinimum(rerank: rerank) ? .pq : .full
        }
    }

    /// The largest candidate count scanned at selectivity `selectivity`.
    ///
    /// In a store that keeps only codes both the scan and the traversal use ADC, so the
    /// full-precision comparison holds; with codes and full vectors an ADC scan is weighed
    /// against a full-precision traversal.
    func scanLimit(selectivity: Double) -> Int {
        let s = max(selectivity, 1e-6)
        let traversal = Self.distancesPerEf * Double(ef) * Self.traversalOverhead * pow(s, -Self.selectivityExponent)
        let limit = max(Self.minimumScanLimit, Int(traversal))
        guard cacheResident, case .codesAndFullVectors(let rerank) = distances, Self.adcCandidateCost < 1 else { return limit }
        let adc = (traversal - Self.adcFixedCost - Double(rerank)) / Self.adcCandidateCost
        return adc > Double(limit) && adc >= Double(Self.adcScanMinimum(rerank: rerank)) ? Int(adc) : limit
    }

    /// The strategy for `candidates` matching documents, and why.
    func strategy(candidates: Int) -> (SearchPlan.Strategy, limit: Int, reason: SearchPlan.Reason) {
        guard candidates > 0 else { return (.empty, 0, .noMatch) }
        let selectivity = liveDocuments == 0 ? 1 : Double(candidates) / Double(liveDocuments)
        let limit = scanLimit(selectivity: selectivity)
        if candidates <= limit { return (.scan, limit, .withinScanLimit) }
        if selectivity >= Self.routingSelectivity && distances != .codesOnly { return (.routedGraph, limit, .manyMatch) }
        return (.graph, limit, .overScanLimit)
    }
}
