/// A document's metadata that does not fit the store's recorded field types.
public enum MetadataError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A value's type differs from the type the store recorded for the field.
    case typeConflict(field: String, recorded: ValueType, found: ValueType, documentID: String)
    /// A double value that is NaN, which no comparison can match, in an indexed field.
    case notANumber(field: String, documentID: String)
    /// A field declared twice with different types, or both typed and unindexed inconsistently, in ``StoreOptions``.
    case invalidDeclaration(field: String, reason: String)

    /// What was wrong and what to do.
    public var description: String {
        switch self {
        case .typeConflict(let field, let recorded, let found, let id):
            "document \(id.debugDescription): field \(field.debugDescription) holds a \(found.rawValue) value, but the store records the field as \(recorded.rawValue); convert the value or use another field name"
        case .notANumber(let field, let id):
            "document \(id.debugDescription): field \(field.debugDescription) is NaN, which an indexed field cannot hold; leave the field out instead"
        case .invalidDeclaration(let field, let reason):
            "invalid declaration of field \(field.debugDescription): \(reason)"
        }
    }
}
