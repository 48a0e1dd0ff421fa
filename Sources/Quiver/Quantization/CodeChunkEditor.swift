import LMDB

/// Collects one write transaction's changes to `codes` chunks and writes each changed chunk once.
struct CodeChunkEditor {
    let layout: CodeChunkLayout
    let database: Database
    private var dirty: [UInt32: [UInt8]] = [:]

    init(layout: CodeChunkLayout, database: Database) {
        self.layout = layout
        self.database = database
    }

    private mutating func edit(_ number: UInt32, txn: Transaction, _ body: (inout [UInt8]) -> Void) throws {
        if dirty[number] == nil {
            if let stored = try txn.get(database, key: number) {
                guard stored.count == layout.chunkBytes else {
                    throw QuiverError.corruptRecord(
                        database: "codes", key: "\(number)",
                        reason: "chunk is \(stored.count) bytes, expected \(layout.chunkBytes)")
                }
                dirty[number] = Array(stored)
            } else {
                dirty[number] = [UInt8](repeating: 0, count: layout.chunkBytes)
            }
        }
        body(&dirty[number, default: []])
    }

    /// Stores the `m`-byte `code` for `id` and marks it live.
    mutating func set(_ id: UInt32, code: UnsafeRawBufferPointer, txn: Transaction) throws {
        let layout = layout
        try edit(layout.chunk(of: id), txn: txn) { chunk in
            let slot = layout.slot(of: id)
            chunk[slot >> 3] |= 1 << UInt8(slot & 7)
            let offset = layout.codeOffset(slot: slot)
            for j in 0..<layout.m { chunk[offset + j] = code[j] }
        }
    }

    /// Marks `id`'s code dead (zeroing it), if its chunk exists.
    mutating func clear(_ id: UInt32, txn: Transaction) throws {
        let number = layout.chunk(of: id)
        if dirty[number] == nil, try txn.get(database, key: number) == nil { return }
        let layout = layout
        try edit(number, txn: txn) { chunk in
            let slot = layout.slot(of: id)
            chunk[slot >> 3] &= ~(1 << UInt8(slot & 7))
            let offset = layout.codeOffset(slot: slot)
            for j in 0..<layout.m { chunk[offset + j] = 0 }
        }
    }

    /// Writes every changed chunk.
    mutating func flush(to txn: Transaction) throws {
        for number in dirty.keys.sorted() {
            guard let chunk = dirty[number] else { continue }
            try txn.put(database, key: number, reservingCount: chunk.count) { target in
                chunk.withUnsafeBytes { target.copyMemory(from: $0) }
            }
        }
        dirty.removeAll()
    }
}
