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
    ///
    /// Reading and encoding run on a second thread, one batch ahead of the writing, so a slow
    /// encoder and the writes overlap. `rejected` and `progress` are called on the calling thread,
    /// in the same order as if the file were read, encoded and written one batch at a time.
    @discardableResult
    public func importTSV(
        at path: String,
        schema: TSVSchema,
        options: ImportOptions = ImportOptions(),
        rejected: (TSVRejectedRow) throws -> Void = { _ in },
        progress: (ImportProgress) -> Void = { _ in }
    ) throws -> ImportReport {
        let handOff = HandOff<ImportBatch>()
        let readingDone = ImportReadingStage.start(
            path: path, schema: schema, options: options, store: self, handOff: handOff)
        defer {
            // Stop the reading thread (if this side stopped early) and wait until it lets go of
            // the file and the encoder.
            handOff.close()
            readingDone.wait()
        }
        var report = ImportReport(
            rowsCommitted: 0, batchesCommitted: 0, rowsRejected: 0, inserted: 0, replaced: 0, unchanged: 0)
        while let batch = handOff.take() {
            for row in batch.rejected {
                report.rowsRejected += 1
                try rejected(row)
            }
            switch batch.end {
            case .badRow(let error): throw ImportError.badRow(error, committed: report)
            case .file(let error): throw ImportError.file(error)
            case .finished, nil: break
            }
            if !batch.documents.isEmpty {
                do {
                    let summary = try upsert(batch.documents, encodedVectors: batch.vectors.get())
                    report.inserted += summary.inserted
                    report.replaced += summary.replaced
                    report.unchanged += summary.unchanged
                } catch let error as QuiverError {
                    throw ImportError.store(error, committed: report)
                }
                report.rowsCommitted += batch.documents.count
                report.batchesCommitted += 1
                progress(ImportProgress(
                    rowsRead: batch.rowsRead, rowsCommitted: report.rowsCommitted, rowsRejected: report.rowsRejected,
                    bytesRead: batch.bytesRead, totalBytes: batch.totalBytes))
            }
            if batch.end != nil { break }
        }
        return report
    }
}
