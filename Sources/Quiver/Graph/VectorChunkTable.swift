import LMDB

/// The `vectors` chunks of one transaction resolved to pointers by one cursor walk, so a
/// vector or a live bit is an index and a multiply away. Valid while the transaction (and its
/// snapshot) lives and no vector chunk is written. Shared by ``GraphSnapshot`` and
/// ``ConcurrentGraphEditor``.
struct VectorChunkTable {
    let layout: VectorChunkLayout
    private let chunks: UnsafeMutablePointer<UnsafeRawPointer?>
    private let count: Int

    /// Resolves the chunks holding ids below `idLimit`. Call ``deallocate()`` when done.
    init(txn: Transaction, database: Database, layout: VectorChunkLayout, idLimit: Int) throws {
        self.layout = layout
        count = (idLimit + layout.capacity - 1) / layout.capacity
        chunks = .allocate(capacity: max(count, 1))
        chunks.initialize(repeating: nil, count: max(count, 1))
        do {
            let cursor = try txn.cursor(database)
            var entry = try cursor.first()
            while let (key, value) = entry {
                if key.count == 4, value.count == layout.chunkBytes {
                    let number = Int(key.loadUnaligned(as: UInt32.self))
                    if number < count { chunks[number] = value.baseAddress }
                }
                entry = try cursor.next()
            }
        } catch {
            chunks.deallocate()
            throw error
        }
    }

    /// Frees the pointer table.
    func deallocate() { chunks.deallocate() }

    /// The stored vector of `id`, or nil when its chunk does not exist.
    @inline(__always)
    func vector(_ id: UInt32) -> UnsafeRawPointer? {
        let number = Int(id) / layout.capacity
        guard number < count, let chunk = chunks[number] else { return nil }
        return chunk + layout.vectorOffset(slot: Int(id) - number * layout.capacity)
    }

    /// Whether `id`'s slot is marked live.
    @inline(__always)
    func isLive(_ id: UInt32) -> Bool {
        let number = Int(id) / layout.capacity
        guard number < count, let chunk = chunks[number] else { return false }
        let slot = Int(id) - number * layout.capacity
        return chunk.load(fromByteOffset: slot >> 3, as: UInt8.self) & (1 << UInt8(slot & 7)) != 0
    }
}
