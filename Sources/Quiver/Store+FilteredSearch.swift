import LMDB
import VectorMath

extension Store {
    /// The `k` documents nearest to `text` among those matching `filter`, nearest first.
    ///
    /// The filter is compiled to the set of matching documents from the metadata index; the
    /// planner scans few matches and traverses the HNSW graph with the filter applied for many
    /// (see ``SearchPlan``). Once the store has a trained quantizer, large scans use ADC on PQ
    /// codes and re-rank the best ``defaultRerank(k:)`` with full vectors; a store that keeps only
    /// codes scans and traverses with ADC and ranks by codes. `exact` always scans the matches
    /// with full vectors.
    ///
    /// - Throws: ``FilterError`` when the filter names an unknown or unindexed field or
    ///   compares a field with a literal of another type; ``QuantizationError/fullVectorsDiscarded(operation:)``
    ///   for `exact` on a store that keeps only codes.
    public func search(
        text: String, k: Int = 10, filter: Filter, ef: Int? = nil, exact: Bool = false,
        returning contents: SearchResult.Contents = .all
    ) throws -> [SearchResult] {
        try searchWithPlan(text: text, k: k, filter: filter, ef: ef, exact: exact, returning: contents).results
    }

    /// The `k` documents nearest to `vector` among those matching `filter`, nearest first.
    public func search(
        vector: [Float], k: Int = 10, filter: Filter, ef: Int? = nil, exact: Bool = false,
        returning contents: SearchResult.Contents = .all
    ) throws -> [SearchResult] {
        try searchWithPlan(vector: vector, k: k, filter: filter, ef: ef, exact: exact, returning: contents).results
    }

    /// A filtered search of `text` and the plan it followed (`quiver search --explain`).
    ///
    /// `strategy` overrides the planner (for measurement); `exact` is a `.scan` with full vectors.
    public func searchWithPlan(
        text: String, k: Int = 10, filter: Filter, ef: Int? = nil, exact: Bool = false,
        strategy: SearchPlan.Strategy? = nil, returning contents: SearchResult.Contents = .all
    ) throws -> (results: [SearchResult], plan: SearchPlan) {
        let vector: [Float]
        do {
            vector = try encoder.encode(text, role: .query)
        } catch {
            throw QuiverError.encodingFailed(underlying: String(describing: error))
        }
        return try searchWithPlan(
            vector: vector, k: k, filter: filter, ef: ef, exact: exact, strategy: strategy, returning: contents)
    }

    /// A filtered search of `vector` and the plan it followed.
    public func searchWithPlan(
        vector: [Float], k: Int = 10, filter: Filter, ef: Int? = nil, exact: Bool = false,
        strategy: SearchPlan.Strategy? = nil, returning contents: SearchResult.Contents = .all
    ) throws -> (results: [SearchResult], plan: SearchPlan) {
        guard k >= 1 else { throw QuiverError.invalidK(k) }
        if let ef, ef < 1 { throw QuiverError.invalidParameter("ef must be at least 1, got \(ef)") }
        guard vector.count == dimension else {
            throw QuiverError.dimensionMismatch(expected: dimension, actual: vector.count)
        }
        guard vector.allSatisfy(\.isFinite) else { throw QuiverError.nonFiniteVector(id: "<query>") }
        guard let metadataIndex else { throw FilterError.indexUnavailable }
        if exact, try quantization.fullVectorsDiscarded(environment) {
            throw QuantizationError.fullVectorsDiscarded(operation: "exact filtered search with full vectors")
        }
        var query = vector
        if metric == .cosine { Kernels.normalize(&query) }
        let forced = exact ? .scan : strategy
        return try storageErrors {
            try environment.read { txn in
                let (neighbors, plan) = try filteredNearest(
                    to: query, k: k, filter: filter, ef: max(ef ?? manifest.graph.efSearch, k), strategy: forced, exact: exact,
                    index: metadataIndex, txn: txn)
                return (try results(for: neighbors, returning: contents, txn: txn), plan)
            }
        }
    }

