import LMDB

extension Store {
    /// Every metadata field the store has recorded: its type and whether filters can use it.
    public func fields() throws -> [String: FieldInfo] {
        guard let metadataIndex else { return [:] }
        return try storageErrors {
            try environment.read { txn in try FieldCatalog(txn: txn, database: metadataIndex.fields).fields }
        }
    }

    /// Reads the field catalog for a write transaction (empty when the store has no metadata index).
    func fieldCatalog(in txn: Transaction) throws -> FieldCatalog? {
        guard let metadataIndex else { return nil }
        return try FieldCatalog(txn: txn, database: metadataIndex.fields)
    }

    /// Checks `document`'s metadata against `catalog` and adds postings for internal id `id`.
    func indexMetadata(of document: Document, id: UInt32, catalog: inout FieldCatalog?, txn: Transaction) throws {
        guard let metadataIndex, var fields = catalog else { return }
        defer { catalog = fields }
        for (name, value) in document.metadata {
            guard try fields.admit(name, value: value, documentID: document.id) else { continue }
            let prefix = PostingKey.prefix(field: name)
            for part in PostingKey.valueParts(value) {
                try withUnsafeBytes(of: id) { idBytes in
                    try (prefix + part).withUnsafeBytes { key in
                        try txn.put(metadataIndex.postings, key: key, value: idBytes)
                    }
                }
            }
        }
    }

    /// Removes the postings of internal id `id`, reading its metadata from its stored document.
    /// Call before the document is deleted.
    func unindexMetadata(of id: UInt32, txn: Transaction) throws {
        guard let metadataIndex, let document = try loadDocument(id, txn: txn) else { return }
        let idBytes = withUnsafeBytes(of: id) { Array($0) }
        for (name, value) in document.metadata {
            let prefix = PostingKey.prefix(field: name)
            for part in PostingKey.valueParts(value) {
                try txn.delete(metadataIndex.postings, key: prefix + part, value: idBytes)
            }
        }
    }

    /// Writes the fields first seen by this transaction.
    func saveFieldCatalog(_ catalog: inout FieldCatalog?, txn: Transaction) throws {
        guard let metadataIndex, var fields = catalog else { return }
        try fields.save(to: metadataIndex.fields, txn: txn)
        catalog = fields
    }

    /// Creates the metadata index of a store written before it existed, from every stored document.
    static func buildMetadataIndex(
        _ environment: Environment, databases: StoreDatabases
    ) throws -> MetadataDatabases {
        try environment.write { txn in
            let index = try MetadataDatabases(txn: txn, create: true)
            var catalog = try FieldCatalog(txn: txn, database: index.fields)
            let cursor = try txn.cursor(databases.docs)
            var entry = try cursor.first()
            while let (key, value) = entry {
                guard key.count == 4 else {
                    throw QuiverError.corruptRecord(database: "docs", key: "\(key.count)-byte key", reason: "bad key")
                }
                let id = key.loadUnaligned(as: UInt32.self)
                let document: Document
                do {
                    document = try DocumentCodec.decode(value)
                } catch let error as DocumentCodec.DecodingError {
                    throw QuiverError.corruptRecord(database: "docs", key: "\(id)", reason: error.reason)
                }
                for (name, value) in document.metadata {
                    guard try catalog.admit(name, value: value, documentID: document.id) else { continue }
                    let prefix = PostingKey.prefix(field: name)
                    for part in PostingKey.valueParts(value) {
                        try withUnsafeBytes(of: id) { idBytes in
                            try (prefix + part).withUnsafeBytes { try txn.put(index.postings, key: $0, value: idBytes) }
                        }
                    }
                }
                entry = try cursor.next()
            }
            try catalog.save(to: index.fields, txn: txn)
            return index
        }
    }
}

extension Store {
    /// Opens the metadata index of an existing store; a store from before the index existed
    /// gets one built from its documents, or none when opened read-only (filters then fail
    /// with ``FilterError/indexUnavailable``).
    static func openMetadataIndex(
        _ environment: Environment, databases: StoreDatabases, readOnly: Bool
    ) throws -> MetadataDatabases? {
        do {
            return try environment.withDatabaseTransaction { txn in try MetadataDatabases(txn: txn, create: false) }
        } catch let error as LMDBError where error.isNotFound {
            return readOnly ? nil : try buildMetadataIndex(environment, databases: databases)
        }
    }
}
