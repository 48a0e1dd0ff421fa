/// A (distance, id) pair ordered by distance.
struct Candidate {
    var distance: Float
    var id: UInt32
}

/// A binary heap of candidates on reusable storage: a min-heap (`isMax == false`) pops the
/// nearest first, a max-heap the farthest first.
///
/// The storage is a raw buffer that grows by doubling and is never shrunk: a beam search pushes
/// and pops a few hundred times per query, and an array's uniqueness and bounds checks on each
/// were a measurable part of that. Owned by one ``SearchScratch``, which calls ``deallocate()``.
struct CandidateHeap {
    private var heap: UnsafeMutablePointer<Candidate>
    private var capacity: Int
    /// The number of candidates held.
    private(set) var count = 0
    let isMax: Bool

    init(isMax: Bool, capacity: Int = 256) {
        self.isMax = isMax
        self.capacity = max(capacity, 16)
        heap = .allocate(capacity: self.capacity)
    }

    /// Frees the storage; the heap must not be used afterwards.
    func deallocate() { heap.deallocate() }

    var isEmpty: Bool { count == 0 }
    /// The root: the nearest (min-heap) or farthest (max-heap) candidate. The heap must not be empty.
    var top: Candidate { heap[0] }
    /// The candidates in heap order (valid until the next change).
    var elements: UnsafeBufferPointer<Candidate> { UnsafeBufferPointer(start: heap, count: count) }

    mutating func removeAll() { count = 0 }

    @inline(__always)
    private static func before(_ a: Candidate, _ b: Candidate, isMax: Bool) -> Bool {
        isMax ? (a.distance > b.distance || (a.distance == b.distance && a.id > b.id))
            : (a.distance < b.distance || (a.distance == b.distance && a.id < b.id))
    }

    private mutating func grow() {
        let larger = UnsafeMutablePointer<Candidate>.allocate(capacity: capacity * 2)
        larger.moveInitialize(from: heap, count: count)
        heap.deallocate()
        heap = larger
        capacity *= 2
    }

    mutating func push(_ element: Candidate) {
        if count == capacity { grow() }
        let isMax = isMax
        var child = count
        count &+= 1
        while child > 0 {
            let parent = (child &- 1) >> 1
            guard Self.before(element, heap[parent], isMax: isMax) else { break }
            heap[child] = heap[parent]
            child = parent
        }
        heap[child] = element
    }

    /// Removes and returns the root. The heap must not be empty.
    @discardableResult
    mutating func pop() -> Candidate {
        precondition(count > 0, "pop from an empty candidate heap")
        let root = heap[0]
        count &-= 1
        let n = count
        guard n > 0 else { return root }
        let last = heap[n]
        let isMax = isMax
        var parent = 0
        while true {
            let left = parent &* 2 &+ 1
            guard left < n else { break }
            var best = left
            let right = left &+ 1
            if right < n && Self.before(heap[right], heap[left], isMax: isMax) { best = right }
            guard Self.before(heap[best], last, isMax: isMax) else { break }
            heap[parent] = heap[best]
            parent = best
        }
        heap[parent] = last
        return root
    }
}

