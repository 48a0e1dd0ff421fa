import CLMDB

/// Flags fixed when a named database is created.
public struct DatabaseFlags: OptionSet, Sendable, Hashable {
    /// The raw `MDB_*` bits.
    public let rawValue: UInt32
    /// Creates flags from raw `MDB_*` bits.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Keys are native-endian `UInt32` or `Int` values compared numerically (`MDB_INTEGERKEY`).
    public static let integerKey = DatabaseFlags(rawValue: UInt32(MDB_INTEGERKEY))
    /// A key may hold several sorted values (`MDB_DUPSORT`).
    public static let duplicateSort = DatabaseFlags(rawValue: UInt32(MDB_DUPSORT))
    /// With `duplicateSort`, all values of a key have the same size (`MDB_DUPFIXED`).
    public static let duplicateFixed = DatabaseFlags(rawValue: UInt32(MDB_DUPFIXED))
    /// With `duplicateSort`, values are native integers (`MDB_INTEGERDUP`).
    public static let integerDuplicates = DatabaseFlags(rawValue: UInt32(MDB_INTEGERDUP))
}

/// A handle to a named database inside an ``Environment``; valid for the environment's life.
public struct Database: Sendable, Hashable {
    let dbi: MDB_dbi
    /// The database's name.
    public let name: String
    /// The flags it was opened with.
    public let flags: DatabaseFlags
}

/// Flags for a single `put`.
public struct PutFlags: OptionSet, Sendable {
    /// The raw `MDB_*` bits.
    public let rawValue: UInt32
    /// Creates flags from raw `MDB_*` bits.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Fail with `MDB_KEYEXIST` instead of replacing an existing key (`MDB_NOOVERWRITE`).
    public static let noOverwrite = PutFlags(rawValue: UInt32(MDB_NOOVERWRITE))
    /// With duplicates, fail if the key/value pair already exists (`MDB_NODUPDATA`).
    public static let noDuplicateData = PutFlags(rawValue: UInt32(MDB_NODUPDATA))
    /// Keys are being added in sorted order: append at the end of the database (`MDB_APPEND`).
    public static let append = PutFlags(rawValue: UInt32(MDB_APPEND))
}
