import LMDB
import VectorMath

/// Brute-force k-nearest-neighbour search over every live vector in a snapshot.
///
/// Walks the `vectors` chunks with one cursor, reads each chunk's live bitmap a
/// 64-bit word at a time and computes distances on the memory-mapped vectors in
/// place: no copies, no allocation per vector.
struct ExactScan {
    let layout: VectorChunkLayout
    let metric: Metric

    /// The `k` live ids nearest to `query` (already normalised for `.cosine`), nearest first,
    /// with distances where lower is nearer (`−dot` for `.cosine`/`.dot`, squared L2 for `.l2`),
    /// and the number of vectors scored.
    func nearest(to query: [Float], k: Int, vectors: Database, txn: Transaction) throws -> (neighbors: [Neighbor], scored: Int) {
        var heap = TopK(k: k)
        var scored = 0
        let cursor = try txn.cursor(vectors)
        let capacity = layout.capacity
        let dimension = layout.dimension
        let isDot = metric != .l2
        let kernel = isDot ? Kernels.dotKernel() : Kernels.squaredL2Kernel()
        try query.withUnsafeBufferPointer { q in
            guard let qp = q.baseAddress else { return }
            var entry = try cursor.first()
            while let (key, chunk) = entry {
                guard key.count == 4, chunk.count == layout.chunkBytes, let base = chunk.baseAddress else {
                    throw QuiverError.corruptRecord(database: "vectors", key: "\(key.count)-byte key", reason: "bad chunk")
                }
                let firstID = key.loadUnaligned(as: UInt32.self) &* UInt32(capacity)
                let vectorsBase = base + layout.bitmapBytes
                var wordIndex = 0
                while wordIndex * 64 < capacity {
                    var word = chunk.loadUnaligned(fromByteOffset: wordIndex * 8, as: UInt64.self).littleEndian
                    while word != 0 {
                        let bit = word.trailingZeroBitCount
                        word &= word &- 1
                        let slot = wordIndex * 64 + bit
                        let v = vectorsBase + slot * dimension * 4
                        let raw = kernel(qp, v, dimension)
                        scored &+= 1
                        let distance = isDot ? -raw : raw
                        // The threshold is +infinity until the heap holds k entries.
                        if distance <= heap.threshold {
                            heap.insert(id: firstID &+ UInt32(slot), distance: distance)
                        }
                    }
                    wordIndex += 1
                }
                entry = try cursor.next()
            }
        }
        return (heap.sorted(), scored)
    }
}
