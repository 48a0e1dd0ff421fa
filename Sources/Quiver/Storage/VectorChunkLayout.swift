/// The layout of the `vectors` database: fixed-capacity chunks addressed by `id / capacity`.
///
/// A chunk is one LMDB value: a live-slot bitmap (padded to 64 bytes) followed by
/// `capacity` vectors of `dimension` little-endian Float32. Keeping many vectors in one
/// value makes an exact scan a walk over contiguous memory (one cursor step per chunk)
/// instead of one B-tree lookup per vector; see docs/storage-format.md.
struct VectorChunkLayout: Sendable, Equatable {
    let dimension: Int
    let capacity: Int

    /// Chooses a capacity that keeps a chunk near 64 KiB (a multiple of 8 vectors, at least 8).
    static func capacity(forDimension dimension: Int) -> Int {
        let target = 65_536 / max(1, dimension * 4)
        return max(8, target / 8 * 8)
    }

    /// Bytes of the live bitmap, padded so the vectors start 64-byte aligned relative to the value.
    var bitmapBytes: Int { ((capacity + 511) / 512) * 64 }
    /// Bytes of one vector.
    var vectorBytes: Int { dimension * 4 }
    /// Bytes of a whole chunk.
    var chunkBytes: Int { bitmapBytes + capacity * vectorBytes }

    /// The chunk holding internal id `id`.
    func chunk(of id: UInt32) -> UInt32 { id / UInt32(capacity) }
    /// The slot of internal id `id` within its chunk.
    func slot(of id: UInt32) -> Int { Int(id % UInt32(capacity)) }
    /// The byte offset of slot `slot`'s vector within a chunk.
    func vectorOffset(slot: Int) -> Int { bitmapBytes + slot * vectorBytes }

    /// Whether `slot` is live in the chunk bytes `chunk`.
    func isLive(slot: Int, in chunk: UnsafeRawBufferPointer) -> Bool {
        chunk[slot >> 3] & (1 << UInt8(slot & 7)) != 0
    }
}

extension VectorChunkLayout {
    /// Marks `slot` live and stores `vector` there, in a mutable copy of a chunk.
    func set(slot: Int, vector: [Float], in chunk: inout [UInt8]) {
        chunk[slot >> 3] |= 1 << UInt8(slot & 7)
        let offset = vectorOffset(slot: slot)
        chunk.withUnsafeMutableBytes { bytes in
            for (i, x) in vector.enumerated() {
                bytes.storeBytes(of: x.bitPattern.littleEndian, toByteOffset: offset + i * 4, as: UInt32.self)
            }
        }
    }

    /// Marks `slot` dead (its vector bytes are zeroed) in a mutable copy of a chunk.
    func clear(slot: Int, in chunk: inout [UInt8]) {
        chunk[slot >> 3] &= ~(1 << UInt8(slot & 7))
        let offset = vectorOffset(slot: slot)
        for i in offset..<(offset + vectorBytes) { chunk[i] = 0 }
    }

    /// Reads the vector at `slot` from chunk bytes.
    func vector(slot: Int, in chunk: UnsafeRawBufferPointer) -> [Float] {
        let offset = vectorOffset(slot: slot)
        return (0..<dimension).map { i in
            Float(bitPattern: UInt32(littleEndian: chunk.loadUnaligned(fromByteOffset: offset + i * 4, as: UInt32.self)))
        }
    }
}
