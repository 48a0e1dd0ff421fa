import CVectorKernels
import VectorMath

/// How a graph search measures the distance from its query to a node, by id: with the node's
/// full vector (``FullVectorNodeDistance``) or with its PQ code (``ADCNodeDistance``).
///
/// Searches take it as a generic parameter (not an existential or a closure), so each kind is
/// specialised and inlined into the hot loop.
protocol NodeDistance {
    /// The distance from the query to `id` (lower is nearer), or nil when the node has nothing
    /// to measure (no vector, or no live code).
    func callAsFunction(_ id: UInt32) -> Float?

    /// Starts loading what ``callAsFunction(_:)`` will read for `id`, so that the loads of a
    /// node's neighbours overlap instead of queueing (as hnswlib and ``HNSW`` do).
    func prefetch(_ id: UInt32)
}

/// Full-precision distances to the vectors of a graph, reached by pointer.
struct FullVectorNodeDistance<G: GraphReader>: NodeDistance {
    let graph: G
    let query: UnsafePointer<Float>
    let distance: GraphDistance

    @inline(__always)
    func callAsFunction(_ id: UInt32) -> Float? {
        guard let vector = graph.vector(id) else { return nil }
        return distance(query, vector)
    }

    @inline(__always)
    func prefetch(_ id: UInt32) {
        guard let vector = graph.vector(id) else { return }
        qv_prefetch(vector, distance.prefetchLines)
    }
}

/// Asymmetric (ADC) distances: `m` lookups in a query's filled ``ADCTable`` per node's code.
struct ADCNodeDistance: NodeDistance {
    let codes: CodeSnapshot
    let table: ADCTable

    @inline(__always)
    func callAsFunction(_ id: UInt32) -> Float? {
        guard let code = codes.code(id) else { return nil }
        return table.distance(code)
    }

    @inline(__always)
    func prefetch(_ id: UInt32) {
        guard let code = codes.code(id) else { return }
        qv_prefetch(code, Int32((codes.layout.m &+ 63) / 64))
    }
}
