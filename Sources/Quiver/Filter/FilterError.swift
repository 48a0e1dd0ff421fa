/// Why a well-formed filter cannot be applied to a store.
public enum FilterError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No document has the field and it was not declared.
    case unknownField(String, known: [String])
    /// The field exists but is kept out of the metadata index (``StoreOptions/unindexedFields``).
    case unindexedField(String)
    /// A literal of the wrong type for the field, e.g. `year = "2020"` for an integer field.
    case typeMismatch(field: String, fieldType: ValueType, literal: Value)
    /// An operator the field's type does not support, e.g. `<` on a boolean or `=` on tags.
    case unsupportedOperator(field: String, fieldType: ValueType, operator: String, hint: String)
    /// The store predates the metadata index and was opened read-only, so the index could not be built.
    case indexUnavailable

    /// What was wrong and what to do.
    public var description: String {
        switch self {
        case .unknownField(let name, let known):
            "filter names the unknown field \(Filter.render(name: name)); the store's fields are: "
                + (known.isEmpty ? "(none)" : known.sorted().map(Filter.render(name:)).joined(separator: ", "))
        case .unindexedField(let name):
            "field \(Filter.render(name: name)) is not indexed (it was declared in StoreOptions.unindexedFields), so filters cannot use it"
        case .typeMismatch(let field, let type, let literal):
            "field \(Filter.render(name: field)) holds \(type.rawValue) values, but the filter compares it with \(Filter.render(value: literal)) (\(literal.type.rawValue))"
        case .unsupportedOperator(let field, let type, let op, let hint):
            "\(op) does not apply to field \(Filter.render(name: field)), which holds \(type.rawValue) values: \(hint)"
        case .indexUnavailable:
            "this store predates the metadata index; open it once writable (not read-only) to build the index, then filter"
        }
    }
}
