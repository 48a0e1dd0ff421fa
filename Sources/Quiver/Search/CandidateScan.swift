import CVectorKernels
import VectorMath

/// Scores every id of a candidate set against a query and keeps the `k` nearest: the exact
/// end of the filtered-search planner.
///
/// Two implementations: ``FullPrecisionCandidateScan`` (exact) and ``ADCCandidateScan``
/// (ADC distances from lookup tables over the candidates' codes, a short list re-ranked with
/// full vectors), which the planner picks for large candidate sets once PQ is trained.
protocol CandidateScanning {
    /// The `k` candidates nearest to `query`, nearest first, and the distances computed.
    func nearest(to query: UnsafePointer<Float>, k: Int, among candidates: CandidateSet) -> (neighbors: [Neighbor], distanceComputations: Int)
}

/// Exact distances on the full-precision vectors of a graph snapshot (pointer arithmetic per id).
struct FullPrecisionCandidateScan<G: GraphReader>: CandidateScanning {
    let graph: G
    let distance: GraphDistance

    func nearest(to query: UnsafePointer<Float>, k: Int, among candidates: CandidateSet) -> (neighbors: [Neighbor], distanceComputations: Int) {
        var heap = TopK(k: k)
        var computations = 0
        let lines = Int32(min((distance.dimension &* 4 &+ 63) / 64, 32))
        candidates.forEach(lookahead: 4, prefetch: { id in
            if let vector = graph.vector(id) { qv_prefetch(vector, lines) }
        }) { id in
            guard let vector = graph.vector(id) else { return }
            let d = distance(query, vector)
            computations &+= 1
            if d <= heap.threshold { heap.insert(id: id, distance: d) }
        }
        return (heap.sorted(), computations)
    }
}
