import LMDB

/// Why a store cannot be exported as TSV.
public enum ExportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Two documents hold values of different types under the same field name.
    case conflictingFieldTypes(field: String, types: [ValueType])
    /// A field name cannot be a TSV column: it is `id` or `text`, or holds a tab or a line break.
    case unrepresentableFieldName(String)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case let .conflictingFieldTypes(field, types):
            "field '\(field)' holds values of types \(types.map(\.rawValue).joined(separator: " and ")); "
                + "a TSV column has one type"
        case let .unrepresentableFieldName(name):
            "field name \(name.debugDescription) cannot be a TSV column (it is id or text, or holds a tab or line break)"
        }
    }
}

extension Store {
    /// Writes every document as TSV lines to `output`, on one snapshot, and returns how many.
    ///
    /// The first line is the header `id`, `text`, then each metadata field as `name:type`
    /// (sorted by name); cells use the backslash escapes of ``TSVEscaping``. Importing the
    /// output with ``TSVSchema/escapes`` on (`quiver import FILE --escapes`) gives back the
    /// same documents with the same metadata types — except for empty strings and empty tag
    /// lists, which TSV cannot tell from absent fields, and tags' surrounding spaces, which
    /// imports trim. Vectors are not written: an import encodes the texts again.
    ///
    /// - Parameters:
    ///   - output: Receives each line, without its line feed.
    ///   - progress: Called with the number of documents written so far, every 10,000 documents.
    @discardableResult
    public func exportTSV(to output: (String) throws -> Void, progress: ((Int) -> Void)? = nil) throws -> Int {
        try storageErrors {
            try environment.read { txn in
                // First pass: the fields and their types.
                var fields: [String: ValueType] = [:]
                try forEachStoredDocument(txn) { document in
                    for (name, value) in document.metadata {
                        if let known = fields[name], known != value.type {
                            throw ExportError.conflictingFieldTypes(field: name, types: [known, value.type].sorted { $0.rawValue < $1.rawValue })
                        }
                        fields[name] = value.type
                    }
                }
                let names = fields.keys.sorted()
                for name in names where name == "id" || name == "text" || name.contains(where: { $0 == "\t" || $0.isNewline }) {
                    throw ExportError.unrepresentableFieldName(name)
                }
                try output((["id", "text"] + names.map { "\($0):\(fields[$0]?.rawValue ?? "string")" }).joined(separator: "\t"))
                var written = 0
                try forEachStoredDocument(txn) { document in
                    var cells = [TSVEscaping.escape(document.id), TSVEscaping.escape(document.text)]
                    for name in names {
                        cells.append(document.metadata[name].map(Self.cell) ?? "")
                    }
                    try output(cells.joined(separator: "\t"))
                    written += 1
                    if written % 10_000 == 0 { progress?(written) }
                }
                return written
            }
        }
    }

    /// The TSV cell of a metadata value.
    private static func cell(_ value: Value) -> String {
        switch value {
        case .string(let text): TSVEscaping.escape(text)
        case .int(let number): String(number)
        case .double(let number): "\(number)"
        case .bool(let flag): flag ? "true" : "false"
        case .strings(let tags): tags.map { TSVEscaping.escape($0, tag: true) }.joined(separator: ",")
        }
    }

    /// Calls `body` with every document of `txn`, in internal-id (insertion) order.
    func forEachStoredDocument(_ txn: Transaction, _ body: (Document) throws -> Void) throws {
        let cursor = try txn.cursor(databases.docs)
        var entry = try cursor.first()
        while let (key, value) = entry {
            do {
                try body(try DocumentCodec.decode(value))
            } catch let error as DocumentCodec.DecodingError {
                let id = key.count == 4 ? "\(key.loadUnaligned(as: UInt32.self))" : "?"
                throw QuiverError.corruptRecord(database: "docs", key: id, reason: error.reason)
            }
            entry = try cursor.next()
        }
    }
}
