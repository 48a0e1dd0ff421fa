import Encoders
import LMDB
import VectorMath

extension Store {
    /// The default number of PQ candidates re-ranked exactly: `max(4·k, 40)`.
    public static func defaultRerank(k: Int) -> Int { max(4 * k, 40) }

    /// The `k` documents nearest to `text` (encoded as a query), ranked with `distance`.
    ///
    /// With ``SearchDistance/pq`` the graph is traversed (or, with `exact`, every code scanned)
    /// with ADC distances and the best `rerank` (default ``defaultRerank(k:)``) are re-ranked exactly.
    public func search(
        text: String, k: Int = 10, ef: Int? = nil, exact: Bool = false, distance: SearchDistance, rerank: Int? = nil,
        returning contents: SearchResult.Contents = .all
    ) throws -> [SearchResult] {
        let vector: [Float]
        do {
            vector = try encoder.encode(text, role: .query)
        } catch {
            throw QuiverError.encodingFailed(underlying: String(describing: error))
        }
        return try search(vector: vector, k: k, ef: ef, exact: exact, distance: distance, rerank: rerank, returning: contents)
    }

    /// The `k` documents nearest to `vector`, ranked with `distance` (see ``search(text:k:ef:exact:distance:rerank:returning:)``).
    ///
    /// Compressed-only stores refuse ``SearchDistance/full`` with ``QuantizationError/fullVectorsDiscarded(operation:)``.
    public func search(
        vector: [Float], k: Int = 10, ef: Int? = nil, exact: Bool = false, distance: SearchDistance, rerank: Int? = nil,
        returning contents: SearchResult.Contents = .all
    ) throws -> [SearchResult] {
        if distance == .full {
            if try quantization.fullVectorsDiscarded(environment) {
                throw QuantizationError.fullVectorsDiscarded(operation: exact ? "exact search with full vectors" : "search with full vectors")
            }
            return try search(vector: vector, k: k, ef: ef, exact: exact, returning: contents)
        }
        guard k >= 1 else { throw QuiverError.invalidK(k) }
        if let ef, ef < 1 { throw QuiverError.invalidParameter("ef must be at least 1, got \(ef)") }
        if let rerank, rerank < 1 { throw QuiverError.invalidParameter("rerank must be at least 1, got \(rerank)") }
        guard vector.count == dimension else {
            throw QuiverError.dimensionMismatch(expected: dimension, actual: vector.count)
        }
        guard vector.allSatisfy(\.isFinite) else { throw QuiverError.nonFiniteVector(id: "<query>") }
        var query = vector
        if metric == .cosine { Kernels.normalize(&query) }
        let shortList = max(k, rerank ?? Self.defaultRerank(k: k))
        let found: [SearchResult]? = try storageErrors {
            try environment.read { txn in
                guard let neighbors = try pqNearest(
                    to: query, k: k, rerank: shortList, ef: exact ? nil : (ef ?? manifest.graph.efSearch), among: nil, txn: txn)
                else { return nil }
                return try results(for: neighbors, returning: contents, txn: txn)
            }
        }
        if let found { return found }
        // No quantizer yet (or still encoding): full vectors answer.
        return try search(vector: vector, k: k, ef: ef, exact: exact, returning: contents)
    }

    /// The PQ search inside a read transaction: ADC over the graph (beam `max(ef, rerank)`) when
    /// `ef` is given, else an ADC scan over `among` (every live code when nil); the best `rerank`
    /// candidates are re-ranked with full vectors (with codes when the store keeps none) and the
    /// `k` nearest returned. `query` is already normalised for cosine. Returns nil when the store
    /// has no ready quantizer, so the caller can fall back to full vectors.
    ///
    /// The filtered-search planner uses this with `ef == nil` and a candidate set as `among`.
    func pqNearest(
        to query: [Float], k: Int, rerank: Int, ef: Int?, among candidates: (any Sequence<UInt32>)?, txn: Transaction
    ) throws -> [Neighbor]? {
        guard let ready = try readyCodes(txn: txn) else { return nil }
        let codes = ready.codes
        let needsGraph = ef != nil || !ready.fullVectorsDiscarded
        let graph = needsGraph ? try currentGraphSnapshot(txn: txn) : nil
        var shortList = TopK(k: rerank)
        var codesRead = 0
        try quantization.tables.withTable(ready.loaded, kind: adcKind) { table in
            try table.fill(query: query)
            if let ef, let graph {
                let search = ADCGraphSearch(graph: graph, codes: codes, table: table)
                scratchPool.withScratch(idLimit: graph.idLimit) { scratch in
                    for candidate in search.search(entry: graph.entry, ef: max(ef, rerank), scratch: scratch) {
                        shortList.insert(id: candidate.id, distance: candidate.distance)
                    }
                    codesRead = scratch.visitCount
                }
            } else if let candidates {
                for id in candidates {
                    guard let code = codes.code(id) else { continue }
                    let d = table.distance(code)
                    codesRead &+= 1
                    if d <= shortList.threshold { shortList.insert(id: id, distance: d) }
                }
            } else {
                codes.forEachCode { id, code in
                    let d = table.distance(code)
                    codesRead &+= 1
                    if d <= shortList.threshold { shortList.insert(id: id, distance: d) }
                }
            }
        }
        let codeBytes = ready.loaded.codeLayout.m
        let ranked = shortList.sorted()
        guard !ready.fullVectorsDiscarded, let graph else {
            activity.record(vectors: 0, vectorBytes: 0, codes: codesRead, codeBytes: codeBytes)
            return Array(ranked.prefix(k))
        }
        var exact = TopK(k: k)
        var vectorsRead = 0
        let full = GraphDistance(metric: metric, dimension: dimension)
        query.withUnsafeBufferPointer { q in
            guard let qp = q.baseAddress else { return }
            for candidate in ranked {
                guard let vector = graph.vector(candidate.id) else { continue }
                exact.insert(id: candidate.id, distance: full(qp, vector))
                vectorsRead &+= 1
            }
        }
        activity.record(vectors: vectorsRead, vectorBytes: dimension * 4, codes: codesRead, codeBytes: codeBytes)
        return exact.sorted()
    }

    /// Routes the plain ``search(vector:k:ef:exact:)`` of a compressed-only store: PQ traversal,
    /// or a refusal for exact full-vector search. Nil for stores that keep full vectors.
    func compressedOnlySearch(
        vector: [Float], k: Int, ef: Int?, exact: Bool, returning contents: SearchResult.Contents
    ) throws -> [SearchResult]? {
        guard try quantization.fullVectorsDiscarded(environment) else { return nil }
        if exact { throw QuantizationError.fullVectorsDiscarded(operation: "exact search with full vectors") }
        return try search(vector: vector, k: k, ef: ef, exact: false, distance: .pq, returning: contents)
    }
}
