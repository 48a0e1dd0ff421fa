/// HNSW search restricted to the ids of a ``CandidateSet``, in the manner of ACORN-1
/// (Patel et al., SIGMOD 2024) on an unchanged HNSW graph.
///
/// The upper levels are descended greedily over all nodes (the filter does not matter for
/// finding the region of the query). On level 0 the beam holds only matching nodes; a
/// matching node's list is expanded through its non-matching neighbours as well — two hops —
/// whenever fewer than ``directMatchTarget`` of its direct neighbours match, so sparse filters
/// still reach the matching nodes nearby while non-matching nodes cost no distance computation.
/// When even two hops find no match, the non-matching neighbours enter the beam as routers
/// (their distances computed, never returned), so the search crosses regions without matches.
/// The search stops as plain HNSW does: when the nearest unexpanded node is farther than the
/// farthest of the `ef` best matches, so `k ≤ ef` results are settled. A traversal that runs
/// out of nodes with fewer than `ef` matches says so (``Traversal/isExhausted``): the matching
/// part of the graph may be disconnected, and the caller scans the candidates instead.
///
/// Distances come from a ``NodeDistance``: full vectors, or ADC on PQ codes in a store that
/// keeps only codes. Nodes it cannot measure are skipped.
struct FilteredHNSW {
    /// Below this many matching direct neighbours, a node is expanded through two hops.
    let directMatchTarget: Int
    /// The most matching nodes one expansion adds (bounding distance computations per step).
    let expansionLimit: Int

    /// The outcome of one traversal.
    struct Traversal {
        /// Up to `ef` matching nodes, nearest first.
        var found: [Candidate]
        /// Distances computed (upper levels and level 0).
        var distanceComputations: Int
        /// Whether the beam emptied before holding `ef` matches.
        var isExhausted: Bool
    }

    /// Up to `ef` nodes of `allowed` nearest by `distance`, nearest first.
    func search<G: GraphReader, D: NodeDistance>(
        _ graph: G, distance: D, entry: GraphEntry, ef: Int, allowed: CandidateSet, scratch: SearchScratch
    ) -> Traversal {
        var computations = 0
        guard let node = entry.node, let d0 = distance(node) else { return Traversal(found: [], distanceComputations: 0, isExhausted: true) }
        var current = Candidate(distance: d0, id: node)
        computations += 1
        var level = entry.level
        while level > 0 {
            current = Self.greedy(graph, distance: distance, from: current, level: level, scratch: scratch, computations: &computations)
            level -= 1
        }
        let target = directMatchTarget, limit = expansionLimit
        allowed.words.withUnsafeBufferPointer { bits in
            let idLimit = allowed.idLimit
            @inline(__always) func matches(_ id: UInt32) -> Bool {
                let i = Int(id)
                return i < idLimit && bits[i &>> 6] & (1 &<< UInt64(i & 63)) != 0
            }
            scratch.candidates.removeAll()
            scratch.results.removeAll()
            _ = scratch.visit(current.id)
            scratch.candidates.push(current)
            if matches(current.id) { scratch.results.push(current) }
            var bound = scratch.results.count >= ef ? scratch.results.top.distance : Float.infinity

            @inline(__always) func consider(_ id: UInt32, _ d: Float) {
                computations &+= 1
                guard scratch.results.count < ef || d < bound else { return }
                let candidate = Candidate(distance: d, id: id)
                scratch.candidates.push(candidate)
                scratch.results.push(candidate)
                if scratch.results.count > ef { scratch.results.pop() }
                if scratch.results.count >= ef { bound = scratch.results.top.distance }
            }

            while !scratch.candidates.isEmpty {
                let nearest = scratch.candidates.top
                if nearest.distance > bound { break }
                scratch.candidates.pop()
                let list = graph.neighbors(nearest.id, level: 0)
                // Matching unvisited neighbours first, their loads started together (as in
                // HNSW.searchLayer), then their distances.
                let pending = scratch.pending, distances = scratch.pendingDistances
                /// Measures the pending nodes (four at a time where it can) and offers each to the beam.
                @inline(__always) func considerPending(_ count: Int) {
                    let kept = distance.measure(pending, count: count, vectors: scratch.pendingVectors, into: distances)
                    for j in 0..<kept { consider(pending[j], distances[j]) }
                }
                var matched = 0, count = 0
                for i in 0..<list.count {
                    let id = list[i]
                    guard matches(id) else { continue }
                    matched &+= 1
                    guard count < scratch.pendingCapacity, scratch.visit(id) else { continue }
                    distance.prefetch(id)
                    pending[count] = id
                    count &+= 1
                }
                considerPending(count)
                guard matched < target else { continue }
                var hopped = 0
                count = 0
                for i in 0..<list.count where !matches(list[i]) { graph.prefetchNeighbors(list[i]) }
                hops: for i in 0..<list.count {
                    let hop = list[i]
                    if matches(hop) { continue }
                    let second = graph.neighbors(hop, level: 0)
                    for j in 0..<second.count {
                        let id = second[j]
                        guard count < scratch.pendingCapacity, matches(id), scratch.visit(id) else { continue }
                        distance.prefetch(id)
                        pending[count] = id
                        count &+= 1
                        matched &+= 1
                        hopped &+= 1
                        if matched >= limit { break hops }
                    }
                }
                considerPending(count)
                guard matched == 0 && hopped == 0 else { continue }
                // No match within two hops: route through the non-matching neighbours.
                for i in 0..<list.count {
                    let id = list[i]
                    guard scratch.visit(id), let d = distance(id) else { continue }
                    computations &+= 1
                    if scratch.results.count < ef || d < bound { scratch.candidates.push(Candidate(distance: d, id: id)) }
                }
            }
        }
        let exhausted = scratch.results.count < ef
        var found: [Candidate] = []
        found.reserveCapacity(scratch.results.count)
        while !scratch.results.isEmpty { found.append(scratch.results.pop()) }
        found.reverse()
        return Traversal(found: found, distanceComputations: computations, isExhausted: exhausted)
    }

    /// HNSW's greedy walk on one upper level, counting distance computations (shared with
    /// ``ADCGraphSearch``): each step starts the neighbours' loads, then measures them together.
    static func greedy<G: GraphReader, D: NodeDistance>(
        _ graph: G, distance: D, from start: Candidate, level: Int, scratch: SearchScratch, computations: inout Int
    ) -> Candidate {
        var current = start
        var changed = true
        let pending = scratch.pending, distances = scratch.pendingDistances
        while changed {
            changed = false
            let list = graph.neighbors(current.id, level: level)
            let count = min(list.count, scratch.pendingCapacity)
            for i in 0..<count {
                pending[i] = list[i]
                distance.prefetch(list[i])
            }
            let kept = distance.measure(pending, count: count, vectors: scratch.pendingVectors, into: distances)
            computations &+= kept
            for j in 0..<kept where distances[j] < current.distance {
                current = Candidate(distance: distances[j], id: pending[j])
                changed = true
            }
        }
        return current
    }
}
