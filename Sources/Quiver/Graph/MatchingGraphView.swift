import CVectorKernels

/// A graph whose searchable nodes are the live nodes of `base` that a filter allows: every node
/// still routes a search, but only allowed ones are results (hnswlib's filtered search, the same
/// walk as an unfiltered search with non-matching nodes treated like deleted ones).
struct MatchingGraphView<Base: GraphReader>: GraphReader {
    let base: Base
    let allowed: UnsafeBufferPointer<UInt64>
    let idLimit: Int

    @inline(__always)
    func vector(_ id: UInt32) -> UnsafeRawPointer? { base.vector(id) }

    @inline(__always)
    func neighbors(_ id: UInt32, level: Int) -> NeighborList { base.neighbors(id, level: level) }

    @inline(__always)
    func isLive(_ id: UInt32) -> Bool {
        let i = Int(id)
        return i < idLimit && allowed[i &>> 6] & (1 &<< UInt64(i & 63)) != 0 && base.isLive(id)
    }

    @inline(__always)
    func prefetchNeighbors(_ id: UInt32) { base.prefetchNeighbors(id) }
}
