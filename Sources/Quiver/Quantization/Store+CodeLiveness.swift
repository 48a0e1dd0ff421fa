import LMDB

extension Store {
    /// The PQ state of `txn`'s snapshot, with the code layout when a codebook exists.
    func quantizerState(in txn: Transaction) throws -> (state: QuantizerState, layout: CodeChunkLayout?, databases: QuantizationDatabases)? {
        guard let qdb = try quantization.databases(environment) else { return nil }
        let state = try quantization.state(in: txn, qdb)
        guard state.phase != .untrained, let bytes = try txn.get(qdb.pq, key: QuantizationDatabases.Key.parameters) else {
            return (state, nil, qdb)
        }
        let record = try QuantizerRecord.decode(bytes)
        return (state, CodeChunkLayout(m: record.m, capacity: record.codeChunkCapacity), qdb)
    }

    /// The ids whose code is marked live in `txn`'s `codes` chunks.
    func liveCodeIDs(in txn: Transaction, layout: CodeChunkLayout, codes: Database) throws -> Set<UInt32> {
        var live = Set<UInt32>()
        let cursor = try txn.cursor(codes)
        var entry = try cursor.first()
        while let (key, value) = entry {
            if key.count == 4, value.count == layout.chunkBytes {
                let first = key.loadUnaligned(as: UInt32.self) &* UInt32(layout.capacity)
                for slot in 0..<layout.capacity where value[slot >> 3] & (1 << UInt8(slot & 7)) != 0 {
                    live.insert(first &+ UInt32(slot))
                }
            }
            entry = try cursor.next()
        }
        return live
    }
}
