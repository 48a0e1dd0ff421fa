/// A graph whose nodes' "vectors" are their 8-bit records (``GraphSnapshot/sq8Record(_:)``):
/// the same neighbours and liveness as `base`, measured with ``GraphSnapshot/sq8Distance``.
struct SQ8GraphView<Base: GraphReader>: GraphReader {
    let base: Base
    let snapshot: GraphSnapshot

    @inline(__always)
    func vector(_ id: UInt32) -> UnsafeRawPointer? { snapshot.sq8Record(id) }

    @inline(__always)
    func neighbors(_ id: UInt32, level: Int) -> NeighborList { base.neighbors(id, level: level) }

    @inline(__always)
    func isLive(_ id: UInt32) -> Bool { base.isLive(id) }

    @inline(__always)
    func prefetchNeighbors(_ id: UInt32) { base.prefetchNeighbors(id) }
}
