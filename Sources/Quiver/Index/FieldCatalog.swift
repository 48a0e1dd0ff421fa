import LMDB

/// The store's recorded fields, read once per transaction; new fields seen by a write are
/// recorded when the write ends (``save(to:txn:)``).
struct FieldCatalog {
    private(set) var fields: [String: FieldInfo]
    private var changed: Set<String> = []

    /// Reads every record of the `fields` database.
    init(txn: Transaction, database: Database) throws {
        var fields: [String: FieldInfo] = [:]
        let cursor = try txn.cursor(database)
        var entry = try cursor.first()
        while let (key, value) = entry {
            let name = String(decoding: key, as: UTF8.self)
            guard let info = FieldInfo(encoded: value) else {
                throw QuiverError.corruptRecord(database: "fields", key: name, reason: "a \(value.count)-byte field record")
            }
            fields[name] = info
            entry = try cursor.next()
        }
        self.fields = fields
    }

    /// The catalog of a new store: `declared` types (indexed unless named in `unindexed`).
    init(declared: [String: ValueType], unindexed: Set<String>) throws(MetadataError) {
        var fields: [String: FieldInfo] = [:]
        for (name, type) in declared {
            fields[name] = FieldInfo(type: type, isIndexed: !unindexed.contains(name))
        }
        for name in unindexed where fields[name] == nil {
            fields[name] = FieldInfo(type: nil, isIndexed: false)
        }
        for name in fields.keys where name.isEmpty || name.utf8.count > 255 {
            throw .invalidDeclaration(field: name, reason: "names must be 1–255 UTF-8 bytes")
        }
        self.fields = fields
        changed = Set(fields.keys)
    }

    /// The field `name`, if recorded.
    subscript(name: String) -> FieldInfo? { fields[name] }

    /// Checks `value` against field `name`'s type, recording the type on first sight;
    /// returns whether the field is indexed.
    mutating func admit(_ name: String, value: Value, documentID: String) throws(MetadataError) -> Bool {
        let type = value.type
        if let info = fields[name] {
            if let recorded = info.type {
                guard recorded == type else {
                    throw .typeConflict(field: name, recorded: recorded, found: type, documentID: documentID)
                }
            } else {
                fields[name] = FieldInfo(type: type, isIndexed: info.isIndexed)
                changed.insert(name)
            }
            if info.isIndexed, case .double(let d) = value, d.isNaN {
                throw .notANumber(field: name, documentID: documentID)
            }
            return info.isIndexed
        }
        if case .double(let d) = value, d.isNaN { throw .notANumber(field: name, documentID: documentID) }
        fields[name] = FieldInfo(type: type, isIndexed: true)
        changed.insert(name)
        return true
    }

    /// Writes the records that changed since the catalog was read.
    mutating func save(to database: Database, txn: Transaction) throws {
        for name in changed.sorted() {
            guard let info = fields[name] else { continue }
            try txn.put(database, key: name, value: info.encoded)
        }
        changed.removeAll()
    }
}
