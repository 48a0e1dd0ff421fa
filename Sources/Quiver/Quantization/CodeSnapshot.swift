import LMDB

/// Pointers to the `codes` chunks of one committed snapshot, resolved once by a cursor walk,
/// so a search reaches any id's code by arithmetic (as ``GraphSnapshot`` does for vectors).
///
/// Valid only while a read transaction on the same snapshot (`txnID`) is open and the map has
/// not been remapped (`mapGeneration`).
final class CodeSnapshot: @unchecked Sendable {
    let txnID: Int
    let mapGeneration: Int
    let layout: CodeChunkLayout
    private let chunks: UnsafeMutablePointer<UnsafeRawPointer?>
    private let chunkCount: Int

    init(txn: Transaction, mapGeneration: Int, codes: Database, layout: CodeChunkLayout, idLimit: Int) throws {
        txnID = txn.id
        self.mapGeneration = mapGeneration
        self.layout = layout
        chunkCount = max(1, (idLimit + layout.capacity - 1) / layout.capacity)
        chunks = .allocate(capacity: chunkCount)
        chunks.initialize(repeating: nil, count: chunkCount)
        do {
            let cursor = try txn.cursor(codes)
            var entry = try cursor.first()
            while let (key, value) = entry {
                if key.count == 4, value.count == layout.chunkBytes {
                    let number = Int(key.loadUnaligned(as: UInt32.self))
                    if number < chunkCount { chunks[number] = value.baseAddress }
                }
                entry = try cursor.next()
            }
        } catch {
            chunks.deallocate()
            throw error
        }
    }

    deinit { chunks.deallocate() }

    /// The code of `id` if it has a live one, else nil.
    @inline(__always)
    func code(_ id: UInt32) -> UnsafeRawPointer? {
        let number = Int(id) / layout.capacity
        guard number < chunkCount, let chunk = chunks[number] else { return nil }
        let slot = Int(id) - number * layout.capacity
        guard chunk.load(fromByteOffset: slot >> 3, as: UInt8.self) & (1 << UInt8(slot & 7)) != 0 else { return nil }
        return chunk + layout.codeOffset(slot: slot)
    }

    /// Calls `body` with every id that has a live code and the code, in id order.
    func forEachCode(_ body: (UInt32, UnsafeRawPointer) -> Void) {
        for number in 0..<chunkCount {
            guard let chunk = chunks[number] else { continue }
            let first = UInt32(number * layout.capacity)
            var word = 0
            while word * 64 < layout.capacity {
                var bits = chunk.loadUnaligned(fromByteOffset: word * 8, as: UInt64.self).littleEndian
                while bits != 0 {
                    let slot = word * 64 + bits.trailingZeroBitCount
                    bits &= bits &- 1
                    if slot < layout.capacity { body(first &+ UInt32(slot), chunk + layout.codeOffset(slot: slot)) }
                }
                word += 1
            }
        }
    }
}
