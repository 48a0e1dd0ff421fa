import CLMDB

/// An error returned by liblmdb, with the library's own message and the operation that failed.
public struct LMDBError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The C return code (an `MDB_*` constant or an `errno` value).
    public let code: Int32
    /// The operation that failed, for example `"mdb_env_open"`.
    public let operation: String

    /// Creates an error for `code` returned by `operation`.
    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    /// liblmdb's text for ``code`` (from `mdb_strerror`).
    public var message: String {
        String(cString: mdb_strerror(code))
    }

    /// The error as one line: operation, message and code.
    public var description: String {
        "\(operation): \(message) (code \(code))"
    }

    /// The map is full: the environment needs a larger map size.
    public var isMapFull: Bool { code == MDB_MAP_FULL }
    /// Another process grew the map beyond this process's mapping.
    public var isMapResized: Bool { code == MDB_MAP_RESIZED }
    /// The file is not an LMDB file, or its version does not match this library.
    public var isInvalidFile: Bool { code == MDB_INVALID || code == MDB_VERSION_MISMATCH }
    /// The database exists with incompatible flags, or the name is a plain key (`MDB_INCOMPATIBLE`).
    public var isIncompatible: Bool { code == MDB_INCOMPATIBLE }
    /// A page is damaged (`MDB_CORRUPTED`, `MDB_PAGE_NOTFOUND`).
    public var isCorrupted: Bool { code == MDB_CORRUPTED || code == MDB_PAGE_NOTFOUND }
    /// Too many named databases are open.
    public var isDatabasesFull: Bool { code == MDB_DBS_FULL }
    /// The named database does not exist (and was not created).
    public var isNotFound: Bool { code == MDB_NOTFOUND }

    /// Throws an `LMDBError` when `code` is not `MDB_SUCCESS`.
    @inlinable
    static func check(_ code: Int32, _ operation: @autoclosure () -> String) throws {
        if code != 0 { throw LMDBError(code: code, operation: operation()) }
    }
}
