import Dispatch
import Foundation
import Synchronization

extension HNSW {
    /// Inserts `nodes` (already made empty nodes of `graph`, in this order of preference) on
    /// `threads` threads at once, as hnswlib's parallel `addPoint` does: each thread takes the
    /// next node, reads the entry point, and inserts; a node that rises above the top level
    /// holds the entry point's lock for its whole insertion so no other thread descends from
    /// a stale top. With one thread the result is the same as sequential insertion.
    func insertConcurrently(
        _ graph: ConcurrentGraphEditor, nodes: [(id: UInt32, level: Int)], entry: inout GraphEntry, threads: Int
    ) {
        guard !nodes.isEmpty else { return }
        let dimension = distance.dimension
        let state = EntryPointState(entry)
        let next = Atomic<Int>(0)
        let workers = max(1, min(threads, nodes.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let scratch = SearchScratch(capacity: graph.idLimit, dimension: dimension)
            let query = UnsafeMutablePointer<Float>.allocate(capacity: max(dimension, 1))
            defer { query.deallocate() }
            while true {
                let index = next.add(1, ordering: .relaxed).oldValue
                guard index < nodes.count else { break }
                let node = nodes[index]
                state.lock.lock()
                var local = state.entry
                let rising = node.level > local.level
                if !rising { state.lock.unlock() }
                insert(graph, id: node.id, nodeLevel: node.level, entry: &local, scratch: scratch, query: query)
                if rising {
                    state.entry = local
                    state.lock.unlock()
                }
            }
        }
        entry = state.entry
    }
}

/// The entry point shared by inserting threads, with the lock that guards it.
private final class EntryPointState: @unchecked Sendable {
    let lock = NSLock()
    /// Read and written only while holding `lock`.
    var entry: GraphEntry

    init(_ entry: GraphEntry) {
        self.entry = entry
    }
}
