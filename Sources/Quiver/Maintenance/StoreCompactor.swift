import Foundation
import LMDB

/// Copies one snapshot of a store into a new environment with dense ids: live documents get
/// ids 0 ..< n in their old order, tombstones are dropped, and every database that names ids
/// (keys, docs, vectors, postings, the graph) is renumbered. Databases without ids are copied
/// as they are. A database this build does not know stops the copy (never dropped silently).
struct StoreCompactor {
    let source: Store
    let targetPath: String
    let graph: GraphParameters
    /// Leave the graph empty (it is rebuilt afterwards with new parameters).
    let rebuildGraph: Bool
    let batchSize: Int

    /// The databases this compactor knows; any other named database in the source stops it.
    static let knownDatabases: Set<String> = Set(StoreDatabases.names + ["fields", "postings", "pq", "codes", SQ8Chunks.name])

    /// Marks an old id that has no new one (a tombstone).
    private static let dead = UInt32.max

    /// Copies everything; returns the live documents and tombstones seen.
    func run(progress: (CompactionProgress) -> Void) throws -> (documents: Int, tombstones: Int) {
        // A map that never has to grow: growth re-runs a write transaction's body, and the
        // bodies here advance source cursors. The copy is smaller than the source, but pages
        // filled in key order can be half empty, hence twice the source plus slack.
        let mapSize = 2 * source.environment.usedBytes + (64 << 20)
        let target = try Environment(
            path: targetPath,
            options: Environment.Options(mapSize: mapSize, maximumMapSize: mapSize, maximumDatabases: 16, skipSync: true))
        return try source.environment.read { sourceTxn in
            try checkDatabases(sourceTxn)
            let counters = try MetaCounters.read(from: sourceTxn, meta: source.databases.meta)
            let tombstones = try sourceTxn.count(source.databases.deleted)

            // The renumbering: old id → new id, in old-id order.
            var newID = [UInt32](repeating: Self.dead, count: Int(counters.nextID))
            var live = 0
            let docCursor = try sourceTxn.cursor(source.databases.docs)
            var entry = try docCursor.first()
            while let (key, _) = entry {
                let old = Int(key.loadUnaligned(as: UInt32.self))
                guard old < newID.count else { throw corrupt("document \(old) is beyond the id counter \(counters.nextID)") }
                newID[old] = UInt32(live)
                live += 1
                entry = try docCursor.next()
            }
            func map(_ old: UInt32) throws -> UInt32 {
                guard Int(old) < newID.count, newID[Int(old)] != Self.dead else {
                    throw corrupt("id \(old) is referenced but has no document")
                }
                return newID[Int(old)]
            }

            let databases = try target.write { txn in
                (try StoreDatabases(txn: txn, create: true),
                 source.metadataIndex == nil ? nil : try MetadataDatabases(txn: txn, create: true))
            }
            let (targetDB, targetIndex) = databases

            // Documents and vectors, in batches, in id order.
            let layout = source.layout
            let vectorCursor = try sourceTxn.cursor(source.databases.vectors)
            var vectorChunks: [UInt32: UnsafeRawBufferPointer] = [:]
            var vectorEntry = try vectorCursor.first()
            while let (key, value) = vectorEntry {
                if value.count == layout.chunkBytes { vectorChunks[key.loadUnaligned(as: UInt32.self)] = value }
                vectorEntry = try vectorCursor.next()
            }
            var chunk = [UInt8](repeating: 0, count: layout.chunkBytes)
            var chunkNumber: UInt32 = 0
            var chunkDirty = false
            entry = try docCursor.first()
            var copied = 0
            while entry != nil {
                try target.write { txn in
                    var inBatch = 0
                    while let (key, value) = entry, inBatch < batchSize {
                        let old = key.loadUnaligned(as: UInt32.self)
                        let new = try map(old)
                        try txn.put(targetDB.docs, key: new, value: Array(value))
                        if let stored = vectorChunks[layout.chunk(of: old)], layout.isLive(slot: layout.slot(of: old), in: stored) {
                            if layout.chunk(of: new) != chunkNumber {
                                if chunkDirty { try txn.put(targetDB.vectors, key: chunkNumber, value: chunk) }
                                chunk = [UInt8](repeating: 0, count: layout.chunkBytes)
                                chunkNumber = layout.chunk(of: new)
                            }
                            let slot = layout.slot(of: new)
                            chunk[slot >> 3] |= 1 << UInt8(slot & 7)
                            let from = layout.vectorOffset(slot: layout.slot(of: old))
                            let to = layout.vectorOffset(slot: slot)
                            for i in 0..<layout.vectorBytes { chunk[to + i] = stored[from + i] }
                            chunkDirty = true
                        }
                        inBatch += 1
                        entry = try docCursor.next()
                    }
                    if entry == nil && chunkDirty { try txn.put(targetDB.vectors, key: chunkNumber, value: chunk) }
                    copied += inBatch
                }
                progress(CompactionProgress(step: .copying, done: copied, total: live))
            }

            // The 8-bit copies, encoded afresh from the copied vectors (old stores get them here too).
            try target.write { txn in
                let sq8 = try SQ8Chunks.create(txn: txn, layout: SQ8Layout(vectors: layout, metric: source.metric))
                try sq8.fill(from: targetDB.vectors, vectorLayout: layout, txn: txn)
            }

            // External ids.
            try copyBatched(sourceTxn.cursor(source.databases.keys), into: target) { txn, key, value in
                guard value.count == 4 else { throw corrupt("a key maps to a \(value.count)-byte value") }
                let new = try map(UInt32(littleEndian: value.loadUnaligned(as: UInt32.self)))
                try withUnsafeBytes(of: new.littleEndian) { try txn.put(targetDB.keys, key: key, value: $0) }
            }

            // The metadata index: fields as they are, postings renumbered (the order of ids is kept).
            if let sourceIndex = source.metadataIndex, let targetIndex {
                try copyBatched(sourceTxn.cursor(sourceIndex.fields), into: target) { txn, key, value in
                    try txn.put(targetIndex.fields, key: key, value: value)
                }
                try copyBatched(sourceTxn.cursor(sourceIndex.postings), into: target) { txn, key, value in
                    guard value.count == 4 else { throw corrupt("a posting is \(value.count) bytes") }
                    let new = try map(value.loadUnaligned(as: UInt32.self))
                    try withUnsafeBytes(of: new) { try txn.put(targetIndex.postings, key: key, value: $0) }
                }
            }

            // Product quantization: codebook and parameters as they are, codes renumbered.
            if let pq = try source.quantizerState(in: sourceTxn) {
                try copyQuantization(pq, sourceTxn, target: target, live: live, map: map)
            }

            // The graph, renumbered edge for edge (unless it is to be rebuilt).
            var entryPoint = GraphEntry.empty
            if !rebuildGraph {
                try copyGraph(sourceTxn, target: target, into: targetDB, map: map)
                let sourceEntry = try source.graphEntry(in: sourceTxn)
                if let node = sourceEntry.node { entryPoint = GraphEntry(node: try map(node), level: sourceEntry.level) }
            }

            // meta: every key as it is, but the manifest (new graph parameters), counters and entry point.
            var manifest = source.manifest
            manifest.graph = graph
            let manifestBytes = try manifest.encoded()
            try target.write { txn in
                let cursor = try sourceTxn.cursor(source.databases.meta)
                var metaEntry = try cursor.first()
                while let (key, value) = metaEntry {
                    try txn.put(targetDB.meta, key: key, value: value)
                    metaEntry = try cursor.next()
                }
                try txn.put(targetDB.meta, key: MetaKey.manifest, value: manifestBytes)
                try MetaCounters(nextID: UInt32(live), liveCount: UInt64(live)).write(to: txn, meta: targetDB.meta)
                try txn.put(targetDB.meta, key: MetaKey.graphEntry, value: entryPoint.bytes)
            }
            try target.sync(force: true)
            return (live, tombstones)
        }
    }

