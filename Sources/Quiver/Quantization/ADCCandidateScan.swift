import CVectorKernels
import LMDB
import VectorMath

/// The filtered-search planner's scan with PQ codes: ADC distances over a candidate set, then
/// the best `rerank` re-ranked with full vectors (or ranked by ADC alone when `graph` is nil,
/// as in a compressed-only store). `distanceComputations` counts both kinds.
struct ADCCandidateScan<G: GraphReader>: CandidateScanning {
    let codes: CodeSnapshot
    let table: ADCTable
    let rerank: Int
    /// Full-precision vectors for re-ranking; nil ranks by codes.
    let graph: G?
    let distance: GraphDistance

    func nearest(to query: UnsafePointer<Float>, k: Int, among candidates: CandidateSet) -> (neighbors: [Neighbor], distanceComputations: Int) {
        table.fill(query: query)
        var shortList = TopK(k: max(k, rerank))
        var computations = 0
        let lines = Int32((codes.layout.m &+ 63) / 64)
        candidates.forEach(lookahead: 16, prefetch: { id in
            if let code = codes.code(id) { qv_prefetch(code, lines) }
        }) { id in
            guard let code = codes.code(id) else { return }
            let d = table.distance(code)
            computations &+= 1
            if d <= shortList.threshold { shortList.insert(id: id, distance: d) }
        }
        let ranked = shortList.sorted()
        guard let graph else { return (Array(ranked.prefix(k)), computations) }
        var exact = TopK(k: k)
        for candidate in ranked {
            guard let vector = graph.vector(candidate.id) else { continue }
            exact.insert(id: candidate.id, distance: distance(query, vector))
            computations &+= 1
        }
        return (exact.sorted(), computations)
    }
}

extension Store {
    /// An ADC candidate scan over `txn`'s snapshot for the filtered-search planner, or nil when
    /// the store has no ready quantizer (the planner then scans full vectors). It owns a new
    /// table; the planner itself borrows one from the store's ``ADCTablePool``.
    func adcCandidateScan(rerank: Int, txn: Transaction) throws -> ADCCandidateScan<GraphSnapshot>? {
        guard let ready = try readyCodes(txn: txn) else { return nil }
        return ADCCandidateScan(
            codes: ready.codes, table: ADCTable(quantizer: ready.loaded.quantizer, kind: adcKind),
            rerank: rerank, graph: ready.fullVectorsDiscarded ? nil : try currentGraphSnapshot(txn: txn),
            distance: GraphDistance(metric: metric, dimension: dimension))
    }
}
