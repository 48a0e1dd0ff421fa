import Foundation

/// Chooses between scanning a filter's candidates exactly and traversing the graph with the filter.
///
/// An exact scan costs one distance per candidate. A filtered traversal costs about as many
/// distances as an unfiltered search at the same `ef` divided by a power of the selectivity
/// (fewer matching neighbours per step means more steps), plus heap and visited-set work.
/// The planner scans when the candidates are fewer than its estimate of the traversal's
/// cost; the constants come from measurements (docs/filters.md, "Planner").
struct FilterPlanner {
    /// Distance computations of an unfiltered level-0 search, per unit of `ef` (measured ≈ 12–20 at M = 16).
    static let distancesPerEf = 16.0
    /// How traversal cost grows as the selectivity s falls: cost ∝ s^(−exponent).
    static let selectivityExponent = 0.5
    /// A traversal's distance costs more than a scan's (random access, heaps, visited marks).
    static let traversalOverhead = 2.0
    /// Below this many candidates the planner always scans.
    static let minimumScanLimit = 256

    let liveDocuments: Int
    let ef: Int

    /// The largest candidate count scanned exactly at selectivity `selectivity`.
    func scanLimit(selectivity: Double) -> Int {
        let s = max(selectivity, 1e-6)
        let traversal = Self.distancesPerEf * Double(ef) * Self.traversalOverhead * pow(s, -Self.selectivityExponent)
        return max(Self.minimumScanLimit, Int(traversal))
    }

    /// The strategy for `candidates` matching documents, and why.
    func strategy(candidates: Int) -> (SearchPlan.Strategy, limit: Int, reason: String) {
        guard candidates > 0 else { return (.empty, 0, "the filter matches no live document") }
        let selectivity = liveDocuments == 0 ? 1 : Double(candidates) / Double(liveDocuments)
        let limit = scanLimit(selectivity: selectivity)
        if candidates <= limit {
            return (.scan, limit, "\(candidates) candidates ≤ scan limit \(limit) at this selectivity")
        }
        return (.graph, limit, "\(candidates) candidates > scan limit \(limit) at this selectivity")
    }
}
