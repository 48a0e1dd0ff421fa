/// Bounded max-heap keeping the k entries with the SMALLEST distance. Ties broken by smaller id first (deterministic).
///
/// The root of the heap is the worst kept entry (largest distance, then largest id), so a
/// candidate is compared against it in O(1) and replaces it in O(log k).
public struct TopK: Sendable {
    /// The kept entries in max-heap order by rank (worst at index 0).
    @usableFromInline
    var heap: [Neighbor]

    /// The largest number of entries kept.
    public let k: Int

    /// Creates an empty collector that keeps at most `k` entries; `k` must be at least 1.
    public init(k: Int) {
        precondition(k >= 1, "TopK needs k >= 1, got \(k)")
        self.k = k
        heap = []
        heap.reserveCapacity(Swift.min(k, 4096))
    }

    /// The number of entries kept so far (at most `k`).
    public var count: Int { heap.count }

    /// The distance a new entry must beat (strictly less than, or equal with a smaller id) to enter once full; +infinity while not full.
    @inlinable
    public var threshold: Float {
        heap.count < k ? .infinity : heap[0].distance
    }

    /// Offers an entry; it is kept if fewer than `k` are kept or it ranks before the worst kept one.
    @inlinable
    public mutating func insert(id: UInt32, distance: Float) {
        let candidate = Neighbor(id: id, distance: distance)
        if heap.count < k {
            heap.append(candidate)
            siftUp(from: heap.count &- 1)
            return
        }
        guard candidate.ranksBefore(heap[0]) else { return }
        heap[0] = candidate
        siftDown(from: 0)
    }

    /// Entries sorted nearest first (distance ascending, then id ascending).
    public func sorted() -> [Neighbor] {
        heap.sorted { $0.ranksBefore($1) }
    }

    /// Restores heap order after the entry at `index` may have become worse than its parent's rank allows.
    @inlinable
    mutating func siftUp(from index: Int) {
        heap.withUnsafeMutableBufferPointer { buffer in
            var child = index
            let moving = buffer[child]
            while child > 0 {
                let parent = (child &- 1) >> 1
                // A max-heap by rank: a parent must not rank before its child.
                guard buffer[parent].ranksBefore(moving) else { break }
                buffer[child] = buffer[parent]
                child = parent
            }
            buffer[child] = moving
        }
    }

    /// Restores heap order after the entry at `index` was replaced by one that ranks nearer.
    @inlinable
    mutating func siftDown(from index: Int) {
        heap.withUnsafeMutableBufferPointer { buffer in
            let size = buffer.count
            var parent = index
            let moving = buffer[parent]
            while true {
                let left = parent &* 2 &+ 1
                guard left < size else { break }
                let right = left &+ 1
                // Pick the worse child (the one that does not rank before the other).
                var worst = left
                if right < size && buffer[left].ranksBefore(buffer[right]) {
                    worst = right
                }
                guard moving.ranksBefore(buffer[worst]) else { break }
                buffer[parent] = buffer[worst]
                parent = worst
            }
            buffer[parent] = moving
        }
    }
}
