/// A problem that stops a TSV import as a whole: the file cannot be read, or its header or
/// the ``TSVSchema`` is unusable.
///
/// Problems confined to one row are reported as ``TSVRowError`` instead, so that the caller
/// can decide whether to stop or skip the row.
public enum TSVError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file could not be opened.
    case cannotOpen(path: String, reason: String)
    /// Reading the file failed part-way through.
    case readFailed(path: String, reason: String)
    /// The schema expects a header row but the file is empty.
    case missingHeader(path: String)
    /// The header row is malformed (for example it starts with a byte order mark, ends with
    /// CR LF, or is not valid UTF-8).
    case badHeader(TSVRowError)
    /// A column name is empty; `position` is 1-based.
    case emptyColumnName(position: Int)
    /// Two columns have the same name.
    case duplicateColumn(name: String)
    /// A schema option (`idColumn`, `textColumns` or `fieldTypes`) names a column that does
    /// not exist; `available` lists the actual columns.
    case unknownColumn(name: String, option: String, available: [String])
    /// The schema is inconsistent, for example a column is both the id and a text column.
    case invalidSchema(reason: String)

    /// A one-line explanation suitable for showing to a user.
    public var description: String {
        switch self {
        case let .cannotOpen(path, reason):
            "cannot open '\(path)': \(reason)"
        case let .readFailed(path, reason):
            "cannot read '\(path)': \(reason)"
        case let .missingHeader(path):
            "'\(path)' is empty, but a header row naming the columns was expected"
        case let .badHeader(error):
            "bad header row: \(error)"
        case let .emptyColumnName(position):
            "column \(position) has an empty name"
        case let .duplicateColumn(name):
            "column name '\(name)' appears more than once"
        case let .unknownColumn(name, option, available):
            "\(option) names column '\(name)', which does not exist; the columns are "
                + available.map { "'\($0)'" }.joined(separator: ", ")
        case let .invalidSchema(reason):
            "invalid TSV schema: \(reason)"
        }
    }
}
