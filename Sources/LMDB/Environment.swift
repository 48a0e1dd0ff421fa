import CLMDB
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An LMDB environment: one memory-mapped database directory holding named databases.
///
/// Read transactions are snapshots and may run on any thread at the same time
/// (the environment is opened with `MDB_NOTLS`); write transactions are serialised.
/// When a write runs out of map space the environment aborts it, doubles the map
/// size and runs the write again, so callers never see `MDB_MAP_FULL` unless the map
/// would exceed ``Options/maximumMapSize``.
public final class Environment: @unchecked Sendable {
    /// Settings for opening an environment.
    public struct Options: Sendable {
        /// The initial map size in bytes (rounded up to whole pages by LMDB).
        public var mapSize: Int
        /// The largest map size that automatic growth may reach.
        public var maximumMapSize: Int
        /// The largest number of named databases.
        public var maximumDatabases: Int
        /// The largest number of simultaneous read transactions (across processes).
        public var maximumReaders: Int
        /// Open the environment read-only.
        public var readOnly: Bool
        /// Skip `fsync` on commit (faster, loses the last transactions on power loss; never corrupts).
        public var skipSync: Bool

        /// Creates options; the defaults suit a store that starts small and grows.
        public init(
            mapSize: Int = 64 << 20,
            maximumMapSize: Int = 1 << 40,
            maximumDatabases: Int = 16,
            maximumReaders: Int = 126,
            readOnly: Bool = false,
            skipSync: Bool = false
        ) {
            self.mapSize = mapSize
            self.maximumMapSize = maximumMapSize
            self.maximumDatabases = maximumDatabases
            self.maximumReaders = maximumReaders
            self.readOnly = readOnly
            self.skipSync = skipSync
        }
    }

    let handle: OpaquePointer
    /// The directory holding `data.mdb` and `lock.mdb`.
    public let path: String
    /// The options the environment was opened with.
    public let options: Options
    private let resizeLock = ReadWriteLock()
    private var generation = 0
    private let writerLock = ReadWriteLock()

    /// Opens the environment in the existing directory `path` (creating `data.mdb` if missing and not read-only).
    public init(path: String, options: Options = Options()) throws {
        var env: OpaquePointer?
        try LMDBError.check(mdb_env_create(&env), "mdb_env_create")
        guard let env else { throw LMDBError(code: ENOMEM, operation: "mdb_env_create") }
        do {
            try LMDBError.check(mdb_env_set_maxdbs(env, MDB_dbi(options.maximumDatabases)), "mdb_env_set_maxdbs")
            try LMDBError.check(mdb_env_set_maxreaders(env, UInt32(options.maximumReaders)), "mdb_env_set_maxreaders")
            try LMDBError.check(mdb_env_set_mapsize(env, options.mapSize), "mdb_env_set_mapsize")
            var flags = UInt32(MDB_NOTLS)
            if options.readOnly { flags |= UInt32(MDB_RDONLY) }
            if options.skipSync { flags |= UInt32(MDB_NOSYNC) }
            try LMDBError.check(mdb_env_open(env, path, flags, 0o644), "mdb_env_open(\(path))")
            var dead: Int32 = 0
            _ = mdb_reader_check(env, &dead)
        } catch {
            mdb_env_close(env)
            throw error
        }
        self.handle = env
        self.path = path
        self.options = options
    }

    deinit {
        mdb_env_close(handle)
    }

    /// Counts the times this process remapped the file (map growth): pointers into the map
    /// obtained before a change of generation are invalid. Read it inside a transaction.
    public var mapGeneration: Int { generation }

    /// The current map size in bytes.
    public var mapSize: Int {
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        return info.me_mapsize
    }

    /// The page size of the environment in bytes.
    public var pageSize: Int {
        var stat = MDB_stat()
        mdb_env_stat(handle, &stat)
        return Int(stat.ms_psize)
    }

    /// Bytes of the map in use: the last used page number plus one, times the page size.
    public var usedBytes: Int {
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        return (info.me_last_pgno + 1) * pageSize
    }

    /// The largest key LMDB accepts in this environment, in bytes.
    public var maximumKeySize: Int {
        Int(mdb_env_get_maxkeysize(handle))
    }

    /// Runs `body` in a read-only snapshot transaction and returns its result.
    ///
    /// The snapshot sees every write committed before it began and none after.
    /// Pointers obtained from the transaction are valid only inside `body`.
    /// Do not start another transaction from inside `body` on the same thread.
    public func read<Result>(_ body: (Transaction) throws -> Result) throws -> Result {
        try read(committing: false, body)
    }

