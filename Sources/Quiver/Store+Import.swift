/// Settings for ``Store/importTSV(at:schema:options:rejected:progress:)``.
public struct ImportOptions: Sendable {
    /// Rows per transaction; each batch is committed whole or not at all.
    public var batchSize: Int
    /// Keep going past malformed rows, handing each to the `rejected` callback, instead of stopping.
    public var skipsBadRows: Bool

    /// Creates options.
    public init(batchSize: Int = 1_000, skipsBadRows: Bool = false) {
        self.batchSize = max(1, batchSize)
        self.skipsBadRows = skipsBadRows
    }
}

/// How far an import has come.
public struct ImportProgress: Sendable, Hashable {
    /// Rows read from the file so far (good and bad).
    public var rowsRead: Int
    /// Rows committed to the store.
    public var rowsCommitted: Int
    /// Rows rejected as malformed.
    public var rowsRejected: Int
    /// Bytes of the file consumed.
    public var bytesRead: Int
    /// The file's size in bytes.
    public var totalBytes: Int
}

/// The outcome of a completed import.
public struct ImportReport: Sendable, Hashable {
    /// Rows committed (each a document inserted, replaced or found unchanged).
    public var rowsCommitted: Int
    /// Transactions committed.
    public var batchesCommitted: Int
    /// Rows rejected and skipped.
    public var rowsRejected: Int
    /// New documents.
    public var inserted: Int
    /// Documents that replaced a different stored version.
    public var replaced: Int
    /// Documents identical to the stored version.
    public var unchanged: Int
}

/// Why an import stopped early.
public enum ImportError: Error, Sendable, CustomStringConvertible {
    /// The file could not be read or its header/schema is wrong; nothing was imported.
    case file(TSVError)
    /// A malformed row stopped the import before its batch was committed.
    case badRow(TSVRowError, committed: ImportReport)
    /// Storing a batch failed; the batch was not committed, earlier batches were.
    case store(QuiverError, committed: ImportReport)

    /// What went wrong, and how many rows are safely in the store.
    public var description: String {
        switch self {
        case .file(let error):
            "\(error)"
        case .badRow(let error, let report):
            "\(error)\nimport stopped before committing the batch holding that line; "
                + "\(report.rowsCommitted) rows in \(report.batchesCommitted) batches were committed. "
                + "Fix the row, or pass --skip-bad-rows to set bad rows aside"
        case .store(let error, let report):
            "\(error)\nthe failing batch was not committed; \(report.rowsCommitted) rows in "
                + "\(report.batchesCommitted) batches were committed"
        }
    }
}

extension Store {
    /// Imports the TSV file at `path` in batches, each its own transaction.
    ///
    /// Re-importing a file is idempotent: unchanged documents are left as they are. A malformed
    /// row stops the import before its batch is committed (throwing ``ImportError/badRow(_:committed:)``),
    /// unless `options.skipsBadRows` is set, in which case `rejected` receives it and the import goes on.
    /// `progress` is called after every batch.
    @discardableResult
    public func importTSV(
        at path: String,
        schema: TSVSchema,
        options: ImportOptions = ImportOptions(),
        rejected: (TSVRejectedRow) throws -> Void = { _ in },
        progress: (ImportProgress) -> Void = { _ in }
    ) throws -> ImportReport {
        let reader: TSVReader
        do {
            reader = try TSVReader(path: path, schema: schema)
        } catch {
            throw ImportError.file(error)
        }
        var report = ImportReport(
            rowsCommitted: 0, batchesCommitted: 0, rowsRejected: 0, inserted: 0, replaced: 0, unchanged: 0)
        var rowsRead = 0
        var batch: [Document] = []
        batch.reserveCapacity(options.batchSize)

        func commit() throws {
            guard !batch.isEmpty else { return }
            do {
                let summary = try upsert(batch)
                report.inserted += summary.inserted
                report.replaced += summary.replaced
                report.unchanged += summary.unchanged
            } catch let error as QuiverError {
                throw ImportError.store(error, committed: report)
            }
            report.rowsCommitted += batch.count
            report.batchesCommitted += 1
            batch.removeAll(keepingCapacity: true)
            progress(ImportProgress(
                rowsRead: rowsRead, rowsCommitted: report.rowsCommitted, rowsRejected: report.rowsRejected,
                bytesRead: reader.bytesRead, totalBytes: reader.fileSize))
        }

        while true {
            let next: Result<TSVRecord, TSVRowError>?
            do {
                next = try reader.next()
            } catch {
                throw ImportError.file(error)
            }
            guard let next else { break }
            rowsRead += 1
            switch next {
            case .success(let record):
                batch.append(record.document)
                if batch.count >= options.batchSize { try commit() }
            case .failure(let error):
                guard options.skipsBadRows else { throw ImportError.badRow(error, committed: report) }
                report.rowsRejected += 1
                try rejected(TSVRejectedRow(error))
            }
        }
        try commit()
        return report
    }
}