/// Per-search working memory, reused across searches so a query allocates nothing:
/// a visited set stamped with a generation number, and the two beam heaps.
final class SearchScratch {
    // Exclusive access is guaranteed by the pool (one search per scratch at a time), so the
    // dynamic exclusivity checks class properties would otherwise get are turned off.
    @exclusivity(unchecked) private var marks: UnsafeMutablePointer<UInt32>
    @exclusivity(unchecked) private var capacity: Int
    @exclusivity(unchecked) private var generation: UInt32 = 0
    @exclusivity(unchecked) var candidates = CandidateHeap(isMax: false)
    @exclusivity(unchecked) var results = CandidateHeap(isMax: true)
    /// Nodes marked visited since the last ``reset(idLimit:)``: in a beam search, the nodes whose
    /// vector (or code) was read. Counted for ``Store/searchActivity``.
    @exclusivity(unchecked) private(set) var visitCount = 0
    /// A copy of a stored vector, for distances between two stored vectors.
    var vectorBuffer: UnsafeMutablePointer<Float>
    /// The not-yet-visited neighbours of the node a beam search is expanding.
    let pending: UnsafeMutablePointer<UInt32>
    /// Their vectors, parallel to ``pending`` (found once, for the prefetch, and kept).
    let pendingVectors: UnsafeMutablePointer<UnsafeRawPointer>
    /// Their distances, parallel to ``pending`` (computed four at a time).
    let pendingDistances: UnsafeMutablePointer<Float>
    /// Room in ``pending``: the longest neighbour list (2M at M ≤ 256).
    let pendingCapacity = 512
    let dimension: Int

    init(capacity: Int, dimension: Int) {
        self.capacity = max(capacity, 1024)
        marks = .allocate(capacity: self.capacity)
        marks.initialize(repeating: 0, count: self.capacity)
        self.dimension = dimension
        vectorBuffer = .allocate(capacity: max(dimension, 1))
        vectorBuffer.initialize(repeating: 0, count: max(dimension, 1))
        pending = .allocate(capacity: pendingCapacity)
        pending.initialize(repeating: 0, count: pendingCapacity)
        pendingVectors = .allocate(capacity: pendingCapacity)
        pendingVectors.initialize(repeating: UnsafeRawPointer(pending), count: pendingCapacity)
        pendingDistances = .allocate(capacity: pendingCapacity)
        pendingDistances.initialize(repeating: 0, count: pendingCapacity)
    }

    deinit {
        marks.deallocate()
        vectorBuffer.deallocate()
        pending.deallocate()
        pendingVectors.deallocate()
        pendingDistances.deallocate()
        candidates.deallocate()
        results.deallocate()
    }

    /// Starts a new search over ids below `idLimit`.
    func reset(idLimit: Int) {
        if idLimit > capacity {
            marks.deallocate()
            capacity = max(idLimit, capacity * 2)
            marks = .allocate(capacity: capacity)
            marks.initialize(repeating: 0, count: capacity)
            generation = 0
        }
        generation &+= 1
        if generation == 0 {
            marks.update(repeating: 0, count: capacity)
            generation = 1
        }
        candidates.removeAll()
        results.removeAll()
        visitCount = 0
    }

    /// Marks `id` visited; returns 1 if it was not visited yet, else 0 (ids beyond the limit
    /// count as visited). The same as ``visit(_:)`` without a branch on the mark, for loops
    /// that add the result to a count.
    @inline(__always)
    func markVisited(_ id: UInt32) -> Int {
        let i = Int(id)
        guard i < capacity else { return 0 }
        let fresh = marks[i] != generation ? 1 : 0
        marks[i] = generation
        visitCount &+= fresh
        return fresh
    }

    /// Marks `id` visited; returns false if it already was (ids beyond the limit count as visited).
    @inline(__always)
    func visit(_ id: UInt32) -> Bool {
        let i = Int(id)
        guard i < capacity else { return false }
        if marks[i] == generation { return false }
        marks[i] = generation
        visitCount &+= 1
        return true
    }
}

/// A pool of scratch objects shared by concurrent searches.
final class ScratchPool: @unchecked Sendable {
    private let lock = NSLockShim()
    private var free: [SearchScratch] = []
    let dimension: Int

    init(dimension: Int) {
        self.dimension = dimension
    }

    func withScratch<R>(idLimit: Int, _ body: (SearchScratch) throws -> R) rethrows -> R {
        let scratch = lock.withLock { free.popLast() } ?? SearchScratch(capacity: idLimit, dimension: dimension)
        defer { lock.withLock { if free.count < 16 { free.append(scratch) } } }
        scratch.reset(idLimit: idLimit)
        return try body(scratch)
    }
}
