import CLMDB

/// A position in a database, for ordered walks and range scans; valid until its transaction ends.
///
/// Returned buffers point into the memory map and may be unaligned.
public final class Cursor {
    let handle: OpaquePointer
    /// The database the cursor walks.
    public let database: Database
    private let transaction: Transaction

    init(handle: OpaquePointer, database: Database, transaction: Transaction) {
        self.handle = handle
        self.database = database
        self.transaction = transaction
    }

    deinit {
        // A write transaction frees its cursors when it ends; a read transaction's cursors
        // must be closed by us, before or after it ends.
        if transaction.isValid || !transaction.isWritable { mdb_cursor_close(handle) }
    }

    /// A key and its value, both pointing into the map.
    public typealias Entry = (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)

    private func move(_ op: MDB_cursor_op, key: UnsafeRawBufferPointer? = nil) throws -> Entry? {
        try transaction.checkValid()
        var k = MDB_val(mv_size: key?.count ?? 0, mv_data: UnsafeMutableRawPointer(mutating: key?.baseAddress))
        var v = MDB_val()
        let rc = mdb_cursor_get(handle, &k, &v, op)
        if rc == MDB_NOTFOUND { return nil }
        try LMDBError.check(rc, "mdb_cursor_get(\(database.name))")
        return (UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size),
                UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
    }

    /// Moves to the first entry.
    public func first() throws -> Entry? { try move(MDB_FIRST) }
    /// Moves to the last entry.
    public func last() throws -> Entry? { try move(MDB_LAST) }
    /// Moves to the next entry (the next duplicate, then the next key).
    public func next() throws -> Entry? { try move(MDB_NEXT) }
    /// Moves to the previous entry.
    public func previous() throws -> Entry? { try move(MDB_PREV) }
    /// Moves to the first key of the next key group, skipping remaining duplicates.
    public func nextKey() throws -> Entry? { try move(MDB_NEXT_NODUP) }
    /// Moves to the next duplicate of the current key, or returns nil.
    public func nextDuplicate() throws -> Entry? { try move(MDB_NEXT_DUP) }

    /// In a ``DatabaseFlags/duplicateFixed`` database, with the cursor on a key: the page of
    /// that key's duplicates holding the cursor's one, as packed fixed-size values
    /// (`MDB_GET_MULTIPLE`). Empty when the key has a single value (read it from the entry).
    public func duplicatePage() throws -> UnsafeRawBufferPointer {
        try move(MDB_GET_MULTIPLE)?.value ?? UnsafeRawBufferPointer(start: nil, count: 0)
    }

    /// The next page of the current key's duplicates (`MDB_NEXT_MULTIPLE`), or nil after the last.
    public func nextDuplicatePage() throws -> UnsafeRawBufferPointer? {
        try move(MDB_NEXT_MULTIPLE)?.value
    }

    /// Moves to exactly `key`.
    public func seek(exactly key: some LMDBKey) throws -> Entry? {
        try key.withKeyBytes { try move(MDB_SET_KEY, key: $0) }
    }

    /// Moves to the first key greater than or equal to `key`.
    public func seek(atLeast key: some LMDBKey) throws -> Entry? {
        try key.withKeyBytes { try move(MDB_SET_RANGE, key: $0) }
    }

    /// Deletes the entry at the cursor.
    public func deleteCurrent() throws {
        try transaction.checkValid()
        try LMDBError.check(mdb_cursor_del(handle, 0), "mdb_cursor_del(\(database.name))")
    }
}
