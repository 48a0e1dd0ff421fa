/// One well-formed row of a TSV file, converted to a ``Document``.
public struct TSVRecord: Sendable, Hashable {
    /// The 1-based line number in the file (a header row is line 1).
    public var line: Int
    /// The document built from the row.
    public var document: Document
    /// The line exactly as read, without its LF; useful for reporting a row that is rejected
    /// later, e.g. by the store (see ``TSVRejectedRow``).
    public var rawLine: String

    /// Creates a record.
    public init(line: Int, document: Document, rawLine: String) {
        self.line = line
        self.document = document
        self.rawLine = rawLine
    }
}
