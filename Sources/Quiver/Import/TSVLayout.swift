/// A ``TSVSchema`` checked against the actual column names: where each role's cells are.
struct TSVLayout: Sendable {
    /// A metadata column: its position, name and type.
    struct MetadataColumn: Sendable {
        var index: Int
        var name: String
        var type: ValueType
    }

    /// All column names in file order.
    var columns: [String]
    /// The position of the id column.
    var idIndex: Int
    /// The positions of the text columns, in join order.
    var textIndices: [Int]
    /// The metadata columns in file order.
    var metadata: [MetadataColumn]
    /// The separator between non-empty text cells.
    var textSeparator: String

    /// Checks `schema` against `columns` (the header or the schema's own names).
    ///
    /// - Throws: ``TSVError`` when a name is empty, repeated or unknown, or when the roles
    ///   overlap.
    init(schema: TSVSchema, columns: [String]) throws(TSVError) {
        guard !columns.isEmpty else {
            throw .invalidSchema(reason: "the column list is empty")
        }
        var positions: [String: Int] = [:]
        for (offset, name) in columns.enumerated() {
            guard !name.isEmpty else { throw .emptyColumnName(position: offset + 1) }
            guard positions[name] == nil else { throw .duplicateColumn(name: name) }
            positions[name] = offset
        }

        func position(of name: String, option: String) throws(TSVError) -> Int {
            guard let index = positions[name] else {
                throw .unknownColumn(name: name, option: option, available: columns)
            }
            return index
        }

        let idIndex = try position(of: schema.idColumn, option: "idColumn")
        guard !schema.textColumns.isEmpty else {
            throw .invalidSchema(reason: "textColumns is empty; name at least one column holding document text")
        }
        var textIndices: [Int] = []
        for name in schema.textColumns {
            let index = try position(of: name, option: "textColumns")
            guard index != idIndex else {
                throw .invalidSchema(reason: "column '\(name)' is the id column and cannot also be a text column")
            }
            guard !textIndices.contains(index) else {
                throw .invalidSchema(reason: "column '\(name)' is listed twice in textColumns")
            }
            textIndices.append(index)
        }
        for name in schema.fieldTypes.keys.sorted() {
            let index = try position(of: name, option: "fieldTypes")
            guard index != idIndex, !textIndices.contains(index) else {
                let role = index == idIndex ? "the id column" : "a text column"
                throw .invalidSchema(
                    reason: "column '\(name)' is \(role); fieldTypes applies to metadata columns only"
                )
            }
        }

        var metadata: [MetadataColumn] = []
        for (index, name) in columns.enumerated() where index != idIndex && !textIndices.contains(index) {
            metadata.append(MetadataColumn(index: index, name: name, type: schema.fieldTypes[name] ?? .string))
        }

        self.columns = columns
        self.idIndex = idIndex
        self.textIndices = textIndices
        self.metadata = metadata
        self.textSeparator = schema.textSeparator
    }
}
