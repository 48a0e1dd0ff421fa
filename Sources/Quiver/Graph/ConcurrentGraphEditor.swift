import CVectorKernels
import Synchronization
import Foundation
import LMDB

/// The graph of one write transaction copied into memory, so several threads can insert a
/// large batch at once; ``flush(into:databases:)`` then writes back only what changed.
///
/// Level 0 is held as one contiguous buffer laid out exactly like the `graph` database's
/// chunks, and upper-level lists in one arena, so loading and writing back are plain copies
/// of whole chunks. Every list is read and changed only under its node's stripe of
/// ``StripedLocks`` (``withNeighbors(_:level:_:)``, ``setNeighbors(_:level:_:)``,
/// ``updateNeighbors(_:level:_:)``). Vectors are read in place from the transaction, through
/// chunk pointers resolved once here: they must already be written and are not written again
/// until the editor is flushed. Nodes are never removed here (deletions are repaired by the
/// sequential ``GraphEditor`` first).
final class ConcurrentGraphEditor: GraphWriter, @unchecked Sendable {
    let idLimit: Int
    private let layout: GraphLayout
    private let chunkCount: Int
    private let level0: UnsafeMutableRawPointer
    private let storedChunks: UnsafeMutablePointer<UnsafeRawPointer?>
    private let vectors: VectorChunkTable
    private let upperArena: UnsafeMutableRawPointer
    /// Upper-level lists by `id << 8 | level`: the dictionary is fixed after init, the lists change.
    private let upper: [UInt64: UnsafeMutableRawPointer]
    private let storedUpper: [UInt64: UnsafeRawPointer]
    private let locks = StripedLocks()
    private let dropped = Mutex<[DroppedLink]>([])

    /// Copies the graph of `txn` and adds empty nodes for `newNodes` (ids not yet in the graph,
    /// with their top levels).
    init(
        txn: Transaction, databases: StoreDatabases, layout: GraphLayout, vectorLayout: VectorChunkLayout,
        idLimit: Int, newNodes: [(id: UInt32, level: Int)]
    ) throws {
        self.idLimit = idLimit
        self.layout = layout
        chunkCount = (idLimit + layout.capacity - 1) / layout.capacity
        level0 = .allocate(byteCount: max(chunkCount * layout.chunkBytes, 1), alignment: 64)
        level0.initializeMemory(as: UInt8.self, repeating: 0, count: max(chunkCount * layout.chunkBytes, 1))
        storedChunks = .allocate(capacity: max(chunkCount, 1))
        storedChunks.initialize(repeating: nil, count: max(chunkCount, 1))

        var storedUpper: [UInt64: UnsafeRawPointer] = [:]
        do {
            let chunkBytes = layout.chunkBytes
            let graphCursor = try txn.cursor(databases.graph)
            var chunk = try graphCursor.first()
            while let (key, value) = chunk {
                if key.count == 4, value.count == chunkBytes, let base = value.baseAddress {
                    let number = Int(key.loadUnaligned(as: UInt32.self))
                    if number < chunkCount {
                        storedChunks[number] = base
                        (level0 + number * chunkBytes).copyMemory(from: base, byteCount: chunkBytes)
                    }
                }
                chunk = try graphCursor.next()
            }
            let upperCursor = try txn.cursor(databases.graphUpper)
            chunk = try upperCursor.first()
            while let (key, value) = chunk {
                if let (id, level) = GraphLayout.decodeUpperKey(key), value.count == layout.upperBytes,
                   let base = value.baseAddress {
                    storedUpper[Self.upperIndex(id, level)] = base
                }
                chunk = try upperCursor.next()
            }
            vectors = try VectorChunkTable(txn: txn, database: databases.vectors, layout: vectorLayout, idLimit: idLimit)
        } catch {
            level0.deallocate()
            storedChunks.deallocate()
            throw error
        }

        let newLists = newNodes.reduce(0) { $0 + max($1.level, 0) }
        let arenaBytes = max((storedUpper.count + newLists) * layout.upperBytes, 1)
        let arena = UnsafeMutableRawPointer.allocate(byteCount: arenaBytes, alignment: 16)
        arena.initializeMemory(as: UInt8.self, repeating: 0, count: arenaBytes)
        var upper: [UInt64: UnsafeMutableRawPointer] = [:]
        upper.reserveCapacity(storedUpper.count + newLists)
        var next = arena
        for (key, base) in storedUpper.sorted(by: { $0.key < $1.key }) {
            next.copyMemory(from: base, byteCount: layout.upperBytes)
            upper[key] = next
            next += layout.upperBytes
        }
        for node in newNodes {
            guard Int(node.id) < idLimit else { continue }
            let record = level0 + Int(layout.chunk(of: node.id)) * layout.chunkBytes + layout.recordOffset(of: node.id)
            record.initializeMemory(as: UInt8.self, repeating: 0, count: layout.recordBytes)
            record.storeBytes(of: (GraphLayout.presentBit | UInt32(node.level) << 16).littleEndian, as: UInt32.self)
            for level in stride(from: 1, through: node.level, by: 1) {
                upper[Self.upperIndex(node.id, level)] = next
                next += layout.upperBytes
            }
        }
        self.upperArena = arena
        self.upper = upper
        self.storedUpper = storedUpper
    }

    deinit {
        level0.deallocate()
        storedChunks.deallocate()
        vectors.deallocate()
        upperArena.deallocate()
    }

    private static func upperIndex(_ id: UInt32, _ level: Int) -> UInt64 { UInt64(id) << 8 | UInt64(level) }

    // MARK: Reading

    @inline(__always)
    func vector(_ id: UInt32) -> UnsafeRawPointer? { vectors.vector(id) }

