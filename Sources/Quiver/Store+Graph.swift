import LMDB

extension Store {
    /// The HNSW graph's parameters, fixed when the store was created.
    public var graphParameters: GraphParameters { manifest.graph }

    var hnsw: HNSW {
        HNSW(parameters: manifest.graph, distance: GraphDistance(metric: metric, dimension: dimension))
    }

    /// Reads the graph's entry point.
    func graphEntry(in txn: Transaction) throws -> GraphEntry {
        guard let bytes = try txn.get(databases.meta, key: MetaKey.graphEntry) else { return .empty }
        return GraphEntry(bytes: bytes)
    }

    /// Unlinks `retired` nodes and inserts `added` ones, inside the caller's write transaction,
    /// after the vector chunks have been written.
    func updateGraph(txn: Transaction, idLimit: Int, retired: Set<UInt32>, added: [UInt32]) throws {
        guard !retired.isEmpty || !added.isEmpty else { return }
        let editor = GraphEditor(
            txn: txn, databases: databases, layout: graphLayout, vectorLayout: layout, idLimit: idLimit)
        var entry = try graphEntry(in: txn)
        let before = entry
        let algorithm = hnsw
        let levels = LevelGenerator(seed: manifest.graph.seed, m: manifest.graph.m)
        let scratch = SearchScratch(capacity: idLimit, dimension: dimension)
        let query = UnsafeMutablePointer<Float>.allocate(capacity: max(dimension, 1))
        defer { query.deallocate() }
        algorithm.repair(editor, removed: retired, entry: &entry, scratch: scratch)
        for id in added {
            algorithm.insert(
                editor, id: id, nodeLevel: levels.level(of: id), entry: &entry, scratch: scratch, query: query)
        }
        try editor.flush()
        if entry != before {
            try txn.put(databases.meta, key: MetaKey.graphEntry, value: entry.bytes)
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
