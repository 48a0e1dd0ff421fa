import VectorMath

/// HNSW search with asymmetric (ADC) distances: the same greedy descent and level-0 beam
/// search as ``HNSW/search(_:query:entry:k:ef:scratch:)``, but every distance is `m` table
/// lookups on a node's PQ code instead of a full-vector kernel, so a query touches `m` bytes
/// per visited node instead of `4·d`. Nodes without a live code are not traversed.
struct ADCGraphSearch {
    let graph: GraphSnapshot
    let codes: CodeSnapshot
    let table: ADCTable

    private var distance: ADCNodeDistance { ADCNodeDistance(codes: codes, table: table) }

    /// Up to `ef` nodes nearest to the query by ADC distance, nearest first.
    func search(entry: GraphEntry, ef: Int, scratch: SearchScratch) -> [Candidate] {
        let distance = self.distance
        guard let node = entry.node, let d0 = distance(node) else { return [] }
        var current = Candidate(distance: d0, id: node)
        var level = entry.level
        var upperComputations = 0
        while level > 0 {
            current = FilteredHNSW.greedy(
                graph, distance: distance, from: current, level: level, scratch: scratch, computations: &upperComputations)
            level -= 1
        }
        beam(from: current, ef: ef, scratch: scratch)
        var found = [Candidate]()
        found.reserveCapacity(scratch.results.count)
        while !scratch.results.isEmpty { found.append(scratch.results.pop()) }
        found.reverse()
        return found
    }

    /// Level-0 beam search leaving the `ef` nearest in `scratch.results`.
    private func beam(from entry: Candidate, ef: Int, scratch: SearchScratch) {
        let distance = self.distance
        scratch.candidates.removeAll()
        scratch.results.removeAll()
        _ = scratch.visit(entry.id)
        scratch.candidates.push(entry)
        scratch.results.push(entry)
        var bound = entry.distance
        while !scratch.candidates.isEmpty {
            let current = scratch.candidates.top
            if current.distance > bound && scratch.results.count >= ef { break }
            scratch.candidates.pop()
            let list = graph.neighbors(current.id, level: 0)
            for i in 0..<list.count {
                let id = list[i]
                guard scratch.visit(id), let d = distance(id) else { continue }
                if scratch.results.count < ef || d < bound {
                    scratch.candidates.push(Candidate(distance: d, id: id))
                    scratch.results.push(Candidate(distance: d, id: id))
                    if scratch.results.count > ef { scratch.results.pop() }
                    if scratch.results.count >= ef { bound = scratch.results.top.distance }
                }
            }
        }
    }
}
