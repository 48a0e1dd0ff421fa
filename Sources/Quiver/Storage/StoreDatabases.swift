import LMDB

/// The named LMDB databases of a store (see docs/storage-format.md).
struct StoreDatabases: Sendable {
    /// Names of every database a store of this format has.
    static let names = ["meta", "keys", "docs", "vectors", "deleted", "graph", "graph_upper"]

    /// name → value: the manifest and counters.
    let meta: Database
    /// external id (UTF-8) → internal id (UInt32 LE).
    let keys: Database
    /// internal id (integer key) → encoded document.
    let docs: Database
    /// chunk number (integer key) → live bitmap + vectors.
    let vectors: Database
    /// internal id (integer key) → empty: tombstones until compaction.
    let deleted: Database
    /// chunk number (integer key) → level-0 neighbour records.
    let graph: Database
    /// big-endian internal id ‖ level → neighbour list on that level (levels ≥ 1).
    let graphUpper: Database

    /// Opens (and, when `create` is true, creates) every database inside `txn`.
    init(txn: Transaction, create: Bool) throws {
        meta = try txn.openDatabase("meta", create: create)
        keys = try txn.openDatabase("keys", create: create)
        docs = try txn.openDatabase("docs", flags: .integerKey, create: create)
        vectors = try txn.openDatabase("vectors", flags: .integerKey, create: create)
        deleted = try txn.openDatabase("deleted", flags: .integerKey, create: create)
        graph = try txn.openDatabase("graph", flags: .integerKey, create: create)
        graphUpper = try txn.openDatabase("graph_upper", create: create)
    }
}
