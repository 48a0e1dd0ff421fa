import LMDB

extension Store {
    /// The HNSW graph's parameters, fixed when the store was created.
    public var graphParameters: GraphParameters { manifest.graph }

    var hnsw: HNSW {
        HNSW(parameters: manifest.graph, distance: GraphDistance(metric: metric, dimension: dimension))
    }

    /// The graph snapshot of `txn` (vectors and neighbour lists by pointer), cached per snapshot and
    /// shared by every kind of search.
    func currentGraphSnapshot(txn: Transaction) throws -> GraphSnapshot {
        try snapshots.snapshot(for: txn, mapGeneration: environment.mapGeneration) {
            let counters = try MetaCounters.read(from: txn, meta: databases.meta)
            return try GraphSnapshot(
                txn: txn, mapGeneration: environment.mapGeneration, databases: databases, layout: graphLayout,
                vectorLayout: layout, entry: try graphEntry(in: txn), idLimit: Int(counters.nextID),
                sq8: walksSQ8 ? sq8 : nil)
        }
    }

    /// Reads the graph's entry point.
    func graphEntry(in txn: Transaction) throws -> GraphEntry {
        guard let bytes = try txn.get(databases.meta, key: MetaKey.graphEntry) else { return .empty }
        return GraphEntry(bytes: bytes)
    }

    /// The smallest batch linked into the graph by ``ConcurrentGraphEditor`` (on
    /// ``StoreOptions/indexingThreads`` threads) rather than node by node in place.
    public static let parallelInsertionMinimum = 32

    /// When at least one node in this many lost an in-link (or, after the detour checks, still
    /// needs a search), one walk over level 0 checks reachability more cheaply.
    static let reachabilityWalkRatio = 1_024

    /// Unlinks `retired` nodes and inserts `added` ones, inside the caller's write transaction,
    /// after the vector chunks have been written.
    ///
    /// Deletions are repaired in place by ``GraphEditor``. Insertions go the same way when the
    /// batch is small next to the graph; a batch of at least ``parallelInsertionMinimum`` nodes
    /// that is not tiny next to the graph (the whole level 0 is copied, about 130 bytes a node
    /// at M = 16) is built in memory by several threads and written back chunk by chunk.
    /// Either way the transaction ends with every node reachable from the entry point
    /// (``relinkStranded(_:afterRepair:dropped:added:entry:entryMoved:scratch:)``).
    func updateGraph(txn: Transaction, idLimit: Int, retired: Set<UInt32>, added: [UInt32]) throws {
        guard !retired.isEmpty || !added.isEmpty else { return }
        var entry = try graphEntry(in: txn)
        let before = entry
        let algorithm = hnsw
        let levels = LevelGenerator(seed: manifest.graph.seed, m: manifest.graph.m)
        let concurrent = added.count >= Self.parallelInsertionMinimum && idLimit <= added.count * 4_096
        if !retired.isEmpty || !concurrent {
            let editor = GraphEditor(
                txn: txn, databases: databases, layout: graphLayout, vectorLayout: layout, idLimit: idLimit)
            let scratch = SearchScratch(capacity: idLimit, dimension: dimension)
            algorithm.repair(editor, removed: retired, entry: &entry, scratch: scratch)
            if !concurrent {
                let query = UnsafeMutablePointer<Float>.allocate(capacity: max(dimension, 1))
                defer { query.deallocate() }
                for id in added {
                    let level = levels.level(of: id)
                    editor.setNode(id, level: level)
                    algorithm.insert(editor, id: id, nodeLevel: level, entry: &entry, scratch: scratch, query: query)
                }
                // Checked with the editor that inserted: its chunks are already resolved.
                relinkStranded(
                    editor, afterRepair: !retired.isEmpty, dropped: editor.droppedLinks, added: added, entry: entry,
                    entryMoved: entry != before, scratch: scratch)
            }
            try editor.flush()
        }
        if concurrent {
            let nodes = added.map { (id: $0, level: levels.level(of: $0)) }
            let inserter = try ConcurrentGraphEditor(
                txn: txn, databases: databases, layout: graphLayout, vectorLayout: layout, idLimit: idLimit,
                newNodes: nodes)
            algorithm.insertConcurrently(inserter, nodes: nodes, entry: &entry, threads: indexingThreads)
            // Checked on the in-memory copy, before it is written back.
            relinkStranded(
                inserter, afterRepair: !retired.isEmpty, dropped: inserter.droppedLinks, added: added, entry: entry,
                entryMoved: entry != before, scratch: SearchScratch(capacity: idLimit, dimension: dimension))
            try inserter.flush(into: txn, databases: databases)
        }
        if entry != before {
            try txn.put(databases.meta, key: MetaKey.graphEntry, value: entry.bytes)
        }
    }

