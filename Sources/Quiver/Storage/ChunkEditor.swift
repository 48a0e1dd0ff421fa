import LMDB

/// Collects the changes of one write transaction to vector chunks (and their 8-bit copies,
/// when the store keeps them), writing each changed chunk once.
struct ChunkEditor {
    let layout: VectorChunkLayout
    let database: Database
    /// The `vectors_sq8` database and its layout, or nil when the store keeps no 8-bit copies.
    let sq8: SQ8Chunks?
    private var dirty: [UInt32: [UInt8]] = [:]
    private var dirtySQ8: [UInt32: [UInt8]] = [:]

    init(layout: VectorChunkLayout, database: Database, sq8: SQ8Chunks?) {
        self.layout = layout
        self.database = database
        self.sq8 = sq8
    }

    /// Runs `body` on the pending copy of chunk `number`, loading it first (or starting an empty one).
    private mutating func edit(_ number: UInt32, txn: Transaction, _ body: (inout [UInt8]) -> Void) throws {
        if dirty[number] == nil { dirty[number] = try loadStored(number, txn: txn) }
        body(&dirty[number, default: []])
    }

    /// A copy of the stored chunk `number`, or a new empty chunk.
    private func loadStored(_ number: UInt32, txn: Transaction) throws -> [UInt8] {
        try Self.loadStored(number, from: database, named: "vectors", chunkBytes: layout.chunkBytes, txn: txn)
    }

    /// A copy of chunk `number` of `database` (called `name` in errors), which must be
    /// `chunkBytes` long, or a new zeroed chunk when there is none.
    static func loadStored(
        _ number: UInt32, from database: Database, named name: String, chunkBytes: Int, txn: Transaction
    ) throws -> [UInt8] {
        if let stored = try txn.get(database, key: number) {
            guard stored.count == chunkBytes else {
                throw QuiverError.corruptRecord(
                    database: name, key: "\(number)", reason: "chunk is \(stored.count) bytes, expected \(chunkBytes)")
            }
            return Array(stored)
        }
        return [UInt8](repeating: 0, count: chunkBytes)
    }

    /// Runs `body` on the pending copy of 8-bit chunk `number` (if the store keeps them).
    private mutating func editSQ8(_ number: UInt32, txn: Transaction, _ body: (SQ8Layout, inout [UInt8]) -> Void) throws {
        guard let sq8 else { return }
        if dirtySQ8[number] == nil { dirtySQ8[number] = try sq8.loadStored(number, txn: txn) }
        body(sq8.layout, &dirtySQ8[number, default: []])
    }

    /// Stores `vector` for internal id `id` and marks it live.
    mutating func set(_ id: UInt32, vector: [Float], txn: Transaction) throws {
        let layout = layout
        let number = layout.chunk(of: id), slot = layout.slot(of: id)
        try edit(number, txn: txn) { layout.set(slot: slot, vector: vector, in: &$0) }
        try editSQ8(number, txn: txn) { sq8, chunk in
            vector.withUnsafeBufferPointer { v in
                chunk.withUnsafeMutableBytes { bytes in
                    if let base = bytes.baseAddress { sq8.encode(v, into: base + sq8.recordOffset(slot: slot)) }
                }
            }
        }
    }

    /// Marks internal id `id` dead.
    mutating func clear(_ id: UInt32, txn: Transaction) throws {
        let layout = layout
        let number = layout.chunk(of: id), slot = layout.slot(of: id)
        try edit(number, txn: txn) { layout.clear(slot: slot, in: &$0) }
        try editSQ8(number, txn: txn) { sq8, chunk in
            let offset = sq8.recordOffset(slot: slot)
            for i in offset..<(offset + sq8.recordBytes) { chunk[i] = 0 }
        }
    }

    /// The vector of internal id `id` as this transaction would leave it.
    func vector(_ id: UInt32, txn: Transaction) throws -> [Float] {
        let number = layout.chunk(of: id)
        let chunk = try dirty[number] ?? loadStored(number, txn: txn)
        return chunk.withUnsafeBytes { layout.vector(slot: layout.slot(of: id), in: $0) }
    }

    /// Writes every changed chunk.
    mutating func flush(to txn: Transaction) throws {
        for (number, chunk) in dirty { try Self.put(chunk, key: number, in: database, txn: txn) }
        if let sq8 { for (number, chunk) in dirtySQ8 { try Self.put(chunk, key: number, in: sq8.database, txn: txn) } }
        dirty.removeAll()
        dirtySQ8.removeAll()
    }

    private static func put(_ chunk: [UInt8], key: UInt32, in database: Database, txn: Transaction) throws {
        try txn.put(database, key: key, reservingCount: chunk.count) { target in
            chunk.withUnsafeBytes { target.copyMemory(from: $0) }
        }
    }
}
