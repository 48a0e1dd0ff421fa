import Encoders
import LMDB
import VectorMath

extension Store {
    /// The `k` documents nearest to `text`, nearest first, encoding `text` as a query.
    ///
    /// Searches the HNSW graph with beam width `ef` (default: the store's `efSearch`; larger is
    /// slower and more exact), or scans every document when `exact` is true. `contents` says
    /// what to load besides ids and scores (default: text and metadata).
    public func search(
        text: String, k: Int = 10, ef: Int? = nil, exact: Bool = false, returning contents: SearchResult.Contents = .all
    ) throws -> [SearchResult] {
        let vector: [Float]
        do {
            vector = try encoder.encode(text, role: .query)
        } catch {
            throw QuiverError.encodingFailed(underlying: String(describing: error))
        }
        return try search(vector: vector, k: k, ef: ef, exact: exact, returning: contents)
    }

    /// The `k` documents nearest to `vector`, nearest first: approximate through the HNSW graph
    /// with beam width `ef`, or exact over every live document when `exact` is true.
    public func search(
        vector: [Float], k: Int = 10, ef: Int? = nil, exact: Bool = false, returning contents: SearchResult.Contents = .all
    ) throws -> [SearchResult] {
        guard k >= 1 else { throw QuiverError.invalidK(k) }
        if let ef, ef < 1 { throw QuiverError.invalidParameter("ef must be at least 1, got \(ef)") }
        guard vector.count == dimension else {
            throw QuiverError.dimensionMismatch(expected: dimension, actual: vector.count)
        }
        guard vector.allSatisfy(\.isFinite) else { throw QuiverError.nonFiniteVector(id: "<query>") }
        if let routed = try compressedOnlySearch(vector: vector, k: k, ef: ef, exact: exact, returning: contents) { return routed }
        var query = vector
        if metric == .cosine { Kernels.normalize(&query) }
        let scan = ExactScan(layout: layout, metric: metric)
        return try storageErrors {
            try environment.read { txn in
                let neighbors: [Neighbor]
                if exact {
                    let (found, scored) = try scan.nearest(to: query, k: k, vectors: databases.vectors, txn: txn)
                    activity.record(vectors: scored, vectorBytes: layout.dimension * 4)
                    neighbors = found
                } else {
                    neighbors = try graphNearest(to: query, k: k, ef: ef ?? manifest.graph.efSearch, txn: txn)
                }
                return try results(for: neighbors, returning: contents, txn: txn)
            }
        }
    }

    /// The `k` nearest live ids through the HNSW graph of `txn`'s snapshot.
    private func graphNearest(to query: [Float], k: Int, ef: Int, txn: Transaction) throws -> [Neighbor] {
        let snapshot = try currentGraphSnapshot(txn: txn)
        let algorithm = hnsw
        return query.withUnsafeBufferPointer { q in
            guard let qp = q.baseAddress else { return [] }
            return scratchPool.withScratch(idLimit: snapshot.idLimit) { scratch in
                let (found, reranked) = algorithm.searchReranked(
                    snapshot, snapshot: snapshot, query: qp, entry: snapshot.entry, k: k, ef: ef, scratch: scratch)
                recordGraphActivity(visited: scratch.visitCount, reranked: reranked, snapshot: snapshot)
                return found.map { Neighbor(id: $0.id, distance: $0.distance) }
            }
        }
    }

    /// Counts a graph search's reads: `visited` full vectors, or with 8-bit records `visited`
    /// records and the `reranked` full vectors.
    func recordGraphActivity(visited: Int, reranked: Int, snapshot: GraphSnapshot) {
        if let sq8 = snapshot.sq8Distance {
            activity.record(
                vectors: reranked, vectorBytes: layout.dimension * 4, records: visited,
                recordBytes: sq8.dimension + Kernels.sq8HeaderBytes)
        } else {
            activity.record(vectors: visited, vectorBytes: layout.dimension * 4)
        }
    }

    /// What this store's searches have read since it was opened (vectors, PQ codes, bytes),
    /// counted across all threads. Subtract two readings to see what a workload cost.
    public var searchActivity: SearchActivity { activity.snapshot }

    /// Converts an internal distance (lower is nearer) to the public score and distance.
    func scoreAndDistance(_ raw: Float) -> (score: Float, distance: Float) {
        switch metric {
        case .cosine: (-raw, 1 + raw)
        case .dot: (-raw, raw)
        case .l2: (-raw.squareRoot(), raw.squareRoot())
        }
    }
}
