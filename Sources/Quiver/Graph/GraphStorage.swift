import VectorMath

/// A node's neighbour ids as stored: `count` little-endian `u32` values at `base`.
struct NeighborList {
    let base: UnsafeRawPointer?
    let count: Int

    static var empty: NeighborList { NeighborList(base: nil, count: 0) }

    @inline(__always)
    subscript(index: Int) -> UInt32 {
        // Bounds are the caller's loop; base is non-nil whenever count > 0.
        UInt32(littleEndian: base.unsafelyUnwrapped.loadUnaligned(fromByteOffset: index &* 4, as: UInt32.self))
    }

    var ids: [UInt32] { (0..<count).map { self[$0] } }

    /// Whether `id` is in the list.
    func contains(_ id: UInt32) -> Bool {
        for i in 0..<count where self[i] == id { return true }
        return false
    }

    /// Appends to `dropped` a link from `owner` to every id of this list (`owner`'s) that
    /// `replacement` leaves out.
    func appendDropped(owner: UInt32, replacedBy replacement: [UInt32], to dropped: inout [DroppedLink]) {
        for i in 0..<count where !replacement.contains(self[i]) { dropped.append(DroppedLink(from: owner, to: self[i])) }
    }
}

/// A level-0 link a write removed: `from` no longer lists `to`.
struct DroppedLink: Hashable, Sendable {
    let from: UInt32
    let to: UInt32
}

/// Read access to a graph and its vectors, as the HNSW algorithms need it.
///
/// Implemented by a read snapshot (search) and by the write-transaction editor (insert, repair).
protocol GraphReader {
    /// The vector of `id`, or nil if the id has none.
    func vector(_ id: UInt32) -> UnsafeRawPointer?
    /// The neighbours of `id` on `level` (empty when the node has no list there).
    func neighbors(_ id: UInt32, level: Int) -> NeighborList
    /// Whether `id` is a live document (not deleted or replaced).
    func isLive(_ id: UInt32) -> Bool
    /// Calls `body` with the neighbours of `id` on `level`, guarded against concurrent
    /// changes where the graph has any (the parallel build); the list is valid only inside `body`.
    func withNeighbors<R>(_ id: UInt32, level: Int, _ body: (NeighborList) -> R) -> R
    /// Starts loading the level-0 neighbour list of `id`, to be read soon (a hint; may do nothing).
    func prefetchNeighbors(_ id: UInt32)
}

extension GraphReader {
    /// Graphs without a cheap address for a list ignore the hint.
    func prefetchNeighbors(_ id: UInt32) {}
}

extension GraphReader {
    /// Unguarded: snapshots are immutable and the sequential editor has one thread.
    @inline(__always)
    func withNeighbors<R>(_ id: UInt32, level: Int, _ body: (NeighborList) -> R) -> R {
        body(neighbors(id, level: level))
    }
}

/// A graph the HNSW insertion can change: the sequential ``GraphEditor`` of a write
/// transaction, or the ``ConcurrentGraphEditor`` that several threads insert into at once.
protocol GraphWriter: GraphReader {
    /// One past the largest id the graph may hold.
    var idLimit: Int { get }
    /// Whether `id` is a node of the graph.
    func isPresent(_ id: UInt32) -> Bool
    /// Replaces the neighbours of `id` on `level` (at most the level's maximum degree are kept).
    func setNeighbors(_ id: UInt32, level: Int, _ ids: [UInt32])
    /// Replaces the neighbours of `id` on `level` by what `transform` returns for the current
    /// ones (nil: leave them), as one step no other thread can interleave with.
    func updateNeighbors(_ id: UInt32, level: Int, _ transform: (NeighborList) -> [UInt32]?)
}

extension GraphWriter {
    func updateNeighbors(_ id: UInt32, level: Int, _ transform: (NeighborList) -> [UInt32]?) {
        if let ids = transform(neighbors(id, level: level)) { setNeighbors(id, level: level, ids) }
    }
}

