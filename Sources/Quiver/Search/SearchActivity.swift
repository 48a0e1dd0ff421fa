import Synchronization

/// What the searches of one ``Store`` have read since it was opened: how many vectors and PQ
/// codes had their distance to a query computed, and the bytes those reads touched.
///
/// Read it before and after a workload and subtract (``-(_:_:)``) to see what the workload cost,
/// e.g. the vector bytes per query of a PQ search against a full-precision one. Graph searches
/// count the nodes visited on level 0 (the greedy descent through the upper levels, a few dozen
/// distances, is not counted); exact scans count every vector or code scored; re-ranking counts
/// the vectors re-ranked. Documents loaded for results are not counted.
public struct SearchActivity: Sendable, Hashable {
    /// Searches counted (each call of a `search` method that reached the index).
    public var searches: Int
    /// Full-precision vectors whose distance to a query was computed.
    public var vectorsRead: Int
    /// Codes whose approximate distance to a query was computed: PQ codes (ADC), or the 8-bit
    /// copies of the vectors a graph search walks (``StoreOptions/quantizedTraversal``), whose
    /// final beam then counts in ``vectorsRead``.
    public var codesRead: Int
    /// Bytes of vectors and codes read: `vectorsRead · 4 · dimension + codesRead · m` (PQ), or
    /// `+ codesRead · (dimension + 8)` (8-bit copies).
    public var bytesRead: Int

    /// No activity.
    public static let zero = SearchActivity(searches: 0, vectorsRead: 0, codesRead: 0, bytesRead: 0)

    /// The activity between two readings.
    public static func - (later: SearchActivity, earlier: SearchActivity) -> SearchActivity {
        SearchActivity(
            searches: later.searches - earlier.searches, vectorsRead: later.vectorsRead - earlier.vectorsRead,
            codesRead: later.codesRead - earlier.codesRead, bytesRead: later.bytesRead - earlier.bytesRead)
    }
}

/// The store's running totals behind ``Store/searchActivity``: lock-free counters that concurrent
/// searches add to once per search.
final class SearchActivityCounters: Sendable {
    private let searches = Atomic<Int>(0)
    private let vectors = Atomic<Int>(0)
    private let codes = Atomic<Int>(0)
    private let bytes = Atomic<Int>(0)

    /// Adds one search that read `vectors` full vectors of `vectorBytes` each, `codes` codes of
    /// `codeBytes` each and `records` 8-bit copies of `recordBytes` each (counted as codes).
    func record(
        vectors vectorCount: Int, vectorBytes: Int, codes codeCount: Int = 0, codeBytes: Int = 0,
        records recordCount: Int = 0, recordBytes: Int = 0
    ) {
        searches.wrappingAdd(1, ordering: .relaxed)
        if vectorCount > 0 { vectors.wrappingAdd(vectorCount, ordering: .relaxed) }
        if codeCount &+ recordCount > 0 { codes.wrappingAdd(codeCount &+ recordCount, ordering: .relaxed) }
        bytes.wrappingAdd(vectorCount &* vectorBytes &+ codeCount &* codeBytes &+ recordCount &* recordBytes, ordering: .relaxed)
    }

    /// The totals so far.
    var snapshot: SearchActivity {
        SearchActivity(
            searches: searches.load(ordering: .relaxed), vectorsRead: vectors.load(ordering: .relaxed),
            codesRead: codes.load(ordering: .relaxed), bytesRead: bytes.load(ordering: .relaxed))
    }
}
