import LMDB

/// Collects the changes of one write transaction to vector chunks, writing each changed chunk once.
struct ChunkEditor {
    let layout: VectorChunkLayout
    let database: Database
    private var dirty: [UInt32: [UInt8]] = [:]

    init(layout: VectorChunkLayout, database: Database) {
        self.layout = layout
        self.database = database
    }

    /// Runs `body` on the pending copy of chunk `number`, loading it first (or starting an empty one).
    private mutating func edit(_ number: UInt32, txn: Transaction, _ body: (inout [UInt8]) -> Void) throws {
        if dirty[number] == nil { dirty[number] = try loadStored(number, txn: txn) }
        body(&dirty[number, default: []])
    }

    /// A copy of the stored chunk `number`, or a new empty chunk.
    private func loadStored(_ number: UInt32, txn: Transaction) throws -> [UInt8] {
        if let stored = try txn.get(database, key: number) {
            guard stored.count == layout.chunkBytes else {
                throw QuiverError.corruptRecord(
                    database: "vectors", key: "\(number)",
                    reason: "chunk is \(stored.count) bytes, expected \(layout.chunkBytes)")
            }
            return Array(stored)
        }
        return [UInt8](repeating: 0, count: layout.chunkBytes)
    }

    /// Stores `vector` for internal id `id` and marks it live.
    mutating func set(_ id: UInt32, vector: [Float], txn: Transaction) throws {
        let layout = layout
        try edit(layout.chunk(of: id), txn: txn) { layout.set(slot: layout.slot(of: id), vector: vector, in: &$0) }
    }

    /// Marks internal id `id` dead.
    mutating func clear(_ id: UInt32, txn: Transaction) throws {
        let layout = layout
        try edit(layout.chunk(of: id), txn: txn) { layout.clear(slot: layout.slot(of: id), in: &$0) }
    }

    /// The vector of internal id `id` as this transaction would leave it.
    func vector(_ id: UInt32, txn: Transaction) throws -> [Float] {
        let number = layout.chunk(of: id)
        let chunk = try dirty[number] ?? loadStored(number, txn: txn)
        return chunk.withUnsafeBytes { layout.vector(slot: layout.slot(of: id), in: $0) }
    }

    /// Writes every changed chunk.
    mutating func flush(to txn: Transaction) throws {
        for (number, chunk) in dirty {
            try txn.put(database, key: number, reservingCount: chunk.count) { target in
                chunk.withUnsafeBytes { target.copyMemory(from: $0) }
            }
        }
        dirty.removeAll()
    }
}