/// The distance used for graph decisions: lower is nearer (`−dot` for cosine/dot, squared L2 for l2).
struct GraphDistance: Sendable {
    let metric: Metric
    let dimension: Int
    private let kernel: Kernels.Distance
    private let kernel4: Kernels.Distance4?
    private let negates: Bool
    /// Cache lines of a vector a graph search prefetches ahead of its distance: the whole of a
    /// 128-d vector, the first 512 bytes of a longer one (the hardware prefetcher follows the
    /// kernel's stream). Prefetching all 24 lines of a 384-d vector for each of a node's
    /// neighbours at once was 3–10% slower on synth384 (interleaved, ef 16).
    let prefetchLines: Int32

    init(metric: Metric, dimension: Int) {
        self.metric = metric
        self.dimension = dimension
        negates = metric != .l2
        kernel = negates ? Kernels.dotKernel() : Kernels.squaredL2Kernel()
        kernel4 = negates ? Kernels.dotKernel4() : Kernels.squaredL2Kernel4()
        prefetchLines = Int32(min((dimension &* 4 &+ 63) / 64, 8))
    }

    /// The distance on a store's 8-bit records (``SQ8Layout``): the records fold the metric in,
    /// so the kernel's value is already "lower is nearer".
    init(sq8 layout: SQ8Layout) {
        metric = layout.metric
        dimension = layout.dimension
        negates = false
        kernel = Kernels.sq8Kernel()
        kernel4 = Kernels.sq8Kernel4()
        prefetchLines = Int32(min((layout.recordBytes &+ 63) / 64, 8))
    }

    /// The distances from `query` to the `count` vectors at `vectors`, into `out`: four at a
    /// time, then the rest one by one.
    @inline(__always)
    func distances(
        _ query: UnsafePointer<Float>, _ vectors: UnsafePointer<UnsafeRawPointer>, count: Int, into out: UnsafeMutablePointer<Float>
    ) {
        var j = 0
        while j &+ 4 <= count {
            four(query, vectors + j, into: out + j)
            j &+= 4
        }
        while j < count {
            out[j] = self(query, vectors[j])
            j &+= 1
        }
    }

    /// The distances from `query` to the four vectors at `vectors`, into `out[0..<4]`: the same
    /// values as four calls, computed together where the CPU has a four-at-once kernel.
    @inline(__always)
    func four(_ query: UnsafePointer<Float>, _ vectors: UnsafePointer<UnsafeRawPointer>, into out: UnsafeMutablePointer<Float>) {
        if let kernel4 {
            kernel4(query, vectors[0], vectors[1], vectors[2], vectors[3], dimension, out)
            if negates { for i in 0..<4 { out[i] = -out[i] } }
        } else {
            for i in 0..<4 { out[i] = self(query, vectors[i]) }
        }
    }

    @inline(__always)
    func callAsFunction(_ query: UnsafePointer<Float>, _ vector: UnsafeRawPointer) -> Float {
        let raw = kernel(query, vector, dimension)
        return negates ? -raw : raw
    }

    /// `d` scaled by `alpha` in a non-negative form of the distance (for the relaxed pruning rule
    /// of DiskANN's RobustPrune): `1 − cos` for cosine, squared L2 for l2; inner products are left as they are.
    @inline(__always)
    func relaxed(_ d: Float, by alpha: Float) -> Float {
        switch metric {
        case .cosine: (1 + d) * alpha
        case .l2: d * alpha * alpha
        case .dot: d
        }
    }

    /// The distance between two stored vectors (copies the first into `scratch`).
    @inline(__always)
    func between(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, scratch: UnsafeMutablePointer<Float>) -> Float {
        UnsafeMutableRawPointer(scratch).copyMemory(from: a, byteCount: dimension &* 4)
        return self(scratch, b)
    }
}
