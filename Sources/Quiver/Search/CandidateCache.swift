/// The candidate sets of recently used filters on the current snapshot, so that a filter
/// repeated across queries (the common case: "in stock", "city = 上海") is compiled once per
/// commit rather than once per query. Entries are dropped when a newer snapshot is searched.
final class CandidateCache: @unchecked Sendable {
    /// A compiled filter.
    struct Entry {
        /// The filter's canonical text, for the plan.
        let text: String
        let candidates: CandidateSet
        let count: Int
        let keysVisited: Int
        let documentsChecked: Int
    }

    /// Filters remembered per snapshot.
    static let capacity = 8

    private let lock = NSLockShim()
    private var snapshotID = -1
    private var entries: [(filter: Filter, entry: Entry)] = []

    /// The cached set of `filter` on snapshot `txnID`, moved to the front.
    func entry(for filter: Filter, txnID: Int) -> Entry? {
        lock.withLock {
            guard txnID == snapshotID, let i = entries.firstIndex(where: { $0.filter == filter }) else { return nil }
            // Repeating the last filter (the common case) leaves the order as it is.
            if i == 0 { return entries[0].entry }
            let hit = entries.remove(at: i)
            entries.insert(hit, at: 0)
            return hit.entry
        }
    }

    /// Remembers `entry` for `filter` on snapshot `txnID` (ignored for snapshots older than the cache's).
    func store(_ entry: Entry, for filter: Filter, txnID: Int) {
        lock.withLock {
            if txnID > snapshotID {
                snapshotID = txnID
                entries.removeAll()
            }
            guard txnID == snapshotID else { return }
            entries.removeAll { $0.filter == filter }
            entries.insert((filter, entry), at: 0)
            if entries.count > Self.capacity { entries.removeLast() }
        }
    }
}
