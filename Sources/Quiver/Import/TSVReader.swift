/// Reads documents from a tab-separated values file, one row at a time.
///
/// The file must be UTF-8 with LF line endings, one record per line and cells separated by
/// tabs; there is no quoting or escaping, so cells cannot contain tabs or line breaks. The
/// file is read in chunks, so it may be much larger than memory.
///
/// ```swift
/// let reader = try TSVReader(path: "corpus.tsv",
///                            schema: TSVSchema(columns: ["id", "title", "text"],
///                                              textColumns: ["title", "text"]))
/// while let row = try reader.next() {
///     switch row {
///     case .success(let record): batch.append(record.document)
///     case .failure(let error): print(error)  // "line 12: expected 3 columns, got 2 ..."
///     }
/// }
/// ```
///
/// Rows with the same id are all returned; when they are stored, later rows replace earlier
/// ones. A reader is a single-pass iterator and is not thread-safe: use it from one task.
public final class TSVReader {
    /// The default limit on the length of a line: 16 MiB.
    public static let defaultMaximumLineLength = 16 * 1024 * 1024

    /// The path of the file being read.
    public let path: String
    /// The schema the reader was created with.
    public let schema: TSVSchema
    /// The column names in file order, from the schema or the header row.
    public let columns: [String]
    /// The longest line accepted, in bytes without the LF.
    public let maximumLineLength: Int

    private let source: TSVLineSource
    private var parser: TSVRowParser
    private var linesRead: Int

    /// Opens a file and checks `schema` against its columns, reading the header row when
    /// `schema.columns` is `nil`.
    ///
    /// - Parameters:
    ///   - path: The file to read.
    ///   - schema: How columns map onto documents.
    ///   - maximumLineLength: The longest line accepted, in bytes; longer lines are reported
    ///     as ``TSVRowError/Reason/lineTooLong(length:limit:)`` and skipped without being
    ///     held in memory. Values below 1 are treated as 1.
    /// - Throws: ``TSVError`` when the file cannot be opened or read, the header row is
    ///   missing or malformed, or the schema does not fit the columns.
    public convenience init(
        path: String,
        schema: TSVSchema = TSVSchema(),
        maximumLineLength: Int = TSVReader.defaultMaximumLineLength
    ) throws(TSVError) {
        try self.init(path: path, schema: schema, maximumLineLength: maximumLineLength, chunkSize: 1 << 20)
    }

    /// Opens a file reading `chunkSize` bytes at a time (tests use tiny chunks to exercise
    /// lines that straddle chunk boundaries).
    init(path: String, schema: TSVSchema, maximumLineLength: Int, chunkSize: Int) throws(TSVError) {
        let maximumLineLength = max(1, maximumLineLength)
        let source = try TSVLineSource(path: path, maximumLineLength: maximumLineLength, chunkSize: max(1, chunkSize))
        var linesRead = 0
        let columns: [String]
        if let explicit = schema.columns {
            columns = explicit
        } else {
            let header = try source.withNextLine { line -> Result<[String], TSVRowError> in
                switch line {
                case let .complete(bytes):
                    TSVRowParser.parseHeader(bytes)
                case let .tooLong(length, prefix):
                    .failure(TSVRowError(
                        line: 1,
                        reason: .lineTooLong(length: length, limit: maximumLineLength),
                        rawLine: String(decoding: prefix, as: UTF8.self)
                    ))
                }
            }
            switch header {
            case nil: throw .missingHeader(path: path)
            case let .failure(error)?: throw .badHeader(error)
            case let .success(names)?: columns = names
            }
            linesRead = 1
        }
        let layout = try TSVLayout(schema: schema, columns: columns)

        self.path = path
        self.schema = schema
        self.columns = columns
        self.maximumLineLength = maximumLineLength
        self.source = source
        self.parser = TSVRowParser(layout: layout)
        self.linesRead = linesRead
    }

    /// The number of bytes of the file consumed so far (header and line terminators
    /// included); equals ``fileSize`` once ``next()`` has returned `nil`.
    public var bytesRead: Int { source.bytesConsumed }

    /// The size of the file in bytes when it was opened, or 0 when unknown (e.g. a pipe).
    public var fileSize: Int { source.fileSize }

    /// Reads the next row.
    ///
    /// - Returns: The row as a record, or the reason it is malformed; `nil` at the end of the
    ///   file. After a malformed row, reading continues with the following line.
    /// - Throws: ``TSVError/readFailed(path:reason:)`` when the file cannot be read further.
    public func next() throws(TSVError) -> Result<TSVRecord, TSVRowError>? {
        let lineNumber = linesRead + 1
        let limit = maximumLineLength
        let row = try source.withNextLine { line -> Result<TSVRecord, TSVRowError> in
            switch line {
            case let .complete(bytes):
                parser.parse(bytes, line: lineNumber)
            case let .tooLong(length, prefix):
                .failure(TSVRowError(
                    line: lineNumber,
                    reason: .lineTooLong(length: length, limit: limit),
                    rawLine: String(decoding: prefix, as: UTF8.self)
                ))
            }
        }
        if row != nil { linesRead = lineNumber }
        return row
    }
}

@available(*, unavailable, message: "A TSVReader is a single-pass iterator; use it from one task.")
extension TSVReader: Sendable {}
