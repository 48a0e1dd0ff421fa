import VectorMath

/// The layout of the `vectors_sq8` database: 8-bit copies of the vectors that graph searches
/// walk with (a quarter of the bytes per distance), re-ranking their beam with the full vectors.
///
/// Chunks are numbered like the `vectors` chunks (same capacity, so chunk `n` holds the same ids)
/// and hold `capacity` records of ``recordBytes`` bytes, no bitmap (liveness is the vectors').
/// A record is `scale`, `bias` (little-endian Float32) and `dimension` int8 components `c`:
/// each vector is quantized symmetrically against its own largest magnitude, `x ≈ s·c` with
/// `s = max|xᵢ| / 127`, so there is nothing to train and a record never changes once written.
/// The metric is folded into `scale` and `bias` so that one kernel gives "lower is nearer":
/// `bias + scale · ⟨q, c⟩` is `−s⟨q, c⟩` (≈ −⟨q, x⟩) for cosine and dot, and
/// `‖x̂‖² − 2s⟨q, c⟩` (≈ ‖q − x‖² − ‖q‖²) for l2. See docs/storage-format.md.
struct SQ8Layout: Sendable, Equatable {
    let dimension: Int
    let capacity: Int
    let metric: Metric

    init(vectors: VectorChunkLayout, metric: Metric) {
        dimension = vectors.dimension
        capacity = vectors.capacity
        self.metric = metric
    }

    /// Bytes of one record.
    var recordBytes: Int { Kernels.sq8HeaderBytes + dimension }
    /// Bytes of a whole chunk.
    var chunkBytes: Int { capacity * recordBytes }
    /// The byte offset of slot `slot`'s record within a chunk.
    func recordOffset(slot: Int) -> Int { slot * recordBytes }

    /// Writes the record of `vector` at `record` (``recordBytes`` bytes).
    func encode(_ vector: UnsafeBufferPointer<Float>, into record: UnsafeMutableRawPointer) {
        var largest: Float = 0
        for x in vector { largest = max(largest, abs(x)) }
        let step = largest > 0 ? largest / 127 : 1
        let components = (record + Kernels.sq8HeaderBytes).assumingMemoryBound(to: Int8.self)
        var norm: Float = 0
        for i in 0..<dimension {
            let c = max(-127, min(127, (vector[i] / step).rounded()))
            components[i] = Int8(c)
            norm += c * c
        }
        let scale: Float, bias: Float
        switch metric {
        case .cosine, .dot: (scale, bias) = (-step, 0)
        case .l2: (scale, bias) = (-2 * step, norm * step * step)
        }
        record.storeBytes(of: scale.bitPattern.littleEndian, as: UInt32.self)
        record.storeBytes(of: bias.bitPattern.littleEndian, toByteOffset: 4, as: UInt32.self)
    }

    /// The record of `vector` as bytes.
    func record(of vector: UnsafeBufferPointer<Float>) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: recordBytes)
        bytes.withUnsafeMutableBytes { if let base = $0.baseAddress { encode(vector, into: base) } }
        return bytes
    }
}
