/// A malformed row in a TSV file: where it is, what is wrong, and what it said.
///
/// Returned (not thrown) by ``TSVReader/next()`` so the caller can stop at the first bad row
/// or skip it and carry on; see ``TSVRejectedRow`` for writing skipped rows to a side file.
public struct TSVRowError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong with a row.
    public enum Reason: Sendable, Hashable, CustomStringConvertible {
        /// The file starts with a UTF-8 byte order mark (bytes EF BB BF).
        case byteOrderMark
        /// The line ends with CR LF (a Windows line ending).
        case crlfLineEnding
        /// The line is empty.
        case blankLine
        /// The line is `length` bytes long, more than the reader's limit of `limit` bytes.
        case lineTooLong(length: Int, limit: Int)
        /// The line has `actual` tab-separated cells instead of `expected`.
        case wrongColumnCount(expected: Int, actual: Int)
        /// A cell is not valid UTF-8; `column` is `nil` for a header row.
        case invalidUTF8(column: String?)
        /// A cell contains a NUL byte; `column` is `nil` for a header row.
        case nulByte(column: String?)
        /// The id cell is empty.
        case emptyID(column: String)
        /// The id is `length` UTF-8 bytes long, more than ``Document/maximumIDLength``.
        case idTooLong(length: Int, limit: Int)
        /// A typed metadata cell cannot be parsed as its column's type.
        case invalidValue(column: String, type: ValueType, text: String)
        /// A cell holds a backslash escape other than `\t`, `\n`, `\r`, `\\`, `\,`, or ends in a
        /// lone backslash (only when the schema reads ``TSVSchema/escapes``).
        case invalidEscape(column: String)

        /// A one-line explanation of the problem, with a hint on fixing it where there is one.
        public var description: String {
            switch self {
            case .byteOrderMark:
                return "file starts with a UTF-8 byte order mark (EF BB BF); remove it, "
                    + "e.g. with sed -i '1s/^\\xEF\\xBB\\xBF//' FILE"
            case .crlfLineEnding:
                return "line ends with CR LF (Windows line ending); convert the file to LF line endings, "
                    + "e.g. with sed -i 's/\\r$//' FILE"
            case .blankLine:
                return "blank line"
            case let .lineTooLong(length, limit):
                return "line too long: \(length) bytes, the limit is \(limit) bytes"
            case let .wrongColumnCount(expected, actual):
                return "expected \(expected) columns, got \(actual) (columns are separated by tabs; "
                    + "cells cannot contain tabs or newlines)"
            case let .invalidUTF8(column):
                if let column { return "column '\(column)' is not valid UTF-8" }
                return "line is not valid UTF-8"
            case let .nulByte(column):
                if let column { return "column '\(column)' contains a NUL byte" }
                return "line contains a NUL byte"
            case let .emptyID(column):
                return "empty id (column '\(column)')"
            case let .idTooLong(length, limit):
                return "id too long: \(length) UTF-8 bytes, the limit is \(limit)"
            case let .invalidEscape(column):
                return "column '\(column)' has an invalid backslash escape (known: \\t \\n \\r \\\\ \\,)"
            case let .invalidValue(column, type, text):
                let quoted = Self.quoted(text)
                switch type {
                case .int:
                    return "column '\(column)' expects an int (64-bit integer), got \(quoted)"
                case .double:
                    return "column '\(column)' expects a finite number, got \(quoted)"
                case .bool:
                    return "column '\(column)' expects a bool (true/false, yes/no, 1/0), got \(quoted)"
                case .string, .strings:
                    return "column '\(column)' has an invalid \(type.rawValue) value \(quoted)"
                }
            }
        }

        /// `text` in single quotes, shortened to at most 80 characters.
        private static func quoted(_ text: String) -> String {
            let limit = 80
            guard text.count > limit else { return "'\(text)'" }
            return "'\(text.prefix(limit))…'"
        }
    }

    /// The longest prefix of a too-long line kept in ``rawLine``, in bytes.
    public static let rawLinePrefixLimit = 1024

    /// The 1-based line number in the file (a header row is line 1).
    public var line: Int
    /// What is wrong.
    public var reason: Reason
    /// The line as read, without its LF.
    ///
    /// Bytes that are not valid UTF-8 are replaced by U+FFFD (see ``isRawLineExact``); for
    /// ``Reason/lineTooLong(length:limit:)`` only the first ``rawLinePrefixLimit`` bytes are kept.
    public var rawLine: String

    /// Creates a row error.
    public init(line: Int, reason: Reason, rawLine: String) {
        self.line = line
        self.reason = reason
        self.rawLine = rawLine
    }

    /// Whether ``rawLine`` reproduces the original line byte for byte: `false` when the line
    /// was not valid UTF-8 or was too long to keep in full.
    public var isRawLineExact: Bool {
        switch reason {
        case .invalidUTF8, .lineTooLong: false
        default: true
        }
    }

    /// `line N: reason`.
    public var description: String {
        "line \(line): \(reason)"
    }
}