    @inline(__always)
    func isLive(_ id: UInt32) -> Bool { vectors.isLive(id) }

    /// The level-0 record of `id`, or nil beyond the id limit.
    @inline(__always)
    private func record(_ id: UInt32) -> UnsafeMutableRawPointer? {
        guard Int(id) < idLimit else { return nil }
        return level0 + Int(layout.chunk(of: id)) * layout.chunkBytes + layout.recordOffset(of: id)
    }

    /// Whether `id` is a node of the graph (unguarded: a node's header changes only before the
    /// threads start).
    func isPresent(_ id: UInt32) -> Bool {
        guard let record = record(id) else { return false }
        return UInt32(littleEndian: record.load(as: UInt32.self)) & GraphLayout.presentBit != 0
    }

    func prefetchNeighbors(_ id: UInt32) {
        guard let record = record(id) else { return }
        qv_prefetch(record, Int32((layout.recordBytes + 63) / 64))
    }

    /// The neighbours of `id` on `level`, unguarded: only for use while no other thread writes.
    func neighbors(_ id: UInt32, level: Int) -> NeighborList {
        if level == 0 {
            guard let record = record(id) else { return .empty }
            let header = UInt32(littleEndian: record.load(as: UInt32.self))
            return NeighborList(base: UnsafeRawPointer(record) + 4, count: Int(header & 0xFFFF))
        }
        guard let base = upper[Self.upperIndex(id, level)] else { return .empty }
        let count = Int(UInt32(littleEndian: base.load(as: UInt32.self)))
        return NeighborList(base: UnsafeRawPointer(base) + 4, count: min(count, layout.m))
    }

    @inline(__always)
    func withNeighbors<R>(_ id: UInt32, level: Int, _ body: (NeighborList) -> R) -> R {
        locks.withLock(id) { body(neighbors(id, level: level)) }
    }

    // MARK: Writing

    func setNeighbors(_ id: UInt32, level: Int, _ ids: [UInt32]) {
        locks.withLock(id) { write(id, level: level, ids) }
    }

    func updateNeighbors(_ id: UInt32, level: Int, _ transform: (NeighborList) -> [UInt32]?) {
        locks.withLock(id) {
            if let ids = transform(neighbors(id, level: level)) { write(id, level: level, ids) }
        }
    }

    /// Every level-0 link removed by replacing a list (repeats possible).
    var droppedLinks: [DroppedLink] { dropped.withLock { $0 } }

    /// Stores a list; the caller holds the node's lock.
    private func write(_ id: UInt32, level: Int, _ ids: [UInt32]) {
        let base: UnsafeMutableRawPointer
        let capacity: Int
        if level == 0 {
            var lost: [DroppedLink] = []
            neighbors(id, level: 0).appendDropped(owner: id, replacedBy: ids, to: &lost)
            if !lost.isEmpty { dropped.withLock { $0.append(contentsOf: lost) } }
            guard let record = record(id) else { return }
            base = record
            capacity = 2 * layout.m
            let header = UInt32(littleEndian: record.load(as: UInt32.self))
            let count = min(ids.count, capacity)
            record.storeBytes(of: ((header & ~0xFFFF) | UInt32(count)).littleEndian, as: UInt32.self)
        } else {
            guard let list = upper[Self.upperIndex(id, level)] else { return }
            base = list
            capacity = layout.m
            list.storeBytes(of: UInt32(min(ids.count, capacity)).littleEndian, as: UInt32.self)
        }
        let count = min(ids.count, capacity)
        for i in 0..<count { base.storeBytes(of: ids[i].littleEndian, toByteOffset: 4 + 4 * i, as: UInt32.self) }
        for i in count..<capacity { base.storeBytes(of: UInt32(0), toByteOffset: 4 + 4 * i, as: UInt32.self) }
    }

    // MARK: Writing back

    /// Writes every level-0 chunk and upper list that differs from the transaction's into it.
    /// Call once, after all inserting threads have finished; returns the number of values written.
    @discardableResult
    func flush(into txn: Transaction, databases: StoreDatabases) throws -> Int {
        let chunkBytes = layout.chunkBytes
        // Decide everything before the first put, while the stored pointers are certainly valid.
        var changedChunks: [Int] = []
        for number in 0..<chunkCount {
            let mine = UnsafeRawPointer(level0 + number * chunkBytes)
            if let stored = storedChunks[number] {
                if memcmp(mine, stored, chunkBytes) != 0 { changedChunks.append(number) }
            } else if UnsafeRawBufferPointer(start: mine, count: chunkBytes).contains(where: { $0 != 0 }) {
                changedChunks.append(number)
            }
        }
        var changedUpper: [UInt64] = []
        for (key, list) in upper {
            if let stored = storedUpper[key], memcmp(list, stored, layout.upperBytes) == 0 { continue }
            changedUpper.append(key)
        }
        changedUpper.sort()
        for number in changedChunks {
            let source = UnsafeRawPointer(level0 + number * chunkBytes)
            try txn.put(databases.graph, key: UInt32(number), reservingCount: chunkBytes) { target in
                target.baseAddress?.copyMemory(from: source, byteCount: chunkBytes)
            }
        }
        for key in changedUpper {
            guard let list = upper[key] else { continue }
            let upperKey = GraphLayout.upperKey(id: UInt32(key >> 8), level: Int(key & 0xFF))
            try upperKey.withKeyBytes { k in
                try txn.put(databases.graphUpper, key: k, value: UnsafeRawBufferPointer(start: list, count: layout.upperBytes))
            }
        }
        return changedChunks.count + changedUpper.count
    }
}
