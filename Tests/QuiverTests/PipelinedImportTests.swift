import Encoders
import Foundation
import XCTest
@testable import Quiver

/// `importTSV` reads and encodes batch i + 1 while batch i is written, with the same results,
/// callbacks and errors as importing one batch at a time.
final class PipelinedImportTests: XCTestCase {
    /// A hashing encoder that sleeps in every call and records when each call ran.
    private final class SlowEncoder: TextEncoder, @unchecked Sendable {
        let base: HashingEncoder
        let delay: TimeInterval
        private let lock = NSLock()
        private var calls: [(start: Date, end: Date)] = []  // Guarded by `lock`.

        init(dimension: Int, delay: TimeInterval) throws {
            base = try HashingEncoder(dimension: dimension)
            self.delay = delay
        }

        var dimension: Int { base.dimension }
        var descriptor: EncoderDescriptor { base.descriptor }

        func encode(_ texts: [String], role: EncodingRole) throws -> [[Float]] {
            let start = Date()
            Thread.sleep(forTimeInterval: delay)
            let vectors = try base.encode(texts, role: role)
            lock.withLock { calls.append((start, Date())) }
            return vectors
        }

        var recordedCalls: [(start: Date, end: Date)] { lock.withLock { calls } }
    }

    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        directory.remove()
    }

    private func writeTSV(_ lines: [String]) throws -> String {
        let path = directory.child("input-\(UUID().uuidString).tsv")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    private static func rows(_ count: Int, badEvery: Int? = nil) -> [String] {
        ["id\ttext\tyear"] + (0..<count).map { i in
            if let badEvery, i % badEvery == badEvery - 1 { return "bad\(i)\tno year column" }
            return "doc\(i % 37)\tdocument \(i) about green tea and noodles \(i * 7)\t\(2000 + i % 20)"
        }
    }

    private static let schema = TSVSchema(fieldTypes: ["year": .int])

    /// The import as it was before pipelining: read, encode and write one batch at a time.
    private struct SequentialOutcome {
        var report: ImportReport?
        var error: String?
        var progress: [ImportProgress] = []
        var rejected: [TSVRejectedRow] = []
    }

    private func importSequentially(_ store: Store, path: String, options: ImportOptions) throws -> SequentialOutcome {
        var outcome = SequentialOutcome()
        let reader = try TSVReader(path: path, schema: Self.schema)
        var report = ImportReport(
            rowsCommitted: 0, batchesCommitted: 0, rowsRejected: 0, inserted: 0, replaced: 0, unchanged: 0)
        var rowsRead = 0
        var batch: [Document] = []
        func commit() throws {
            guard !batch.isEmpty else { return }
            let summary = try store.upsert(batch)
            report.inserted += summary.inserted
            report.replaced += summary.replaced
            report.unchanged += summary.unchanged
            report.rowsCommitted += batch.count
            report.batchesCommitted += 1
            batch.removeAll()
            outcome.progress.append(ImportProgress(
                rowsRead: rowsRead, rowsCommitted: report.rowsCommitted, rowsRejected: report.rowsRejected,
                bytesRead: reader.bytesRead, totalBytes: reader.fileSize))
        }
        while let next = try reader.next() {
            rowsRead += 1
            switch next {
            case .success(let record):
                batch.append(record.document)
                if batch.count >= options.batchSize { try commit() }
            case .failure(let error):
                guard options.skipsBadRows else {
                    outcome.error = "\(ImportError.badRow(error, committed: report))"
                    return outcome
                }
                report.rowsRejected += 1
                outcome.rejected.append(TSVRejectedRow(error))
            }
        }
        try commit()
        outcome.report = report
        return outcome
    }

    private func assertSameContents(_ a: Store, _ b: Store, ids: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try a.count(), try b.count(), file: file, line: line)
        for id in ids {
            XCTAssertEqual(try a.document(id: id), try b.document(id: id), id, file: file, line: line)
            XCTAssertEqual(try a.vector(id: id), try b.vector(id: id), id, file: file, line: line)
        }
    }

    func testEncodingTheNextBatchOverlapsWritingTheCurrentOne() throws {
        let encoder = try SlowEncoder(dimension: 32, delay: 0.15)
        let store = try Store.open(at: directory.child("db"), options: StoreOptions(encoder: encoder))
        let path = try writeTSV(Self.rows(40))
        var committedAt: [Date] = []
        let started = Date()
        // A slow writer: the progress callback runs on the writing side after each commit.
        let report = try store.importTSV(at: path, schema: Self.schema, options: ImportOptions(batchSize: 10), progress: { _ in
            Thread.sleep(forTimeInterval: 0.15)
            committedAt.append(Date())
        })
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(report.batchesCommitted, 4)
        let calls = encoder.recordedCalls
        XCTAssertEqual(calls.count, 4)
        XCTAssertEqual(committedAt.count, 4)
        // Batch i + 1 was being encoded before batch i was done being written.
        for i in 0..<3 {
            XCTAssertLessThan(calls[i + 1].start, committedAt[i], "batch \(i + 1) was encoded only after batch \(i) was written")
        }
        // One batch at a time would take 4 × (0.15 + 0.15) s = 1.2 s; overlapped about 0.75 s.
        XCTAssertLessThan(elapsed, 1.05, "no overlap: \(elapsed) s")
    }

    func testResultsEqualAnImportOneBatchAtATime() throws {
        let options = ImportOptions(batchSize: 16, skipsBadRows: true)
        let path = try writeTSV(Self.rows(150, badEvery: 23))
        let pipelined = try Store.open(at: directory.child("pipelined"))
        let sequential = try Store.open(at: directory.child("sequential"))
        for _ in 0..<2 {  // The second round is an idempotent re-import.
            var progress: [ImportProgress] = []
            var rejected: [TSVRejectedRow] = []
            let report = try pipelined.importTSV(
                at: path, schema: Self.schema, options: options, rejected: { rejected.append($0) },
                progress: { progress.append($0) })
            let expected = try importSequentially(sequential, path: path, options: options)
            XCTAssertEqual(report, expected.report)
            XCTAssertEqual(progress, expected.progress)
            XCTAssertEqual(rejected, expected.rejected)
            XCTAssertEqual(rejected.count, 6)
        }
        try assertSameContents(pipelined, sequential, ids: (0..<37).map { "doc\($0)" })
    }

    func testABadRowStopsBeforeItsBatchAsBefore() throws {
        let options = ImportOptions(batchSize: 10)
        let path = try writeTSV(Self.rows(60, badEvery: 35))
        let pipelined = try Store.open(at: directory.child("pipelined"))
        let sequential = try Store.open(at: directory.child("sequential"))
        var progress: [ImportProgress] = []
        var message = ""
        XCTAssertThrowsError(try pipelined.importTSV(at: path, schema: Self.schema, options: options, progress: {
            progress.append($0)
        })) { error in
            guard case ImportError.badRow(_, let committed) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(committed.rowsCommitted, 30)
            message = "\(error)"
        }
        let expected = try importSequentially(sequential, path: path, options: options)
        XCTAssertEqual(message, expected.error)
        XCTAssertEqual(progress, expected.progress)
        try assertSameContents(pipelined, sequential, ids: (0..<37).map { "doc\($0)" })
    }

    func testAFailingRejectedCallbackStopsTheImport() throws {
        struct Stop: Error {}
        let store = try Store.open(at: directory.child("db"))
        let path = try writeTSV(Self.rows(100, badEvery: 45))
        var batches = 0
        XCTAssertThrowsError(try store.importTSV(
            at: path, schema: Self.schema, options: ImportOptions(batchSize: 10, skipsBadRows: true),
            rejected: { _ in throw Stop() }, progress: { _ in batches += 1 })) { error in
            XCTAssertTrue(error is Stop, "\(error)")
        }
        XCTAssertEqual(batches, 4, "the batches before the rejected row, not the one holding it")
    }

    func testAMissingFileIsAFileError() throws {
        let store = try Store.open(at: directory.child("db"))
        XCTAssertThrowsError(try store.importTSV(at: directory.child("missing.tsv"), schema: Self.schema)) { error in
            guard case ImportError.file = error else { return XCTFail("\(error)") }
        }
    }
}
