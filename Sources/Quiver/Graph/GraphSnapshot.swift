import CVectorKernels
import LMDB

/// Pointers into one committed snapshot of the graph and vectors, resolved once by walking
/// the chunk databases, so a search reaches any node's neighbours and vector by arithmetic.
///
/// Valid only while some read transaction on the same snapshot (`txnID`) is open and the
/// map has not been remapped (`mapGeneration`): committed pages never move or get reused
/// while a reader holds their snapshot. Searches check both before using a cached snapshot.
final class GraphSnapshot: GraphReader, @unchecked Sendable {
    let txnID: Int
    let mapGeneration: Int
    let entry: GraphEntry
    let idLimit: Int
    private let layout: GraphLayout
    private let vectors: VectorChunkTable
    private let graphChunks: UnsafeMutablePointer<UnsafeRawPointer?>
    private let graphChunkCount: Int
    private let upper: [UInt64: UnsafeRawPointer]
    /// The `vectors_sq8` chunks by number (nil when the snapshot does not walk 8-bit copies).
    private let sq8Chunks: UnsafeMutablePointer<UnsafeRawPointer?>?
    private let sq8RecordBytes: Int
    /// The distance on ``sq8Record(_:)`` records, when the snapshot has them.
    let sq8Distance: GraphDistance?

    init(txn: Transaction, mapGeneration: Int, databases: StoreDatabases, layout: GraphLayout,
         vectorLayout: VectorChunkLayout, entry: GraphEntry, idLimit: Int, sq8: SQ8Chunks? = nil) throws {
        txnID = txn.id
        self.mapGeneration = mapGeneration
        self.entry = entry
        self.idLimit = idLimit
        self.layout = layout
        vectors = try VectorChunkTable(txn: txn, database: databases.vectors, layout: vectorLayout, idLimit: idLimit)
        graphChunkCount = (idLimit + layout.capacity - 1) / layout.capacity
        graphChunks = .allocate(capacity: max(graphChunkCount, 1))
        graphChunks.initialize(repeating: nil, count: max(graphChunkCount, 1))
        let chunkCount = (idLimit + vectorLayout.capacity - 1) / vectorLayout.capacity
        let sq8Chunks: UnsafeMutablePointer<UnsafeRawPointer?>? = sq8 == nil ? nil : .allocate(capacity: max(chunkCount, 1))
        sq8Chunks?.initialize(repeating: nil, count: max(chunkCount, 1))
        self.sq8Chunks = sq8Chunks
        sq8RecordBytes = sq8?.layout.recordBytes ?? 0
        sq8Distance = sq8.map { GraphDistance(sq8: $0.layout) }
        var upper: [UInt64: UnsafeRawPointer] = [:]
        do {
            if let sq8, let sq8Chunks {
                try Self.walk(txn.cursor(sq8.database), into: sq8Chunks, count: chunkCount, bytes: sq8.layout.chunkBytes)
            }
            try Self.walk(txn.cursor(databases.graph), into: graphChunks, count: graphChunkCount, bytes: layout.chunkBytes)
            let cursor = try txn.cursor(databases.graphUpper)
            var entry = try cursor.first()
            while let (key, value) = entry {
                if let (id, level) = GraphLayout.decodeUpperKey(key), value.count == layout.upperBytes,
                   let base = value.baseAddress {
                    upper[UInt64(id) << 8 | UInt64(level)] = base
                }
                entry = try cursor.next()
            }
        } catch {
            vectors.deallocate()
            graphChunks.deallocate()
            sq8Chunks?.deallocate()
            throw error
        }
        self.upper = upper
    }

    private static func walk(
        _ cursor: Cursor, into table: UnsafeMutablePointer<UnsafeRawPointer?>, count: Int, bytes: Int
    ) throws {
        var entry = try cursor.first()
        while let (key, value) = entry {
            if key.count == 4, value.count == bytes {
                let number = Int(key.loadUnaligned(as: UInt32.self))
                if number < count { table[number] = value.baseAddress }
            }
            entry = try cursor.next()
        }
    }

    deinit {
        vectors.deallocate()
        graphChunks.deallocate()
        sq8Chunks?.deallocate()
    }

    @inline(__always)
    func vector(_ id: UInt32) -> UnsafeRawPointer? { vectors.vector(id) }

    /// The 8-bit record of `id` (see ``SQ8Layout``), or nil when its chunk does not exist.
    @inline(__always)
    func sq8Record(_ id: UInt32) -> UnsafeRawPointer? {
        guard let sq8Chunks else { return nil }
        let number = Int(id) / vectors.layout.capacity
        guard number * vectors.layout.capacity < idLimit, let chunk = sq8Chunks[number] else { return nil }
        return chunk + (Int(id) - number * vectors.layout.capacity) * sq8RecordBytes
    }

    @inline(__always)
    func isLive(_ id: UInt32) -> Bool { vectors.isLive(id) }

    @inline(__always)
    func prefetchNeighbors(_ id: UInt32) {
        let number = Int(id) / layout.capacity
        guard number < graphChunkCount, let chunk = graphChunks[number] else { return }
        let record = chunk + (Int(id) - number * layout.capacity) * layout.recordBytes
        qv_prefetch(record, Int32((layout.recordBytes + 63) / 64))
    }

    @inline(__always)
    func neighbors(_ id: UInt32, level: Int) -> NeighborList {
        if level == 0 {
            let number = Int(id) / layout.capacity
            guard number < graphChunkCount, let chunk = graphChunks[number] else { return .empty }
            let record = chunk + (Int(id) - number * layout.capacity) * layout.recordBytes
            let header = UInt32(littleEndian: record.loadUnaligned(as: UInt32.self))
            return NeighborList(base: record + 4, count: Int(header & 0xFFFF))
        }
        guard let base = upper[UInt64(id) << 8 | UInt64(level)] else { return .empty }
        let count = Int(UInt32(littleEndian: base.loadUnaligned(as: UInt32.self)))
        return NeighborList(base: base + 4, count: min(count, layout.m))
    }
}

/// The most recent ``GraphSnapshot``, shared by searches on the same snapshot.
final class GraphSnapshotCache: @unchecked Sendable {
    private let lock = NSLockShim()
    private var current: GraphSnapshot?

    /// The cached snapshot if it matches `txn`'s snapshot and map, else a new one built by `make`.
    func snapshot(for txn: Transaction, mapGeneration: Int, make: () throws -> GraphSnapshot) throws -> GraphSnapshot {
        try lock.withLock {
            if let current, current.txnID == txn.id, current.mapGeneration == mapGeneration { return current }
            let fresh = try make()
            current = fresh
            return fresh
        }
    }
}
