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

    /// Measures the `count` nodes at `ids` (their loads already started): keeps, in order, those
    /// that have something to measure, writes their distances to `distances`, and returns how
    /// many it kept. `vectors` is scratch room for `count` pointers.
    func measure(
        _ ids: UnsafeMutablePointer<UInt32>, count: Int, vectors: UnsafeMutablePointer<UnsafeRawPointer>,
        into distances: UnsafeMutablePointer<Float>
    ) -> Int
}

extension NodeDistance {
    /// One node at a time.
    @inline(__always)
    func measure(
        _ ids: UnsafeMutablePointer<UInt32>, count: Int, vectors: UnsafeMutablePointer<UnsafeRawPointer>,
        into distances: UnsafeMutablePointer<Float>
    ) -> Int {
        var kept = 0
        for j in 0..<count {
            guard let d = self(ids[j]) else { continue }
            ids[kept] = ids[j]
            distances[kept] = d
            kept &+= 1
        }
        return kept
    }
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

    /// Four vectors at a time (``GraphDistance/four(_:_:into:)``), so their loads overlap.
    @inline(__always)
    func measure(
        _ ids: UnsafeMutablePointer<UInt32>, count: Int, vectors: UnsafeMutablePointer<UnsafeRawPointer>,
        into distances: UnsafeMutablePointer<Float>
    ) -> Int {
        var kept = 0
        for j in 0..<count {
            guard let vector = graph.vector(ids[j]) else { continue }
            ids[kept] = ids[j]
            vectors[kept] = vector
            kept &+= 1
        }
        distance.distances(query, vectors, count: kept, into: distances)
        return kept
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
