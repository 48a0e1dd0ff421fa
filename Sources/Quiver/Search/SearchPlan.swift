/// How a filtered search was (or will be) carried out: what `quiver search --explain` prints.
public struct SearchPlan: Sendable, Hashable, CustomStringConvertible {
    /// How the matching documents are searched.
    public enum Strategy: String, Sendable, Hashable, CaseIterable {
        /// No document matches: nothing to search.
        case empty = "none (no document matches)"
        /// Every matching document's distance is computed: exact with full vectors, or ADC on
        /// PQ codes (see ``SearchPlan/distance``).
        case scan = "exact scan of the candidates"
        /// The HNSW graph is searched through the matching nodes only, expanding two hops through
        /// non-matching ones where matches are sparse (approximate; ACORN-1).
        case graph = "filtered HNSW traversal"
        /// The HNSW graph is searched through every node, as an unfiltered search is, keeping only
        /// matching nodes as results (approximate; hnswlib's filtered search). For filters that
        /// match a large share of the store, where the full graph routes better than the matching part.
        case routedGraph = "HNSW traversal through every node, matching nodes kept"
    }

    /// The filter, in its canonical string form.
    public var filter: String
    /// The strategy chosen.
    public var strategy: Strategy
    /// Why the planner chose it (rendered on demand: plans are built on every filtered search).
    public var reason: String { why.text(candidates: candidates, scanLimit: scanLimit) }
    /// Why the planner chose ``strategy``.
    var why: Reason
    /// Live documents in the snapshot searched.
    public var liveDocuments: Int
    /// Documents matching the filter (the planner's estimate, which is exact: the candidate bitmap is built first).
    public var candidates: Int
    /// The largest candidate count the planner scans exactly at this store size.
    public var scanLimit: Int
    /// The beam width of a graph traversal.
    public var ef: Int
    /// Posting keys the filter walked.
    public var postingKeysVisited: Int
    /// Documents read to check long string values.
    public var documentsChecked: Int
    /// Whether the candidates came from the per-snapshot cache of recent filters (no posting walk this time).
    public var candidatesCached: Bool
    /// Distance computations, upper levels of the graph included (ADC lookups and full-precision
    /// re-ranking distances both count).
    public var distanceComputations: Int
    /// The distances that ranked the results: ``SearchDistance/full`` (full vectors throughout), or
    /// ``SearchDistance/pq`` (ADC on PQ codes, then the best ``rerank`` re-ranked with full vectors,
    /// or no re-ranking in a store that keeps only codes).
    public var distance: SearchDistance
    /// Candidates re-ranked with full vectors after the ADC pass or the 8-bit walk (0: none).
    public var rerank: Int
    /// Whether the graph traversal measured the 8-bit copies of the vectors
    /// (``StoreOptions/quantizedTraversal``) and re-ranked its final ``rerank`` nodes with full vectors.
    public var walkedSQ8: Bool = false
    /// Whether a graph traversal ran out of nodes before settling `ef` matches and the candidates were scanned instead.
    public var fellBackToScan: Bool
    /// Microseconds spent compiling the filter to candidates.
    public var filterMicroseconds: Double
    /// Microseconds spent searching (distances and traversal).
    public var searchMicroseconds: Double

    /// The planner's reasons, kept as values so that a search does not format text nobody reads.
    enum Reason: Hashable, Sendable {
        /// No live document matches.
        case noMatch
        /// The candidates are at most the scan limit.
        case withinScanLimit
        /// The candidates exceed the scan limit.
        case overScanLimit
        /// Every live document matches, so the plain HNSW search runs.
        case everyDocumentMatches
        /// Over the scan limit, and the selectivity is at least ``FilterPlanner/routingSelectivity``.
        case manyMatch
        /// The caller asked for an exact search.
        case exactRequested
        /// The caller forced the strategy.
        case forced

        func text(candidates: Int, scanLimit: Int) -> String {
            switch self {
            case .noMatch: "the filter matches no live document"
            case .withinScanLimit: "\(candidates) candidates ≤ scan limit \(scanLimit) at this selectivity"
            case .overScanLimit: "\(candidates) candidates > scan limit \(scanLimit) at this selectivity"
            case .everyDocumentMatches:
                "\(candidates) candidates > scan limit \(scanLimit) at this selectivity; every live document matches, so the plain HNSW search runs"
            case .manyMatch:
                "\(candidates) candidates > scan limit \(scanLimit), and so many match that non-matching nodes are worth routing through"
            case .exactRequested: "exact search requested"
            case .forced: "forced by the caller"
            }
        }
    }

    /// The fraction of live documents that match.
    public var selectivity: Double { liveDocuments == 0 ? 0 : Double(candidates) / Double(liveDocuments) }

    /// A few lines for people: plan, estimate, candidates and distance computations.
    public var description: String {
        func percent(_ x: Double) -> String {
            let p = x * 100
            return p >= 10 ? "\(Int(p.rounded()))%" : p >= 0.1 ? "\((p * 10).rounded() / 10)%" : "\((p * 1000).rounded() / 1000)%"
        }
        let measure = switch (distance, rerank) {
        case (.full, let r) where walkedSQ8: "walk on 8-bit copies, final \(r) re-ranked with full vectors"
        case (.full, _): "full precision"
        case (.pq, 0): "ADC on PQ codes, ranked by codes (no full vectors kept)"
        case (.pq, let r): "ADC on PQ codes, best \(r) re-ranked with full vectors"
        }
        let plan = strategy == .scan && distance == .pq ? "scan of the candidates with PQ codes" : strategy.rawValue
        let fallback = distance == .pq ? "a scan with PQ codes" : "an exact scan"
        return """
            filter:      \(filter)
            candidates:  \(candidates) of \(liveDocuments) live documents (\(percent(selectivity))), from \(postingKeysVisited) posting keys\(documentsChecked > 0 ? ", \(documentsChecked) documents checked" : "")\(candidatesCached ? " (cached for this snapshot)" : "")
            plan:        \(plan)\(fellBackToScan ? ", then \(fallback) (the traversal ran out of nodes before settling ef matches)" : "") — \(reason)
            distances:   \(distanceComputations) computed\(strategy == .graph || strategy == .routedGraph ? " (ef \(ef))" : ""), \(measure)
            time:        filter \(Int(filterMicroseconds.rounded())) µs, search \(Int(searchMicroseconds.rounded())) µs
            """
    }
}
