/// Where a node's neighbour lists live in LMDB.
///
/// Level 0 (every node has one) is stored in id-addressed chunks in the `graph` database:
/// chunk `id / capacity`, a fixed-size record per node, so a reader reaches a node's list by
/// pointer arithmetic on the chunk. A record is `u32 header` (low 16 bits: neighbour count,
/// bits 16–23: the node's top level, bit 31: node present) followed by `2M` `u32` ids.
/// Upper levels (about 1 node in M has any) are one value per (node, level) in `graph_upper`:
/// key `u32 id (big-endian) ‖ u8 level`, value `u32 count` then `M` `u32` ids.
struct GraphLayout: Sendable, Equatable {
    let m: Int
    /// Node records per level-0 chunk.
    let capacity: Int

    init(m: Int) {
        self.m = m
        // As many records as fit in one 4 KiB LMDB overflow page (4,096 − 16 bytes of page
        // header): 30 nodes at M = 16. Back-links touch random nodes, so an upsert of n
        // documents rewrites up to n·M chunks; small chunks keep that write volume (and the
        // fsync) small. 32 KiB chunks made a batch of 100 into 100,000 rewrite 14 MB.
        let record = 4 + 8 * m
        self.capacity = max(8, (4_096 - 16) / record)
    }

    /// Bytes of one level-0 record.
    var recordBytes: Int { 4 + 8 * m }
    /// Bytes of one level-0 chunk.
    var chunkBytes: Int { capacity * recordBytes }
    /// Bytes of one upper-level list value.
    var upperBytes: Int { 4 + 4 * m }

    func chunk(of id: UInt32) -> UInt32 { id / UInt32(capacity) }
    func recordOffset(of id: UInt32) -> Int { Int(id % UInt32(capacity)) * recordBytes }

    static let presentBit: UInt32 = 1 << 31

    /// The `graph_upper` key of (id, level): big-endian id then the level, so one node's levels sort together.
    static func upperKey(id: UInt32, level: Int) -> [UInt8] {
        let be = id.bigEndian
        return withUnsafeBytes(of: be) { Array($0) } + [UInt8(level)]
    }

    /// Decodes an upper key into (id, level).
    static func decodeUpperKey(_ key: UnsafeRawBufferPointer) -> (id: UInt32, level: Int)? {
        guard key.count == 5 else { return nil }
        let id = UInt32(bigEndian: key.loadUnaligned(as: UInt32.self))
        return (id, Int(key[4]))
    }
}

/// The graph's entry point and top level, kept in `meta` under `graph_entry`.
struct GraphEntry: Equatable, Sendable {
    /// The entry node, or nil for an empty graph.
    var node: UInt32?
    /// The entry node's top level (−1 for an empty graph).
    var level: Int

    static let empty = GraphEntry(node: nil, level: -1)

    var bytes: [UInt8] {
        var out = [UInt8]()
        withUnsafeBytes(of: (node ?? UInt32.max).littleEndian) { out += $0 }
        withUnsafeBytes(of: Int32(level).littleEndian) { out += $0 }
        return out
    }

    init(node: UInt32?, level: Int) {
        self.node = node
        self.level = level
    }

    init(bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 8 else {
            self = .empty
            return
        }
        let raw = UInt32(littleEndian: bytes.loadUnaligned(as: UInt32.self))
        let level = Int(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: Int32.self)))
        self.init(node: raw == UInt32.max ? nil : raw, level: raw == UInt32.max ? -1 : level)
    }
}
