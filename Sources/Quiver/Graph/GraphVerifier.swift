import LMDB

/// Checks the HNSW graph's invariants on one snapshot and lists every violation.
///
/// Invariants: every live document is a node and every node is a live document; every
/// neighbour id is a node; no node lists itself or a neighbour twice; degrees are within
/// `2M` on level 0 and `M` above; a node has lists exactly on levels 1…its top level; the
/// entry point is a node on the top level, or absent exactly when the graph is empty; every
/// node is reachable from the entry point along level-0 links (else no search can find it).
struct GraphVerifier {
    let layout: GraphLayout
    let parameters: GraphParameters

    func violations(
        snapshot: GraphSnapshot, levels: (UInt32) -> Int?, upperKeys: [(id: UInt32, level: Int)], isLive: (UInt32) -> Bool
    ) -> [String] {
        var problems: [String] = []
        var topLevel = -1
        var nodeCount = 0
        for id in 0..<UInt32(snapshot.idLimit) {
            let level = levels(id)
            let live = isLive(id)
            guard let level else {
                if live { problems.append("live document \(id) is not a graph node") }
                continue
            }
            nodeCount += 1
            if !live { problems.append("node \(id) is not a live document") }
            topLevel = max(topLevel, level)
            for l in 0...level {
                let list = snapshot.neighbors(id, level: l)
                if list.count > parameters.maximumDegree(level: l) {
                    problems.append("node \(id) has \(list.count) neighbours on level \(l)")
                }
                var seen = Set<UInt32>()
                for i in 0..<list.count {
                    let n = list[i]
                    if n == id { problems.append("node \(id) lists itself on level \(l)") }
                    if !seen.insert(n).inserted { problems.append("node \(id) lists \(n) twice on level \(l)") }
                    guard let nLevel = levels(n) else {
                        problems.append("node \(id) links to \(n), which is not a node (level \(l))")
                        continue
                    }
                    if nLevel < l { problems.append("node \(id) links to \(n) on level \(l) above its top \(nLevel)") }
                }
            }
        }
        for (id, level) in upperKeys {
            guard let top = levels(id), level <= top, level >= 1 else {
                problems.append("an upper list exists for node \(id) on level \(level) it does not reach")
                continue
            }
        }
        let entry = snapshot.entry
        if nodeCount == 0 {
            if entry.node != nil { problems.append("the graph is empty but has entry point \(String(describing: entry.node))") }
        } else if let node = entry.node {
            if levels(node) == nil { problems.append("entry point \(node) is not a node") }
            if entry.level != topLevel { problems.append("entry level \(entry.level) is not the top level \(topLevel)") }
            if levels(node) != entry.level { problems.append("entry point \(node) is not on level \(entry.level)") }
        } else {
            problems.append("the graph has \(nodeCount) nodes but no entry point")
        }
        if let node = entry.node, levels(node) != nil {
            for id in Self.unreachable(from: node, snapshot: snapshot, idLimit: snapshot.idLimit, isNode: { levels($0) != nil }) {
                problems.append("node \(id) is not reachable from the entry point on level 0")
            }
        }
        return problems
    }

    /// The nodes no level-0 walk from `start` reaches, in id order.
    static func unreachable<G: GraphReader>(
        from start: UInt32, snapshot: G, idLimit: Int, isNode: (UInt32) -> Bool
    ) -> [UInt32] {
        var reached = CandidateSet(idLimit: idLimit)
        HNSW.reach(from: start, in: snapshot, marking: &reached)
        return (0..<UInt32(idLimit)).filter { !reached.contains($0) && isNode($0) }
    }
}

extension Store {
    /// Every violation of the graph's invariants in the current snapshot (empty when sound).
    func graphViolations() throws -> [String] {
        try environment.read { txn in try graphViolations(in: txn) }
    }

    /// Every violation of the graph's invariants in `txn`'s snapshot.
    func graphViolations(in txn: Transaction) throws -> [String] {
        let counters = try MetaCounters.read(from: txn, meta: databases.meta)
        let snapshot = try GraphSnapshot(
            txn: txn, mapGeneration: environment.mapGeneration, databases: databases, layout: graphLayout,
            vectorLayout: layout, entry: try graphEntry(in: txn), idLimit: Int(counters.nextID))
        var headers: [UInt32: Int] = [:]
        try forEachGraphNode(in: txn) { id, level in headers[id] = level }
        var upperKeys: [(id: UInt32, level: Int)] = []
        let upper = try txn.cursor(databases.graphUpper)
        var entry = try upper.first()
        while let (key, _) = entry {
            if let decoded = GraphLayout.decodeUpperKey(key) { upperKeys.append(decoded) }
            entry = try upper.next()
        }
        // A compressed-only store keeps no vectors: its live ids are those with codes.
        var liveCodes: Set<UInt32>?
        if let pq = try quantizerState(in: txn), pq.state.fullVectorsDiscarded, let layout = pq.layout {
            liveCodes = try liveCodeIDs(in: txn, layout: layout, codes: pq.databases.codes)
        }
        var problems = GraphVerifier(layout: graphLayout, parameters: manifest.graph)
            .violations(snapshot: snapshot, levels: { headers[$0] }, upperKeys: upperKeys) { id in
                liveCodes.map { $0.contains(id) } ?? snapshot.isLive(id)
            }
        if headers.count != Int(counters.liveCount) {
            problems.append("\(headers.count) graph nodes but \(counters.liveCount) live documents")
        }
        return problems
    }

}