    /// Compiles `filter`, plans, and searches `txn`'s snapshot; returns internal ids and distances.
    /// `exact` scans with full vectors whatever the store's quantizer.
    private func filteredNearest(
        to query: [Float], k: Int, filter: Filter, ef: Int, strategy forced: SearchPlan.Strategy?, exact: Bool,
        index: MetadataDatabases, txn: Transaction
    ) throws -> ([Neighbor], SearchPlan) {
        let clock = ContinuousClock()
        let start = clock.now
        let counters = try MetaCounters.read(from: txn, meta: databases.meta)
        let snapshot = try currentGraphSnapshot(txn: txn)
        let ready = try readyCodes(txn: txn)
        let codesOnly = ready?.fullVectorsDiscarded ?? false
        let compiledFilter: CandidateCache.Entry
        var cached = false
        if let hit = candidateCache.entry(for: filter, txnID: txn.id) {
            compiledFilter = hit
            cached = true
        } else {
            // A store that keeps only codes has no vector chunks to say which ids are live: its codes do.
            let codes = codesOnly ? ready?.codes : nil
            var compiler = FilterCompiler(
                txn: txn, postings: index.postings, catalog: try FieldCatalog(txn: txn, database: index.fields),
                idLimit: snapshot.idLimit,
                liveIDs: {
                    var live = CandidateSet(idLimit: snapshot.idLimit)
                    for id in 0..<UInt32(snapshot.idLimit) where codes.map({ $0.code(id) != nil }) ?? snapshot.isLive(id) {
                        live.insert(id)
                    }
                    return live
                },
                metadata: { [self] id in try loadDocument(id, txn: txn)?.metadata })
            try compiler.validate(filter)
            let set = try compiler.evaluate(filter)
            compiledFilter = CandidateCache.Entry(
                text: filter.description, candidates: set, count: set.count, keysVisited: compiler.keysVisited,
                documentsChecked: compiler.documentsChecked)
            candidateCache.store(compiledFilter, for: filter, txnID: txn.id)
        }
        let candidates = compiledFilter.candidates
        let count = compiledFilter.count
        let compiled = clock.now
        let rerank = max(k, Self.defaultRerank(k: k))
        let distances: FilterPlanner.Distances = ready == nil ? .full : codesOnly ? .codesOnly : .codesAndFullVectors(rerank: rerank)
        var planner = FilterPlanner(liveDocuments: Int(counters.liveCount), ef: ef, distances: distances)
        planner.cacheResident = Int(counters.liveCount) * dimension * 4 <= FilterPlanner.cacheResidentBytes
        var (strategy, limit, reason) = planner.strategy(candidates: count)
        if let forced, count > 0 {
            strategy = forced
            reason = exact ? .exactRequested : .forced
        }
        let scanDistance: SearchDistance = exact ? .full : planner.scanDistance(candidates: count)
        var plan = SearchPlan(
            filter: compiledFilter.text, strategy: strategy, why: reason, liveDocuments: Int(counters.liveCount),
            candidates: count, scanLimit: limit, ef: ef, postingKeysVisited: compiledFilter.keysVisited,
            documentsChecked: compiledFilter.documentsChecked, candidatesCached: cached, distanceComputations: 0,
            distance: .full, rerank: 0, fellBackToScan: false,
            filterMicroseconds: Self.microseconds(compiled - start), searchMicroseconds: 0)
        let full = GraphDistance(metric: metric, dimension: dimension)
        var vectorsRead = 0, codesRead = 0  // for searchActivity

        var recordsRead = 0  // 8-bit copies, for searchActivity
        /// Records a graph walk's distances in the plan and the activity; returns its results.
        func noteWalk(_ walk: (found: [Candidate], reranked: Int), visited: Int) -> [Candidate] {
            plan.distanceComputations = visited + walk.reranked
            if snapshot.sq8Distance != nil {
                plan.walkedSQ8 = true
                plan.rerank = walk.reranked
                recordsRead += visited
                vectorsRead += walk.reranked
            } else {
                vectorsRead += visited
            }
            return walk.found
        }

        func search(_ qp: UnsafePointer<Float>, table: ADCTable?) -> [Neighbor] {
            /// Scans the candidates with the planner's scan distance, recording it in the plan.
            func scan() -> [Neighbor] {
                if scanDistance == .pq, let ready, let table {
                    let adc = ADCCandidateScan(
                        codes: ready.codes, table: table, rerank: rerank, graph: codesOnly ? nil : snapshot, distance: full)
                    let (found, computations) = adc.nearest(to: qp, k: k, among: candidates)
                    plan.distanceComputations += computations
                    plan.distance = .pq
                    plan.rerank = codesOnly ? 0 : min(rerank, count)
                    vectorsRead += plan.rerank
                    codesRead += computations - plan.rerank
                    return found
                }
                let (found, computations) = FullPrecisionCandidateScan(graph: snapshot, distance: full).nearest(to: qp, k: k, among: candidates)
                plan.distanceComputations += computations
                plan.distance = .full
                vectorsRead += computations
                return found
            }
            switch strategy {
            case .empty:
                return []
            case .scan:
                return scan()
            case .graph where count == Int(counters.liveCount) && !codesOnly,
                 .routedGraph where count == Int(counters.liveCount) && !codesOnly:
                // The filter matches every live document: the plain HNSW search answers the same
                // question without the per-neighbour bitmap tests and two-hop bookkeeping.
                let found = scratchPool.withScratch(idLimit: snapshot.idLimit) { scratch in
                    let walk = hnsw.searchReranked(
                        snapshot, snapshot: snapshot, query: qp, entry: snapshot.entry, k: k, ef: ef, scratch: scratch)
                    return noteWalk(walk, visited: scratch.visitCount)
                }
                plan.why = .everyDocumentMatches
                return found.map { Neighbor(id: $0.id, distance: $0.distance) }
            case .routedGraph where !codesOnly:
                let found = candidates.words.withUnsafeBufferPointer { bits in
                    scratchPool.withScratch(idLimit: snapshot.idLimit) { scratch in
                        let view = MatchingGraphView(base: snapshot, allowed: bits, idLimit: candidates.idLimit)
                        let walk = hnsw.searchReranked(
                            view, snapshot: snapshot, query: qp, entry: snapshot.entry, k: k, ef: min(ef, count),
                            scratch: scratch)
                        return noteWalk(walk, visited: scratch.visitCount)
                    }
                }
                if found.count < min(k, count) {
                    // The walk ended with fewer matches than asked for: scan them.
                    plan.fellBackToScan = true
                    return scan()
                }
                return found.map { Neighbor(id: $0.id, distance: $0.distance) }
            case .graph, .routedGraph:
                // (A store that keeps only codes walks the matching nodes with ADC either way.)
                plan.strategy = .graph
                let traversal = FilteredHNSW(directMatchTarget: max(1, manifest.graph.m / 2), expansionLimit: 2 * manifest.graph.m)
                let result = scratchPool.withScratch(idLimit: snapshot.idLimit) { scratch in
                    if codesOnly, let ready, let table {
                        table.fill(query: qp)
                        plan.distance = .pq
                        return traversal.search(
                            snapshot, distance: ADCNodeDistance(codes: ready.codes, table: table), entry: snapshot.entry,
                            ef: min(ef, count), allowed: candidates, scratch: scratch)
                    }
                    if let sq8 = snapshot.sq8Distance {
                        // Walk the 8-bit copies; the matches found are re-ranked below.
                        return traversal.search(
                            snapshot, distance: FullVectorNodeDistance(
                                graph: SQ8GraphView(base: snapshot, snapshot: snapshot), query: qp, distance: sq8),
                            entry: snapshot.entry, ef: min(ef, count), allowed: candidates, scratch: scratch)
                    }
                    return traversal.search(
                        snapshot, distance: FullVectorNodeDistance(graph: snapshot, query: qp, distance: full), entry: snapshot.entry,
                        ef: min(ef, count), allowed: candidates, scratch: scratch)
                }
                if result.isExhausted && result.found.count < count {
                    // The beam ran dry before finding ef matches: the matching part of the graph
                    // reachable from the entry is smaller than the candidates, so scan them.
                    plan.distanceComputations = result.distanceComputations
                    if codesOnly { codesRead += result.distanceComputations } else if snapshot.sq8Distance != nil {
                        recordsRead += result.distanceComputations
                    } else {
                        vectorsRead += result.distanceComputations
                    }
                    plan.fellBackToScan = true
                    return scan()
                }
                if codesOnly {
                    plan.distanceComputations = result.distanceComputations
                    codesRead += result.distanceComputations
                    return result.found.prefix(k).map { Neighbor(id: $0.id, distance: $0.distance) }
                }
                let found: [Candidate]
                if snapshot.sq8Distance != nil {
                    found = noteWalk(
                        (HNSW.rerank(result.found, snapshot: snapshot, query: qp, distance: full, k: k), result.found.count),
                        visited: result.distanceComputations)
                } else {
                    found = noteWalk((Array(result.found.prefix(k)), 0), visited: result.distanceComputations)
                }
                return found.map { Neighbor(id: $0.id, distance: $0.distance) }
            }
        }

        let neighbors: [Neighbor] = query.withUnsafeBufferPointer { q in
            guard let qp = q.baseAddress else { return [] }
            guard let ready else { return search(qp, table: nil) }
            return quantization.tables.withTable(ready.loaded, kind: adcKind) { search(qp, table: $0) }
        }
        plan.searchMicroseconds = Self.microseconds(clock.now - compiled)
        activity.record(
            vectors: vectorsRead, vectorBytes: dimension * 4, codes: codesRead, codeBytes: ready?.loaded.codeLayout.m ?? 0,
            records: recordsRead, recordBytes: dimension + Kernels.sq8HeaderBytes)
        return (neighbors, plan)
    }

    private static func microseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1e6 + Double(attoseconds) / 1e12
    }
}
