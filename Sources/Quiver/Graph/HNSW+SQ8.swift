import CVectorKernels

extension HNSW {
    /// The `k` live nodes of `graph` nearest to `query` by full-precision distance: the beam
    /// search walks the snapshot's 8-bit records when it has them (``SQ8GraphView``; a store
    /// gives its snapshots records only when ``StoreOptions/quantizedTraversal`` is on), then
    /// re-ranks the `max(ef, k)` nodes of its final beam with their full vectors; otherwise the
    /// plain search. `graph` gives the neighbours and which nodes may be results (the snapshot
    /// itself, or a ``MatchingGraphView`` over it); `snapshot` gives both kinds of vectors.
    /// Returns the results and how many full vectors were re-ranked (0: the plain search ran).
    func searchReranked<G: GraphReader>(
        _ graph: G, snapshot: GraphSnapshot, query: UnsafePointer<Float>, entry: GraphEntry,
        k: Int, ef: Int, scratch: SearchScratch
    ) -> (found: [Candidate], reranked: Int) {
        guard let sq8Distance = snapshot.sq8Distance else {
            return (search(graph, query: query, entry: entry, k: k, ef: ef, scratch: scratch), 0)
        }
        let walker = HNSW(parameters: parameters, distance: sq8Distance)
        let beam = max(ef, k)
        let approximate = walker.search(
            SQ8GraphView(base: graph, snapshot: snapshot), query: query, entry: entry, k: beam, ef: beam, scratch: scratch)
        let reranked = Self.rerank(approximate, snapshot: snapshot, query: query, distance: distance, k: k)
        return (reranked, approximate.count)
    }

    /// The `k` of `candidates` nearest to `query` by `distance` on their full vectors, nearest
    /// first (ties by id).
    static func rerank(
        _ candidates: [Candidate], snapshot: GraphSnapshot, query: UnsafePointer<Float>, distance: GraphDistance, k: Int
    ) -> [Candidate] {
        // Start every vector's load, then measure them four at a time (the loads overlap).
        var ids = [UInt32](), vectors = [UnsafeRawPointer]()
        ids.reserveCapacity(candidates.count)
        vectors.reserveCapacity(candidates.count)
        for candidate in candidates {
            guard let vector = snapshot.vector(candidate.id) else { continue }
            qv_prefetch(vector, distance.prefetchLines)
            ids.append(candidate.id)
            vectors.append(vector)
        }
        var distances = [Float](repeating: 0, count: ids.count)
        vectors.withUnsafeBufferPointer { v in
            distances.withUnsafeMutableBufferPointer { d in
                guard let vp = v.baseAddress, let dp = d.baseAddress else { return }
                distance.distances(query, vp, count: ids.count, into: dp)
            }
        }
        var reranked = (0..<ids.count).map { Candidate(distance: distances[$0], id: ids[$0]) }
        reranked.sort { $0.distance < $1.distance || ($0.distance == $1.distance && $0.id < $1.id) }
        if reranked.count > k { reranked.removeSubrange(k...) }
        return reranked
    }
}
