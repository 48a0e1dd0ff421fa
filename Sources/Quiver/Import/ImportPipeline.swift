import Foundation

/// One batch handed from an import's reading thread to its writing thread: the documents with
/// their document-side vectors, the rows rejected while reading it, and where the reader was.
struct ImportBatch: Sendable {
    /// How the reading thread stopped, carried by the last batch it hands over.
    enum End: Sendable {
        /// The file was read to the end.
        case finished
        /// A malformed row, with bad rows not skipped: the batch's documents are not to be committed.
        case badRow(TSVRowError)
        /// The file could not be opened or read.
        case file(TSVError)
    }

    /// Good rows read since the previous batch (empty when the batch ends on an error).
    var documents: [Document]
    /// The store encoder's vectors for `documents`, or why they could not be made.
    var vectors: Result<[[Float]], QuiverError>
    /// Rows rejected (bad rows skipped) since the previous batch, in file order.
    var rejected: [TSVRejectedRow]
    /// Rows read from the file when the batch was complete.
    var rowsRead: Int
    /// Bytes of the file consumed when the batch was complete.
    var bytesRead: Int
    /// The file's size in bytes.
    var totalBytes: Int
    /// Set on the last batch: why reading stopped.
    var end: End?
}

/// A one-slot hand-off between two threads. The receiver closes it when it stops early, which
/// makes the sender's next ``put(_:)`` return `false`.
final class HandOff<Element: Sendable>: @unchecked Sendable {
    // All state is guarded by `condition`.
    private let condition = NSCondition()
    private var slot: Element?
    private var closed = false

    /// Waits until the slot is empty, then fills it; `false` (dropping `element`) once closed.
    func put(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while slot != nil && !closed { condition.wait() }
        guard !closed else { return false }
        slot = element
        condition.broadcast()
        return true
    }

    /// Waits for an element and empties the slot; `nil` once closed.
    func take() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while slot == nil && !closed { condition.wait() }
        guard !closed, let element = slot else { return nil }
        slot = nil
        condition.broadcast()
        return element
    }

    /// Whether ``close()`` was called.
    var isClosed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed
    }

    /// Wakes both sides for good: pending and later puts fail, takes return `nil`.
    func close() {
        condition.lock()
        closed = true
        slot = nil
        condition.broadcast()
        condition.unlock()
    }
}

/// The reading side of a pipelined import: reads the TSV file in batches and encodes each on
/// its own thread, so batch *i + 1* is read and encoded while batch *i* is being written.
enum ImportReadingStage {
    /// Starts a thread that opens `path`, reads and encodes batches and puts them into `handOff`,
    /// ending with a batch whose ``ImportBatch/end`` is set (or when `handOff` is closed).
    /// The returned semaphore is signalled when the thread is done with the file and the encoder.
    static func start(
        path: String, schema: TSVSchema, options: ImportOptions, store: Store, handOff: HandOff<ImportBatch>
    ) -> DispatchSemaphore {
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            run(path: path, schema: schema, options: options, store: store, handOff: handOff)
            done.signal()
        }
        thread.name = "quiver.import.read-encode"
        thread.start()
        return done
    }

    private static func run(
        path: String, schema: TSVSchema, options: ImportOptions, store: Store, handOff: HandOff<ImportBatch>
    ) {
        let reader: TSVReader
        do {
            reader = try TSVReader(path: path, schema: schema)
        } catch {
            _ = handOff.put(ImportBatch(
                documents: [], vectors: .success([]), rejected: [], rowsRead: 0, bytesRead: 0, totalBytes: 0,
                end: .file(error)))
            return
        }
        var rowsRead = 0
        var documents: [Document] = []
        documents.reserveCapacity(options.batchSize)
        var rejected: [TSVRejectedRow] = []

        /// Hands over what was read since the last batch; `false` when reading should stop.
        func send(end: ImportBatch.End?) -> Bool {
            var batch = ImportBatch(
                documents: [], vectors: .success([]), rejected: rejected, rowsRead: rowsRead,
                bytesRead: reader.bytesRead, totalBytes: reader.fileSize, end: end)
            switch end {
            case .badRow, .file:
                break  // The partial batch is never committed: no need to encode it.
            case .finished, nil:
                if !documents.isEmpty {
                    batch.documents = documents
                    batch.vectors = Result { () throws(QuiverError) in try store.documentVectors(for: documents) }
                }
            }
            documents.removeAll(keepingCapacity: true)
            rejected.removeAll()
            guard handOff.put(batch) else { return false }
            // A failed batch stops the import: reading on is wasted work.
            if case .failure = batch.vectors { return false }
            return end == nil
        }

        while !handOff.isClosed {
            let next: Result<TSVRecord, TSVRowError>?
            do {
                next = try reader.next()
            } catch {
                _ = send(end: .file(error))
                return
            }
            guard let next else {
                _ = send(end: .finished)
                return
            }
            rowsRead += 1
            switch next {
            case .success(let record):
                documents.append(record.document)
                if documents.count >= options.batchSize, !send(end: nil) { return }
            case .failure(let error):
                guard options.skipsBadRows else {
                    _ = send(end: .badRow(error))
                    return
                }
                rejected.append(TSVRejectedRow(error))
            }
        }
    }
}
