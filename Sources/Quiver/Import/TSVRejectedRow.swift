/// A row that was skipped during an import, formatted for a side file of rejected rows.
///
/// Each entry is one line of three tab-separated parts:
///
/// ```
/// LINE<TAB>REASON<TAB>ORIGINAL LINE
/// ```
///
/// `LINE` is the 1-based line number in the input file and `REASON` a one-line explanation
/// (tabs and line breaks replaced by spaces). Everything after the second tab is the original
/// line, tabs included, so `cut -f3-` recovers it for fixing and re-importing. When that text
/// is not an exact copy (the line was not valid UTF-8, or was too long to keep), the reason
/// says so.
public struct TSVRejectedRow: Sendable, Hashable, CustomStringConvertible {
    /// A comment line describing the format, suitable as a side file's first line.
    public static let header = "# line\treason\toriginal line (everything after the second tab)"

    /// The 1-based line number in the input file.
    public var line: Int
    /// Why the row was rejected.
    public var reason: String
    /// The original line, or the best available rendering of it.
    public var rawLine: String

    /// Creates an entry from its parts.
    public init(line: Int, reason: String, rawLine: String) {
        self.line = line
        self.reason = reason
        self.rawLine = rawLine
    }

    /// Creates an entry for a row the reader found malformed.
    public init(_ error: TSVRowError) {
        var reason = error.reason.description
        switch error.reason {
        case .invalidUTF8:
            reason += " (original line shown with invalid bytes replaced by U+FFFD)"
        case .lineTooLong:
            reason += " (only the first \(TSVRowError.rawLinePrefixLimit) bytes of the line are shown)"
        default:
            break
        }
        self.init(line: error.line, reason: reason, rawLine: error.rawLine)
    }

    /// Creates an entry for a well-formed row that was rejected later, e.g. by the store.
    public init(_ record: TSVRecord, reason: String) {
        self.init(line: record.line, reason: reason, rawLine: record.rawLine)
    }

    /// The entry as one line, without a trailing newline.
    public var description: String {
        let flatReason = String(reason.map { $0 == "\t" || $0.isNewline ? " " : $0 })
        return "\(line)\t\(flatReason)\t\(rawLine)"
    }
}
