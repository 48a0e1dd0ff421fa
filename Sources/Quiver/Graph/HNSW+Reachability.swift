extension HNSW {
    /// The most passes ``reconnectUnreachable(_:entry:scratch:)`` makes; each pass can only
    /// strand a node by displacing it from a full list, which is rare, so one or two suffice.
    static let reconnectPasses = 4

    /// The beam of the first, cheap search for a node that lost an in-link.
    static let quickCheckBeam = 16

    /// Links every node that no level-0 walk from the entry point reaches back into the graph,
    /// and returns how many links it added.
    ///
    /// Deletion repair can strand a node: when the removed nodes held its only in-links and the
    /// nodes that pointed at them prune it from their re-selected lists (or two stranded nodes
    /// only point at each other). No search finds such a node, though it is live. Each one is
    /// searched for from the entry point, and the nearest reached node with room in its level-0
    /// list (else the nearest, giving up its farthest neighbour) links to it. A node displaced
    /// that way is caught by the next pass. Lucene's HNSW merge does the same
    /// ("connectComponents").
    ///
    /// Costs one walk over the level-0 graph, like the repair's own scan.
    @discardableResult
    func reconnectUnreachable<G: GraphWriter>(_ graph: G, entry: GraphEntry, scratch: SearchScratch) -> Int {
        guard let start = entry.node, graph.isPresent(start) else { return 0 }
        let query = UnsafeMutablePointer<Float>.allocate(capacity: max(distance.dimension, 1))
        defer { query.deallocate() }
        var added = 0
        for _ in 0..<Self.reconnectPasses {
            var reached = CandidateSet(idLimit: graph.idLimit)
            Self.reach(from: start, in: graph, marking: &reached)
            let stranded = (0..<UInt32(graph.idLimit)).filter { !reached.contains($0) && graph.isPresent($0) }
            if stranded.isEmpty { break }
            // Each stranded node gets its own link from a reached node, even when another
            // stranded node links to it: a node reached only through a just-relinked one is
            // hard for a search to find.
            for id in stranded {
                let found = nearest(
                    to: id, graph, entry: entry, ef: parameters.efConstruction, scratch: scratch, query: query)
                let linker = self.linker(among: found.filter { $0.id != id && reached.contains($0.id) }, graph) ?? start
                link(graph, from: linker, to: id)
                added += 1
            }
        }
        return added
    }

    /// Adds `start` and every node a level-0 walk from it reaches to `reached` (a bitmap, so
    /// the walk's checks stay in the first-level cache: 12 KB at 100,000 nodes).
    static func reach<G: GraphReader>(from start: UInt32, in graph: G, marking reached: inout CandidateSet) {
        guard !reached.contains(start) else { return }
        reached.insert(start)
        // Breadth first, each list's load started when its node is queued: by the time the
        // node comes up its list is in cache (depth first would read it at once).
        var queue: [UInt32] = [start]
        var head = 0
        while head < queue.count {
            let list = graph.neighbors(queue[head], level: 0)
            head += 1
            for i in 0..<list.count {
                let next = list[i]
                if !reached.contains(next) {
                    reached.insert(next)
                    graph.prefetchNeighbors(next)
                    queue.append(next)
                }
            }
        }
    }

    /// The most nodes the detour search from a removed link's source may visit.
    static let detourBudget = 64

    /// The nodes an insertion-only transaction may have cut off, given that every node was
    /// reachable before it and the entry point did not move: the target of each removed link
    /// `y → z` that has no detour (no path from `y` to `z` in the final graph within
    /// ``detourBudget`` nodes of a breadth-first walk), and each new node that no old node among
    /// its own neighbours links back to.
    ///
    /// Why this suffices: an old path to any node can replace each removed link by its detour,
    /// so only the listed nodes can have lost every path; a new node listed by an old (so
    /// reachable) node is reachable. The walks read lists only, no vectors.
    func unprovenNodes<G: GraphWriter>(
        _ graph: G, dropped: [DroppedLink], added: [UInt32], scratch: SearchScratch
    ) -> [UInt32] {
        var unproven = Set<UInt32>()
        var queue: [UInt32] = []
        queue.reserveCapacity(Self.detourBudget)
        for link in Set(dropped).sorted(by: { ($0.from, $0.to) < ($1.from, $1.to) })
        where graph.isPresent(link.to) && graph.isPresent(link.from) && !unproven.contains(link.to) {
            if !hasPath(graph, from: link.from, to: link.to, scratch: scratch, queue: &queue) {
                unproven.insert(link.to)
            }
        }
        let new = Set(added)
        for id in added where graph.isPresent(id) {
            let list = graph.neighbors(id, level: 0)
            var linked = false
            for i in 0..<list.count where !new.contains(list[i]) && graph.neighbors(list[i], level: 0).contains(id) {
                linked = true
                break
            }
            if !linked { unproven.insert(id) }
        }
        return unproven.sorted()
    }

    /// Whether a breadth-first walk of level 0 from `start` reaches `target` within
    /// ``detourBudget`` nodes.
    private func hasPath<G: GraphWriter>(
        _ graph: G, from start: UInt32, to target: UInt32, scratch: SearchScratch, queue: inout [UInt32]
    ) -> Bool {
        scratch.reset(idLimit: graph.idLimit)
        queue.removeAll(keepingCapacity: true)
        _ = scratch.visit(start)
        queue.append(start)
        var head = 0
        while head < queue.count {
            let list = graph.neighbors(queue[head], level: 0)
            head += 1
            for i in 0..<list.count {
                let next = list[i]
                if next == target { return true }
                if queue.count < Self.detourBudget && scratch.visit(next) { queue.append(next) }
            }
        }
        return false
    }

    /// Makes sure each of `candidates` (nodes that lost a level-0 in-link in this transaction)
    /// is still found by a search for its own vector, linking it from the nearest node the search
    /// does find when it is not; returns how many links it added.
    ///
    /// The check for insertions' ``unprovenNodes(_:dropped:added:scratch:)``: one search per node
    /// instead of a walk over the whole graph. A node displaced from a full list to make room is
    /// checked in turn.
    @discardableResult
    func relinkUnfound<G: GraphWriter>(
        _ graph: G, candidates: [UInt32], entry: GraphEntry, scratch: SearchScratch
    ) -> Int {
        guard let start = entry.node, graph.isPresent(start) else { return 0 }
        let query = UnsafeMutablePointer<Float>.allocate(capacity: max(distance.dimension, 1))
        defer { query.deallocate() }
        var pending = Array(Set(candidates)).sorted(by: >)
        var checked = Set<UInt32>()
        var added = 0
        while let id = pending.popLast() {
            guard checked.insert(id).inserted, graph.isPresent(id) else { continue }
            // A narrow search nearly always finds a reachable node by its own vector; only a
            // miss pays for the wide one that also picks the linker.
            let quick = nearest(to: id, graph, entry: entry, ef: Self.quickCheckBeam, scratch: scratch, query: query)
            if quick.contains(where: { $0.id == id }) { continue }
            let found = nearest(to: id, graph, entry: entry, ef: parameters.efConstruction, scratch: scratch, query: query)
            if found.contains(where: { $0.id == id }) { continue }
            let linker = self.linker(among: found.filter { $0.id != id }, graph) ?? start
            if let displaced = link(graph, from: linker, to: id) { pending.append(displaced) }
            added += 1
        }
        return added
    }

    /// The nodes a search for `id`'s own vector returns (beam and count `ef`).
    private func nearest<G: GraphWriter>(
        to id: UInt32, _ graph: G, entry: GraphEntry, ef: Int, scratch: SearchScratch,
        query: UnsafeMutablePointer<Float>
    ) -> [Candidate] {
        guard let vector = graph.vector(id) else { return [] }
        UnsafeMutableRawPointer(query).copyMemory(from: vector, byteCount: distance.dimension &* 4)
        scratch.reset(idLimit: graph.idLimit)
        return search(graph, query: query, entry: entry, k: ef, ef: ef, scratch: scratch)
    }

    /// Of `found` (nearest first), the first node with room in its level-0 list, else the nearest.
    private func linker<G: GraphWriter>(among found: [Candidate], _ graph: G) -> UInt32? {
        let limit = parameters.maximumDegree(level: 0)
        return found.first { graph.neighbors($0.id, level: 0).count < limit }?.id ?? found.first?.id
    }

    /// Adds `target` to `node`'s level-0 list; a full list gives up its farthest neighbour,
    /// which is returned.
    @discardableResult
    private func link<G: GraphWriter>(_ graph: G, from node: UInt32, to target: UInt32) -> UInt32? {
        var ids = graph.neighbors(node, level: 0).ids
        if ids.contains(target) { return nil }
        var displaced: UInt32?
        if ids.count >= parameters.maximumDegree(level: 0) {
            // Without vectors (a compressed-only store) the last neighbour gives way.
            var farthest = ids.count - 1
            if let base = graph.vector(node) {
                var farthestDistance = -Float.infinity
                for (index, neighbor) in ids.enumerated() {
                    guard let vector = graph.vector(neighbor) else { continue }
                    let d = distance(base.assumingMemoryBound(to: Float.self), vector)
                    if d > farthestDistance {
                        farthestDistance = d
                        farthest = index
                    }
                }
            }
            displaced = ids.remove(at: farthest)
        }
        ids.append(target)
        graph.setNeighbors(node, level: 0, ids)
        return displaced
    }
}
