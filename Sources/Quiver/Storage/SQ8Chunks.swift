import LMDB

/// The `vectors_sq8` database of a store with its layout (see ``SQ8Layout``).
///
/// Stores created by this build have it from the start. A store made before it existed gets it
/// the first time it is opened writable: created and filled from the `vectors` chunks in one
/// transaction, so a store either has an 8-bit copy of every vector or has none (opened
/// read-only, such a store searches with full vectors throughout). The same happens when a
/// build without it wrote to the store in between (its counters no longer match
/// ``MetaKey/sq8Counters``).
struct SQ8Chunks: Sendable {
    static let name = "vectors_sq8"

    let layout: SQ8Layout
    let database: Database

    /// A copy of the stored chunk `number`, or a new zeroed chunk.
    func loadStored(_ number: UInt32, txn: Transaction) throws -> [UInt8] {
        try ChunkEditor.loadStored(number, from: database, named: Self.name, chunkBytes: layout.chunkBytes, txn: txn)
    }

    /// Creates the database inside a new store's first transaction.
    static func create(txn: Transaction, layout: SQ8Layout) throws -> SQ8Chunks {
        SQ8Chunks(layout: layout, database: try txn.openDatabase(name, flags: .integerKey, create: true))
    }

    /// Opens the database of an existing store. When it is missing, or a build that does not keep
    /// it has written to the store since (``MetaKey/sq8Counters``): nil for a read-only store,
    /// otherwise it is (re)created and filled from `vectors` in one transaction.
    static func open(
        _ environment: Environment, meta: Database, vectors: Database, vectorLayout: VectorChunkLayout,
        layout: SQ8Layout, readOnly: Bool
    ) throws -> SQ8Chunks? {
        do {
            let database = try environment.openDatabase(name, flags: .integerKey, create: false)
            let inStep = try environment.read { txn in
                try MetaCounters.read(from: txn, meta: meta).matchesSQ8Mark(in: txn, meta: meta)
            }
            if inStep { return SQ8Chunks(layout: layout, database: database) }
            if readOnly { return nil }
        } catch let error as LMDBError where error.isNotFound {
            if readOnly { return nil }
        }
        return try environment.write { txn in
            let chunks = SQ8Chunks(layout: layout, database: try txn.openDatabase(name, flags: .integerKey, create: true))
            try txn.empty(chunks.database)
            try chunks.fill(from: vectors, vectorLayout: vectorLayout, txn: txn)
            try MetaCounters.read(from: txn, meta: meta).writeSQ8Mark(to: txn, meta: meta)
            return chunks
        }
    }

    /// Writes the 8-bit chunk of every `vectors` chunk in `txn` (live slots encoded, others zero).
    func fill(from vectors: Database, vectorLayout: VectorChunkLayout, txn: Transaction) throws {
        let cursor = try txn.cursor(vectors)
        var entry = try cursor.first()
        var chunk = [UInt8](repeating: 0, count: layout.chunkBytes)
        while let (key, value) = entry {
            guard key.count == 4, value.count == vectorLayout.chunkBytes else {
                throw QuiverError.corruptRecord(
                    database: "vectors", key: "\(key.count == 4 ? key.loadUnaligned(as: UInt32.self) : 0)",
                    reason: "chunk is \(value.count) bytes, expected \(vectorLayout.chunkBytes)")
            }
            let number = key.loadUnaligned(as: UInt32.self)
            encodeChunk(value, vectorLayout: vectorLayout, into: &chunk)
            try txn.put(database, key: number, value: chunk)
            entry = try cursor.next()
        }
    }

    /// Encodes the live vectors of the `vectors` chunk bytes `source` into `target` (others zeroed).
    func encodeChunk(_ source: UnsafeRawBufferPointer, vectorLayout: VectorChunkLayout, into target: inout [UInt8]) {
        let layout = layout
        target.withUnsafeMutableBytes { out in
            guard let base = out.baseAddress, let src = source.baseAddress else { return }
            out.initializeMemory(as: UInt8.self, repeating: 0)
            for slot in 0..<layout.capacity where vectorLayout.isLive(slot: slot, in: source) {
                let vector = UnsafeBufferPointer(
                    start: (src + vectorLayout.vectorOffset(slot: slot)).assumingMemoryBound(to: Float.self),
                    count: layout.dimension)
                layout.encode(vector, into: base + layout.recordOffset(slot: slot))
            }
        }
    }
}