    /// Relinks the nodes this transaction's writes may have stranded (no search would reach
    /// them). After repair (which read every list anyway), or when the entry point moved, one
    /// walk over level 0 finds every stranded node. After insertions, only the nodes that
    /// ``HNSW/unprovenNodes(_:dropped:added:scratch:)`` cannot vouch for are searched for by their own
    /// vectors (a walk instead when they are many).
    private func relinkStranded<G: GraphWriter>(
        _ graph: G, afterRepair: Bool, dropped: [DroppedLink], added: [UInt32], entry: GraphEntry,
        entryMoved: Bool, scratch: SearchScratch
    ) {
        if afterRepair || entryMoved || dropped.count &* Self.reachabilityWalkRatio >= graph.idLimit {
            hnsw.reconnectUnreachable(graph, entry: entry, scratch: scratch)
            return
        }
        let unproven = hnsw.unprovenNodes(graph, dropped: dropped, added: added, scratch: scratch)
        if unproven.isEmpty { return }
        if unproven.count &* Self.reachabilityWalkRatio >= graph.idLimit {
            hnsw.reconnectUnreachable(graph, entry: entry, scratch: scratch)
        } else {
            hnsw.relinkUnfound(graph, candidates: unproven, entry: entry, scratch: scratch)
        }
    }

    /// Links every node that no level-0 walk from the entry point reaches back into the graph, in
    /// one write transaction; returns the number of links added. Compaction calls it, so a store
    /// written before writes kept every node reachable comes out whole.
    @discardableResult
    func reconnectGraph() throws -> Int {
        try storageErrors {
            try environment.write { txn in
                let idLimit = Int(try MetaCounters.read(from: txn, meta: databases.meta).nextID)
                let editor = GraphEditor(
                    txn: txn, databases: databases, layout: graphLayout, vectorLayout: layout, idLimit: idLimit)
                let added = hnsw.reconnectUnreachable(
                    editor, entry: try graphEntry(in: txn), scratch: SearchScratch(capacity: idLimit, dimension: dimension))
                try editor.flush()
                return added
            }
        }
    }

    /// Calls `body` with the id and top level of every node stored in `txn`'s level-0 chunks.
    func forEachGraphNode(in txn: Transaction, _ body: (UInt32, Int) -> Void) throws {
        let cursor = try txn.cursor(databases.graph)
        var chunk = try cursor.first()
        while let (key, value) = chunk {
            guard key.count == 4 else { throw QuiverError.corruptRecord(database: "graph", key: "\(key.count)-byte key", reason: "bad chunk key") }
            let first = key.loadUnaligned(as: UInt32.self) &* UInt32(graphLayout.capacity)
            for slot in 0..<(value.count / graphLayout.recordBytes) {
                let header = UInt32(littleEndian: value.loadUnaligned(
                    fromByteOffset: slot * graphLayout.recordBytes, as: UInt32.self))
                if header & GraphLayout.presentBit != 0 { body(first &+ UInt32(slot), Int((header >> 16) & 0xFF)) }
            }
            chunk = try cursor.next()
        }
    }
}
