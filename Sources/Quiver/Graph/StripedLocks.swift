import Synchronization

/// A fixed set of mutexes shared out by id: node `id` is guarded by lock `id mod count`.
///
/// The parallel build guards every neighbour list with one of these, as hnswlib guards each
/// element's links with its own mutex; striping keeps the memory bounded whatever the graph's
/// size, at the price of rare false sharing between two nodes on the same stripe. Callers hold
/// at most one stripe at a time, so stripes can never deadlock.
final class StripedLocks: @unchecked Sendable {
    private let locks: UnsafeMutablePointer<Mutex<Void>>
    private let mask: Int

    /// Creates `2^log2Count` locks.
    init(log2Count: Int = 14) {
        let count = 1 << log2Count
        mask = count - 1
        locks = .allocate(capacity: count)
        for i in 0..<count { (locks + i).initialize(to: Mutex(())) }
    }

    deinit {
        locks.deinitialize(count: mask + 1)
        locks.deallocate()
    }

    /// Runs `body` holding the lock of `id`.
    @inline(__always)
    func withLock<R>(_ id: UInt32, _ body: () -> R) -> R {
        locks[Int(id) & mask].withLock { _ in body() }
    }
}
