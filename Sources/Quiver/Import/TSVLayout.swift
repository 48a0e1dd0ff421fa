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
    /// Whether cells hold backslash escapes.
    var escapes: Bool

    /// Checks `schema` against `columns` (the header or the schema's own names).
    ///
    /// - Throws: ``TSVError`` when a name is empty, repeated or unknown, or when the roles
    ///   overlap.
    init(schema: TSVSchema, columns declared: [String]) throws(TSVError) {
        guard !declared.isEmpty else {
            throw .invalidSchema(reason: "the column list is empty")
        }
        // `name:type` header cells declare a metadata column's type.
        var columns: [String] = []
        var headerTypes: [String: ValueType] = [:]
        for name in declared {
            if let colon = name.lastIndex(of: ":"), let type = ValueType(rawValue: String(name[name.index(after: colon)...])),
               colon != name.startIndex {
                let bare = String(name[..<colon])
                columns.append(bare)
                headerTypes[bare] = type
            } else {
                columns.append(name)
            }
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

        for name in headerTypes.keys.sorted() {
            guard let index = positions[name] else { continue }
            if index == idIndex || textIndices.contains(index) {
                let role = index == idIndex ? "the id column" : "a text column"
                throw .invalidSchema(reason: "column '\(name)' is \(role) and cannot declare a type in the header")
            }
            if let given = schema.fieldTypes[name], let declared = headerTypes[name], given != declared {
                throw .invalidSchema(
                    reason: "column '\(name)' is declared \(declared.rawValue) in the header but \(given.rawValue) in fieldTypes")
            }
        }

        var metadata: [MetadataColumn] = []
        for (index, name) in columns.enumerated() where index != idIndex && !textIndices.contains(index) {
            metadata.append(MetadataColumn(
                index: index, name: name, type: schema.fieldTypes[name] ?? headerTypes[name] ?? .string))
        }

        self.columns = columns
        self.idIndex = idIndex
        self.textIndices = textIndices
        self.metadata = metadata
        self.textSeparator = schema.textSeparator
        self.escapes = schema.escapes
    }
}
