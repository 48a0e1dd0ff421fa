/// The layout of the `codes` database: like `vectors`, fixed-capacity chunks addressed by
/// `id / capacity`, each a live bitmap (padded to 64 bytes) followed by `capacity` codes of
/// `m` bytes, so a snapshot resolves a code by arithmetic on a chunk pointer.
struct CodeChunkLayout: Sendable, Equatable {
    /// Bytes per code.
    let m: Int
    /// Codes per chunk.
    let capacity: Int

    /// A capacity that keeps a chunk near 64 KiB (a multiple of 8 codes, at least 8).
    static func capacity(forCodeBytes m: Int) -> Int {
        max(8, 65_536 / max(1, m) / 8 * 8)
    }

    /// Bytes of the live bitmap.
    var bitmapBytes: Int { ((capacity + 511) / 512) * 64 }
    /// Bytes of a whole chunk.
    var chunkBytes: Int { bitmapBytes + capacity * m }

    /// The chunk holding internal id `id`.
    func chunk(of id: UInt32) -> UInt32 { id / UInt32(capacity) }
    /// The slot of internal id `id` within its chunk.
    func slot(of id: UInt32) -> Int { Int(id % UInt32(capacity)) }
    /// The byte offset of slot `slot`'s code within a chunk.
    func codeOffset(slot: Int) -> Int { bitmapBytes + slot * m }
}
