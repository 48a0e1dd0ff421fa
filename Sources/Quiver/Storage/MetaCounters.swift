import LMDB

/// The mutable counters kept in `meta`, read and written inside one transaction.
struct MetaCounters: Equatable {
    /// The next internal id to assign.
    var nextID: UInt32
    /// The number of live documents.
    var liveCount: UInt64

    /// Reads the counters (zero when absent, as in a new store).
    static func read(from txn: Transaction, meta: Database) throws -> MetaCounters {
        let next = try txn.get(meta, key: MetaKey.nextID).map { buffer -> UInt32 in
            guard buffer.count == 4 else { return 0 }
            return UInt32(littleEndian: buffer.loadUnaligned(as: UInt32.self))
        } ?? 0
        let live = try txn.get(meta, key: MetaKey.liveCount).map { buffer -> UInt64 in
            guard buffer.count == 8 else { return 0 }
            return UInt64(littleEndian: buffer.loadUnaligned(as: UInt64.self))
        } ?? 0
        return MetaCounters(nextID: next, liveCount: live)
    }

    /// Writes the counters, and the same values under ``MetaKey/sq8Counters`` (this build keeps
    /// the 8-bit copies in step with every write).
    func write(to txn: Transaction, meta: Database) throws {
        try withUnsafeBytes(of: nextID.littleEndian) { v in
            try MetaKey.nextID.withKeyBytes { try txn.put(meta, key: $0, value: v) }
        }
        try withUnsafeBytes(of: liveCount.littleEndian) { v in
            try MetaKey.liveCount.withKeyBytes { try txn.put(meta, key: $0, value: v) }
        }
        try writeSQ8Mark(to: txn, meta: meta)
    }

    /// The 12 bytes of ``MetaKey/sq8Counters``.
    var sq8Mark: [UInt8] {
        withUnsafeBytes(of: nextID.littleEndian) { Array($0) } + withUnsafeBytes(of: liveCount.littleEndian) { Array($0) }
    }

    /// Records that the 8-bit copies match these counters.
    func writeSQ8Mark(to txn: Transaction, meta: Database) throws {
        try txn.put(meta, key: MetaKey.sq8Counters, value: sq8Mark)
    }

    /// Whether the 8-bit copies were last kept in step at these counters.
    func matchesSQ8Mark(in txn: Transaction, meta: Database) throws -> Bool {
        guard let stored = try txn.get(meta, key: MetaKey.sq8Counters) else { return false }
        return Array(stored) == sq8Mark
    }
}