    /// Copies `pq` (the state now saying every one of the `live` ids is encoded) and the code
    /// chunks under the new ids. A training still encoding (phase 1) is refused: finish it first.
    private func copyQuantization(
        _ pq: (state: QuantizerState, layout: CodeChunkLayout?, databases: QuantizationDatabases),
        _ sourceTxn: Transaction, target: Environment, live: Int, map: (UInt32) throws -> UInt32
    ) throws {
        if pq.state.phase == .encoding {
            throw QuiverError.invalidParameter(
                "the store's PQ training has not finished encoding; run `quiver reindex --pq` to finish it, then compact")
        }
        if rebuildGraph && pq.state.fullVectorsDiscarded {
            throw QuiverError.invalidParameter("a compressed-only store keeps no vectors to rebuild its graph with")
        }
        let pqDB = try target.openDatabase("pq", create: true)
        let codesDB = try target.openDatabase("codes", flags: .integerKey, create: true)
        try copyBatched(sourceTxn.cursor(pq.databases.pq), into: target) { txn, key, value in
            try txn.put(pqDB, key: key, value: value)
        }
        var state = pq.state
        if state.phase == .ready { state.encodeLimit = UInt32(live) }
        try target.write { txn in try txn.put(pqDB, key: QuantizationDatabases.Key.state, value: state.bytes) }
        guard let layout = pq.layout else { return }
        var chunk = [UInt8](repeating: 0, count: layout.chunkBytes)
        var chunkNumber: UInt32 = 0
        var chunkDirty = false
        var pending: [(UInt32, [UInt8])] = []
        func flushPending() throws {
            try target.write { txn in for (number, bytes) in pending { try txn.put(codesDB, key: number, value: bytes) } }
            pending.removeAll()
        }
        let cursor = try sourceTxn.cursor(pq.databases.codes)
        var entry = try cursor.first()
        while let (key, value) = entry {
            guard key.count == 4, value.count == layout.chunkBytes else { throw corrupt("a code chunk has the wrong size") }
            let first = key.loadUnaligned(as: UInt32.self) &* UInt32(layout.capacity)
            for slot in 0..<layout.capacity where value[slot >> 3] & (1 << UInt8(slot & 7)) != 0 {
                let new = try map(first &+ UInt32(slot))
                if layout.chunk(of: new) != chunkNumber {
                    if chunkDirty { pending.append((chunkNumber, chunk)) }
                    if pending.count >= 64 { try flushPending() }
                    chunk = [UInt8](repeating: 0, count: layout.chunkBytes)
                    chunkNumber = layout.chunk(of: new)
                }
                let to = layout.slot(of: new)
                chunk[to >> 3] |= 1 << UInt8(to & 7)
                let from = layout.codeOffset(slot: slot), into = layout.codeOffset(slot: to)
                for j in 0..<layout.m { chunk[into + j] = value[from + j] }
                chunkDirty = true
            }
            entry = try cursor.next()
        }
        if chunkDirty { pending.append((chunkNumber, chunk)) }
        try flushPending()
    }

