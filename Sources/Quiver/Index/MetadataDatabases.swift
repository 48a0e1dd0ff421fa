import LMDB

/// The metadata index's LMDB databases (see docs/storage-format.md).
struct MetadataDatabases: Sendable {
    /// field name → type and whether it is indexed.
    let fields: Database
    /// field ‖ order-preserving value → internal ids (`MDB_DUPSORT | MDB_DUPFIXED | MDB_INTEGERDUP`).
    let postings: Database

    /// The flags of the `postings` database: sorted, fixed-size, integer duplicates.
    static let postingsFlags: DatabaseFlags = [.duplicateSort, .duplicateFixed, .integerDuplicates]

    /// Opens (and, when `create` is true, creates) both databases inside `txn`.
    init(txn: Transaction, create: Bool) throws {
        fields = try txn.openDatabase("fields", create: create)
        postings = try txn.openDatabase("postings", flags: Self.postingsFlags, create: create)
    }
}
