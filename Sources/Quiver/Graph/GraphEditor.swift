import LMDB

/// The graph as one write transaction sees and changes it.
///
/// Level-0 chunks are copied on first change into private buffers and written back once by
/// ``flush()``, so a batch costs one copy per touched chunk rather than one per edge.
/// Vectors are read in place from the transaction (their chunks must already be written and
/// are not written again in this transaction).
final class GraphEditor: GraphWriter {
    let txn: Transaction
    let databases: StoreDatabases
    let layout: GraphLayout
    let vectorLayout: VectorChunkLayout
    /// One past the largest internal id in use after this transaction.
    let idLimit: Int

    @exclusivity(unchecked) private var vectorChunks: [UnsafeRawPointer?]
    @exclusivity(unchecked) private var vectorResolved: [Bool]
    @exclusivity(unchecked) private var storedChunks: [UnsafeRawPointer?]
    @exclusivity(unchecked) private var storedResolved: [Bool]
    /// Private copies of changed level-0 chunks, by chunk number (nil: unchanged).
    @exclusivity(unchecked) private var dirtyChunks: [UnsafeMutableRawPointer?]
    @exclusivity(unchecked) private var dirtyNumbers: [UInt32] = []
    @exclusivity(unchecked) private var dirtyUpper: [UInt64: UnsafeMutableRawPointer] = [:]
    @exclusivity(unchecked) private var removedUpper: Set<UInt64> = []
    /// Every level-0 link removed by replacing a list (repeats possible).
    private(set) var droppedLinks: [DroppedLink] = []

    init(txn: Transaction, databases: StoreDatabases, layout: GraphLayout, vectorLayout: VectorChunkLayout, idLimit: Int) {
        self.txn = txn
        self.databases = databases
        self.layout = layout
        self.vectorLayout = vectorLayout
        self.idLimit = idLimit
        let vectorChunkCount = (idLimit + vectorLayout.capacity - 1) / vectorLayout.capacity
        vectorChunks = Array(repeating: nil, count: vectorChunkCount)
        vectorResolved = Array(repeating: false, count: vectorChunkCount)
        let graphChunkCount = (idLimit + layout.capacity - 1) / layout.capacity
        storedChunks = Array(repeating: nil, count: graphChunkCount)
        storedResolved = Array(repeating: false, count: graphChunkCount)
        dirtyChunks = Array(repeating: nil, count: graphChunkCount)
    }

    deinit {
        for buffer in dirtyChunks { buffer?.deallocate() }
        for buffer in dirtyUpper.values { buffer.deallocate() }
    }

    // MARK: Reading

    private func vectorChunk(_ number: Int) -> UnsafeRawPointer? {
        guard number < vectorChunks.count else { return nil }
        if !vectorResolved[number] {
            vectorResolved[number] = true
            if let value = try? txn.get(databases.vectors, key: UInt32(number)), value.count == vectorLayout.chunkBytes {
                vectorChunks[number] = value.baseAddress
            }
        }
        return vectorChunks[number]
    }

    func vector(_ id: UInt32) -> UnsafeRawPointer? {
        guard let chunk = vectorChunk(Int(vectorLayout.chunk(of: id))) else { return nil }
        return chunk + vectorLayout.vectorOffset(slot: vectorLayout.slot(of: id))
    }

    func isLive(_ id: UInt32) -> Bool {
        guard let chunk = vectorChunk(Int(vectorLayout.chunk(of: id))) else { return false }
        let slot = vectorLayout.slot(of: id)
        return chunk.load(fromByteOffset: slot >> 3, as: UInt8.self) & (1 << UInt8(slot & 7)) != 0
    }

    /// The level-0 record of `id` (read-only view), or nil when its chunk does not exist.
    private func record(_ id: UInt32) -> UnsafeRawPointer? {
        let number = layout.chunk(of: id)
        let index = Int(number)
        guard index < storedChunks.count else { return nil }
        if let dirty = dirtyChunks[index] { return UnsafeRawPointer(dirty) + layout.recordOffset(of: id) }
        if !storedResolved[index] {
            storedResolved[index] = true
            if let value = try? txn.get(databases.graph, key: number), value.count == layout.chunkBytes {
                storedChunks[index] = value.baseAddress
            }
        }
        return storedChunks[index].map { $0 + layout.recordOffset(of: id) }
    }

    private func header(_ id: UInt32) -> UInt32 {
        guard let record = record(id) else { return 0 }
        return UInt32(littleEndian: record.loadUnaligned(as: UInt32.self))
    }

    /// Whether `id` is a node of the graph.
    func isPresent(_ id: UInt32) -> Bool { header(id) & GraphLayout.presentBit != 0 }

    /// The top level of node `id`.
    func level(of id: UInt32) -> Int { Int((header(id) >> 16) & 0xFF) }