    /// Runs a read transaction; with `committing`, ends it with `mdb_txn_commit` so that
    /// database handles opened inside it stay open (an aborted transaction closes them).
    private func read<Result>(committing: Bool, _ body: (Transaction) throws -> Result) throws -> Result {
        while true {
            resizeLock.lockShared()
            var txn: OpaquePointer?
            let rc = mdb_txn_begin(handle, nil, UInt32(MDB_RDONLY), &txn)
            if rc == MDB_MAP_RESIZED {
                resizeLock.unlock()
                try adoptForeignMapSize()
                continue
            }
            defer { resizeLock.unlock() }
            try LMDBError.check(rc, "mdb_txn_begin(read)")
            guard let txn else { throw LMDBError(code: EINVAL, operation: "mdb_txn_begin(read)") }
            let transaction = Transaction(handle: txn, isWritable: false)
            var finished = false
            defer {
                if !finished {
                    transaction.isValid = false
                    mdb_txn_abort(txn)
                }
            }
            let result = try body(transaction)
            transaction.isValid = false
            finished = true
            if committing {
                try LMDBError.check(mdb_txn_commit(txn), "mdb_txn_commit(read)")
            } else {
                mdb_txn_abort(txn)
            }
            return result
        }
    }

    /// Runs `body` in a write transaction: it commits when `body` returns and aborts when it throws.
    ///
    /// Writers are serialised. If the map fills up, the transaction is aborted, the map
    /// grows and `body` runs again from the start — so `body` must not have side
    /// effects outside the transaction that cannot be repeated.
    /// Do not call `write` from inside `read` or `write` on the same thread.
    public func write<Result>(_ body: (Transaction) throws -> Result) throws -> Result {
        writerLock.lockExclusive()
        defer { writerLock.unlock() }
        do {
            while true {
                resizeLock.lockShared()
                var txn: OpaquePointer?
                let rc = mdb_txn_begin(handle, nil, 0, &txn)
                if rc == MDB_MAP_RESIZED {
                    resizeLock.unlock()
                    try adoptForeignMapSize()
                    continue
                }
                guard rc == 0, let txn else {
                    resizeLock.unlock()
                    throw LMDBError(code: rc == 0 ? EINVAL : rc, operation: "mdb_txn_begin(write)")
                }
                let transaction = Transaction(handle: txn, isWritable: true)
                do {
                    let result = try body(transaction)
                    transaction.isValid = false
                    try LMDBError.check(mdb_txn_commit(txn), "mdb_txn_commit")
                    resizeLock.unlock()
                    return result
                } catch let error as LMDBError where error.isMapFull {
                    if transaction.isValid {
                        transaction.isValid = false
                        mdb_txn_abort(txn)
                    }
                    resizeLock.unlock()
                    try grow()
                } catch {
                    if transaction.isValid {
                        transaction.isValid = false
                        mdb_txn_abort(txn)
                    }
                    resizeLock.unlock()
                    throw error
                }
            }
        }
    }

    /// Doubles the map size (up to ``Options/maximumMapSize``) while no transaction of this process is active.
    private func grow() throws {
        resizeLock.lockExclusive()
        defer { resizeLock.unlock() }
        let current = mapSize
        guard current < options.maximumMapSize else {
            throw LMDBError(code: MDB_MAP_FULL, operation: "grow map beyond maximum \(options.maximumMapSize) bytes")
        }
        let next = min(max(current * 2, current + (64 << 20)), options.maximumMapSize)
        try LMDBError.check(mdb_env_set_mapsize(handle, next), "mdb_env_set_mapsize(\(next))")
        generation += 1
    }

    /// Adopts the larger map size another process has set.
    private func adoptForeignMapSize() throws {
        resizeLock.lockExclusive()
        defer { resizeLock.unlock() }
        try LMDBError.check(mdb_env_set_mapsize(handle, 0), "mdb_env_set_mapsize(0)")
        generation += 1
    }

    /// Opens the named database `name` (nil: the unnamed main database, which lists the named ones),
    /// creating it when `create` is true and it is missing.
    ///
    /// Database handles stay valid for the life of the environment and may be shared between threads.
    public func openDatabase(_ name: String?, flags: DatabaseFlags = [], create: Bool = true) throws -> Database {
        func open(_ txn: Transaction) throws -> Database {
            try txn.openDatabase(name, flags: flags, create: create && !options.readOnly)
        }
        if options.readOnly || !create {
            return try read(committing: true, open)
        }
        return try write(open)
    }

    /// Runs `body` in a write transaction, or in a read transaction whose database handles are
    /// kept when the environment is read-only: for opening several databases at once.
    public func withDatabaseTransaction<Result>(_ body: (Transaction) throws -> Result) throws -> Result {
        if options.readOnly { return try read(committing: true, body) }
        return try write(body)
    }

    /// Flushes buffers to disk; with `force`, even when the environment skips sync on commit.
    public func sync(force: Bool = true) throws {
        try LMDBError.check(mdb_env_sync(handle, force ? 1 : 0), "mdb_env_sync")
    }

    /// Writes a consistent copy of the environment into the existing empty directory `path`,
    /// omitting free pages (and renumbering pages) when `compact` is true.
    public func copy(to path: String, compact: Bool = true) throws {
        try LMDBError.check(
            mdb_env_copy2(handle, path, compact ? UInt32(MDB_CP_COMPACT) : 0),
            "mdb_env_copy2(\(path))"
        )
    }
}