    /// Refuses a source holding a named database this compactor would not carry over.
    private func checkDatabases(_ txn: Transaction) throws {
        let main = try source.environment.openDatabase(nil, create: false)
        let cursor = try txn.cursor(main)
        var entry = try cursor.first()
        while let (key, _) = entry {
            let name = String(decoding: key, as: UTF8.self)
            if !Self.knownDatabases.contains(name) {
                throw QuiverError.invalidParameter(
                    "the store holds a database '\(name)' that this build of Quiver cannot compact; use the build that made it")
            }
            entry = try cursor.next()
        }
    }

    /// Level-0 records and upper lists with every id renumbered.
    private func copyGraph(
        _ sourceTxn: Transaction, target: Environment, into targetDB: StoreDatabases, map: (UInt32) throws -> UInt32
    ) throws {
        let graphLayout = source.graphLayout
        var chunk = [UInt8](repeating: 0, count: graphLayout.chunkBytes)
        var chunkNumber: UInt32 = 0
        var chunkDirty = false
        var pending: [(UInt32, [UInt8])] = []
        func flushPending() throws {
            try target.write { txn in
                for (number, bytes) in pending { try txn.put(targetDB.graph, key: number, value: bytes) }
            }
            pending.removeAll()
        }
        let cursor = try sourceTxn.cursor(source.databases.graph)
        var entry = try cursor.first()
        while let (key, value) = entry {
            guard key.count == 4, value.count == graphLayout.chunkBytes else {
                throw corrupt("a graph chunk has the wrong size")
            }
            let first = key.loadUnaligned(as: UInt32.self) &* UInt32(graphLayout.capacity)
            for slot in 0..<graphLayout.capacity {
                let offset = slot * graphLayout.recordBytes
                let header = UInt32(littleEndian: value.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
                guard header & GraphLayout.presentBit != 0 else { continue }
                let new = try map(first &+ UInt32(slot))
                if graphLayout.chunk(of: new) != chunkNumber {
                    if chunkDirty { pending.append((chunkNumber, chunk)) }
                    if pending.count >= 256 { try flushPending() }
                    chunk = [UInt8](repeating: 0, count: graphLayout.chunkBytes)
                    chunkNumber = graphLayout.chunk(of: new)
                }
                let to = graphLayout.recordOffset(of: new)
                let count = Int(header & 0xFFFF)
                withUnsafeBytes(of: header.littleEndian) { for i in 0..<4 { chunk[to + i] = $0[i] } }
                for i in 0..<count {
                    let neighbor = try map(UInt32(littleEndian: value.loadUnaligned(fromByteOffset: offset + 4 + 4 * i, as: UInt32.self)))
                    withUnsafeBytes(of: neighbor.littleEndian) { for b in 0..<4 { chunk[to + 4 + 4 * i + b] = $0[b] } }
                }
                chunkDirty = true
            }
            entry = try cursor.next()
        }
        if chunkDirty { pending.append((chunkNumber, chunk)) }
        try flushPending()

        try copyBatched(sourceTxn.cursor(source.databases.graphUpper), into: target) { txn, key, value in
            guard let (id, level) = GraphLayout.decodeUpperKey(key), value.count == graphLayout.upperBytes else {
                throw corrupt("an upper-level list has a bad key or size")
            }
            var list = Array(value)
            let count = Int(UInt32(littleEndian: value.loadUnaligned(as: UInt32.self)))
            for i in 0..<min(count, graphLayout.m) {
                let neighbor = try map(UInt32(littleEndian: value.loadUnaligned(fromByteOffset: 4 + 4 * i, as: UInt32.self)))
                withUnsafeBytes(of: neighbor.littleEndian) { for b in 0..<4 { list[4 + 4 * i + b] = $0[b] } }
            }
            try txn.put(targetDB.graphUpper, key: GraphLayout.upperKey(id: try map(id), level: level), value: list)
        }
    }

    /// Walks `cursor` (every entry, duplicates included) and calls `body` for each inside write
    /// transactions of `batchSize` entries on `target`.
    private func copyBatched(
        _ cursor: Cursor, into target: Environment,
        _ body: (Transaction, UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var entry = try cursor.first()
        while entry != nil {
            try target.write { txn in
                var inBatch = 0
                while let (key, value) = entry, inBatch < batchSize {
                    try body(txn, key, value)
                    inBatch += 1
                    entry = try cursor.next()
                }
            }
        }
    }

    private func corrupt(_ reason: String) -> QuiverError {
        QuiverError.corruptStore(path: source.path, reason: "\(reason); run `quiver verify`. Nothing was changed")
    }
}