    func neighbors(_ id: UInt32, level: Int) -> NeighborList {
        if level == 0 {
            guard let record = record(id) else { return .empty }
            let header = UInt32(littleEndian: record.loadUnaligned(as: UInt32.self))
            return NeighborList(base: record + 4, count: Int(header & 0xFFFF))
        }
        let key = Self.upperIndex(id, level)
        if removedUpper.contains(key) { return .empty }
        if let dirty = dirtyUpper[key] {
            return NeighborList(base: dirty + 4, count: Int(dirty.load(as: UInt32.self)))
        }
        guard let value = try? txn.get(databases.graphUpper, key: GraphLayout.upperKey(id: id, level: level)),
              value.count == layout.upperBytes, let base = value.baseAddress
        else { return .empty }
        let count = Int(UInt32(littleEndian: base.loadUnaligned(as: UInt32.self)))
        return NeighborList(base: base + 4, count: min(count, layout.m))
    }

    /// The live node with the highest level (lowest id among ties), for a new entry point.
    func highestNode() -> GraphEntry {
        var best = GraphEntry.empty
        for id in 0..<UInt32(idLimit) where isPresent(id) {
            let level = level(of: id)
            if level > best.level { best = GraphEntry(node: id, level: level) }
        }
        return best
    }

    // MARK: Writing

    private static func upperIndex(_ id: UInt32, _ level: Int) -> UInt64 { UInt64(id) << 8 | UInt64(level) }

    /// A private, writable copy of the level-0 record of `id`.
    private func mutableRecord(_ id: UInt32) -> UnsafeMutableRawPointer {
        let number = layout.chunk(of: id)
        if let dirty = dirtyChunks[Int(number)] { return dirty + layout.recordOffset(of: id) }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: layout.chunkBytes, alignment: 16)
        if let stored = record(UInt32(number) * UInt32(layout.capacity)) {
            buffer.copyMemory(from: stored, byteCount: layout.chunkBytes)
        } else {
            buffer.initializeMemory(as: UInt8.self, repeating: 0, count: layout.chunkBytes)
        }
        dirtyChunks[Int(number)] = buffer
        dirtyNumbers.append(number)
        return buffer + layout.recordOffset(of: id)
    }

    /// Makes `id` a node with top level `level` and no neighbours yet.
    func setNode(_ id: UInt32, level: Int) {
        let record = mutableRecord(id)
        record.storeBytes(of: (GraphLayout.presentBit | UInt32(level) << 16).littleEndian, as: UInt32.self)
        for l in stride(from: 1, through: level, by: 1) { setNeighbors(id, level: l, []) }
    }

    /// Replaces the neighbours of `id` on `level`.
    func setNeighbors(_ id: UInt32, level: Int, _ ids: [UInt32]) {
        if level == 0 {
            neighbors(id, level: 0).appendDropped(owner: id, replacedBy: ids, to: &droppedLinks)
            let record = mutableRecord(id)
            let count = min(ids.count, 2 * layout.m)
            let header = UInt32(littleEndian: record.load(as: UInt32.self))
            record.storeBytes(of: ((header & ~0xFFFF) | UInt32(count)).littleEndian, as: UInt32.self)
            for i in 0..<count { record.storeBytes(of: ids[i].littleEndian, toByteOffset: 4 + 4 * i, as: UInt32.self) }
            for i in count..<(2 * layout.m) { record.storeBytes(of: 0, toByteOffset: 4 + 4 * i, as: UInt32.self) }
            return
        }
        let key = Self.upperIndex(id, level)
        removedUpper.remove(key)
        let buffer: UnsafeMutableRawPointer
        if let existing = dirtyUpper[key] {
            buffer = existing
        } else {
            buffer = .allocate(byteCount: layout.upperBytes, alignment: 4)
            dirtyUpper[key] = buffer
        }
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: layout.upperBytes)
        let count = min(ids.count, layout.m)
        buffer.storeBytes(of: UInt32(count).littleEndian, as: UInt32.self)
        for i in 0..<count { buffer.storeBytes(of: ids[i].littleEndian, toByteOffset: 4 + 4 * i, as: UInt32.self) }
    }

    /// Removes node `id` and all its lists.
    func removeNode(_ id: UInt32) {
        let top = level(of: id)
        let record = mutableRecord(id)
        record.initializeMemory(as: UInt8.self, repeating: 0, count: layout.recordBytes)
        for level in stride(from: 1, through: top, by: 1) {
            let key = Self.upperIndex(id, level)
            if let buffer = dirtyUpper.removeValue(forKey: key) { buffer.deallocate() }
            removedUpper.insert(key)
        }
    }

    /// Writes every changed chunk and list into the transaction.
    func flush() throws {
        for number in dirtyNumbers {
            guard let buffer = dirtyChunks[Int(number)] else { continue }
            try txn.put(databases.graph, key: number, reservingCount: layout.chunkBytes) { target in
                target.baseAddress?.copyMemory(from: buffer, byteCount: layout.chunkBytes)
            }
        }
        // Sorted, so the same changes always produce the same pages.
        for key in removedUpper.sorted() {
            try txn.delete(databases.graphUpper, key: GraphLayout.upperKey(id: UInt32(key >> 8), level: Int(key & 0xFF)))
        }
        for (key, buffer) in dirtyUpper.sorted(by: { $0.key < $1.key }) {
            let upperKey = GraphLayout.upperKey(id: UInt32(key >> 8), level: Int(key & 0xFF))
            try upperKey.withKeyBytes { k in
                try txn.put(databases.graphUpper, key: k, value: UnsafeRawBufferPointer(start: buffer, count: layout.upperBytes))
            }
        }
    }
}
