import CLMDB
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A read or write transaction, valid only inside the closure given to
/// ``Environment/read(_:)`` or ``Environment/write(_:)``.
///
/// Byte buffers returned by `get` and by cursors point into the memory map: they are
/// valid until the transaction ends (or, in a write transaction, until the same
/// key is next written) and may be unaligned — read them with `loadUnaligned`.
public final class Transaction {
    let handle: OpaquePointer
    /// Whether the transaction may write.
    public let isWritable: Bool
    var isValid = true

    init(handle: OpaquePointer, isWritable: Bool) {
        self.handle = handle
        self.isWritable = isWritable
    }

    /// Opens the named database `name` (nil: the main database) inside this transaction,
    /// creating it when `create` is true; the handle outlives the transaction once it commits.
    public func openDatabase(_ name: String?, flags: DatabaseFlags = [], create: Bool = false) throws -> Database {
        try checkValid()
        var dbi = MDB_dbi()
        var raw = flags.rawValue
        if create { raw |= UInt32(MDB_CREATE) }
        try LMDBError.check(mdb_dbi_open(handle, name, raw, &dbi), "mdb_dbi_open(\(name ?? "(main)"))")
        return Database(dbi: dbi, name: name ?? "(main)", flags: flags)
    }

    /// Throws when the transaction has ended (it escaped its closure).
    @inline(__always)
    func checkValid() throws {
        if !isValid { throw LMDBError(code: EINVAL, operation: "transaction used after it ended") }
    }

    /// LMDB's id of this transaction: the snapshot a read sees, or the one a write will create.
    public var id: Int { Int(mdb_txn_id(handle)) }

    /// Returns the value stored under `key`, or nil when there is none.
    public func get(_ database: Database, key: UnsafeRawBufferPointer) throws -> UnsafeRawBufferPointer? {
        try checkValid()
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val()
        let rc = mdb_get(handle, database.dbi, &k, &v)
        if rc == MDB_NOTFOUND { return nil }
        try LMDBError.check(rc, "mdb_get(\(database.name))")
        return UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size)
    }

    /// Returns the value stored under `key`, or nil when there is none.
    public func get(_ database: Database, key: some LMDBKey) throws -> UnsafeRawBufferPointer? {
        try key.withKeyBytes { try get(database, key: $0) }
    }

    /// Stores `value` under `key`, replacing any previous value (unless `flags` say otherwise).
    public func put(
        _ database: Database, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, flags: PutFlags = []
    ) throws {
        try checkValid()
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        try LMDBError.check(mdb_put(handle, database.dbi, &k, &v, flags.rawValue), "mdb_put(\(database.name))")
    }

    /// Stores `value` under `key`, replacing any previous value (unless `flags` say otherwise).
    public func put(_ database: Database, key: some LMDBKey, value: [UInt8], flags: PutFlags = []) throws {
        try key.withKeyBytes { k in
            try value.withUnsafeBytes { v in try put(database, key: k, value: v, flags: flags) }
        }
    }

    /// Reserves `count` bytes for the value of `key` and lets `fill` write them in place (`MDB_RESERVE`).
    ///
    /// Saves a copy for large values; `fill` must write every byte.
    public func put(
        _ database: Database, key: some LMDBKey, reservingCount count: Int,
        fill: (UnsafeMutableRawBufferPointer) throws -> Void
    ) throws {
        try checkValid()
        try key.withKeyBytes { key in
            var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
            var v = MDB_val(mv_size: count, mv_data: nil)
            try LMDBError.check(
                mdb_put(handle, database.dbi, &k, &v, UInt32(MDB_RESERVE)), "mdb_put(\(database.name), reserve)")
            try fill(UnsafeMutableRawBufferPointer(start: v.mv_data, count: count))
        }
    }

    /// Deletes `key` (with every value, or only `value` in a duplicate-sorted database); returns whether anything was deleted.
    @discardableResult
    public func delete(_ database: Database, key: some LMDBKey, value: [UInt8]? = nil) throws -> Bool {
        try checkValid()
        return try key.withKeyBytes { key in
            var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
            let rc: Int32
            if let value {
                rc = value.withUnsafeBytes { v in
                    var val = MDB_val(mv_size: v.count, mv_data: UnsafeMutableRawPointer(mutating: v.baseAddress))
                    return mdb_del(handle, database.dbi, &k, &val)
                }
            } else {
                rc = mdb_del(handle, database.dbi, &k, nil)
            }
            if rc == MDB_NOTFOUND { return false }
            try LMDBError.check(rc, "mdb_del(\(database.name))")
            return true
        }
    }

    /// The number of entries (key/value pairs, counting duplicates) in `database`.
    public func count(_ database: Database) throws -> Int {
        try checkValid()
        var stat = MDB_stat()
        try LMDBError.check(mdb_stat(handle, database.dbi, &stat), "mdb_stat(\(database.name))")
        return stat.ms_entries
    }

    /// Page statistics of `database`.
    public func statistics(_ database: Database) throws -> DatabaseStatistics {
        try checkValid()
        var stat = MDB_stat()
        try LMDBError.check(mdb_stat(handle, database.dbi, &stat), "mdb_stat(\(database.name))")
        return DatabaseStatistics(stat)
    }

    /// Deletes every entry of `database`, keeping the database itself.
    public func empty(_ database: Database) throws {
        try checkValid()
        try LMDBError.check(mdb_drop(handle, database.dbi, 0), "mdb_drop(\(database.name))")
    }

    /// Deletes `database` itself from the environment (its handle is invalid afterwards).
    public func drop(_ database: Database) throws {
        try checkValid()
        try LMDBError.check(mdb_drop(handle, database.dbi, 1), "mdb_drop(\(database.name), delete)")
    }

    /// Opens a cursor over `database`, valid until the transaction ends.
    public func cursor(_ database: Database) throws -> Cursor {
        try checkValid()
        var cursor: OpaquePointer?
        try LMDBError.check(mdb_cursor_open(handle, database.dbi, &cursor), "mdb_cursor_open(\(database.name))")
        guard let cursor else { throw LMDBError(code: EINVAL, operation: "mdb_cursor_open(\(database.name))") }
        return Cursor(handle: cursor, database: database, transaction: self)
    }
}

/// Page and entry counts of one database.
public struct DatabaseStatistics: Sendable, Hashable {
    /// Entries (key/value pairs, counting duplicates).
    public var entries: Int
    /// Pages used by the B-tree: branch + leaf + overflow.
    public var pages: Int
    /// The B-tree's depth.
    public var depth: Int
    /// Bytes in pages: `pages × pageSize`.
    public var bytes: Int

    init(_ stat: MDB_stat) {
        entries = stat.ms_entries
        pages = stat.ms_branch_pages + stat.ms_leaf_pages + stat.ms_overflow_pages
        depth = Int(stat.ms_depth)
        bytes = pages * Int(stat.ms_psize)
    }
}
