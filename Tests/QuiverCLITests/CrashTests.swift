import Foundation
import Quiver
import XCTest

/// `quiver import` killed with SIGKILL at random moments leaves whole batches only.
final class CrashTests: CLITestCase {
    private static let rowCount = 20_000
    private static let batchSize = 200

    private static func text(_ i: Int) -> String { "row \(i) 第\(i)行 topic \(i % 97) word\(i % 13)" }

    /// The document row `i` of the corpus becomes.
    private static func expected(_ i: Int) -> Document {
        Document(id: "\(i)", text: text(i), metadata: [
            "n": .int(Int64(i)), "even": .bool(i % 2 == 0), "tags": .strings(["t\(i % 5)", "u\(i % 3)"]),
        ])
    }

    /// Writes a corpus of `rows` rows whose content is a function of the row number.
    private func writeCorpus(rows: Int) throws -> String {
        var text = "id\ttext\tn\teven\ttags\n"
        for i in 0..<rows {
            text += "\(i)\t\(Self.text(i))\t\(i)\t\(i % 2 == 0)\tt\(i % 5), u\(i % 3)\n"
        }
        return try writeFile("corpus-\(rows).tsv", text)
    }

    private func importArguments(_ file: String, _ db: String) -> [String] {
        ["import", file, "--db", db, "--batch-size", "\(Self.batchSize)",
         "--field", "n:int", "--field", "even:bool", "--field", "tags:strings"]
    }

    /// The document count of a store another process is writing, or nil while it cannot be opened yet.
    private func liveCount(_ db: String) -> Int? {
        let dataFile = (db as NSString).appendingPathComponent("data.mdb")
        guard let size = (try? FileManager.default.attributesOfItem(atPath: dataFile))?[.size] as? Int,
              size >= 8_192
        else { return nil }
        return try? Store.open(at: db, options: StoreOptions(creation: .openExisting, readOnly: true)).count()
    }

    /// Checks that the store holds exactly the first `count` rows of a corpus of `rows` rows,
    /// `count` a whole number of batches, each document (and a sample of vectors) as expected.
    @discardableResult
    private func verify(_ db: String, rows: Int, _ label: String) throws -> Int {
        let store = try Store.open(at: db, options: StoreOptions(creation: .openExisting))
        XCTAssertEqual(try store.verify().problems, [], "\(label): verify")
        let count = try store.count()
        XCTAssertEqual(count % Self.batchSize, 0, "\(label): \(count) is not a whole number of batches")
        XCTAssertLessThanOrEqual(count, rows, label)
        XCTAssertEqual(try store.statistics().documents, count, label)
        var wrong: [String] = []
        for i in 0..<rows {
            let document = try store.document(id: "\(i)")
            if i < count, document != Self.expected(i) {
                wrong.append("row \(i): \(document.map { "\($0)" } ?? "missing")")
            } else if i >= count, document != nil {
                wrong.append("row \(i) present beyond the committed prefix")
            }
            if wrong.count >= 5 { break }
        }
        XCTAssertEqual(wrong, [], label)
        // Each stored vector belongs to its document's text.
        let sample = Array(stride(from: 0, to: count, by: 97)) + (count > 0 ? [count - 1] : [])
        let vectors = try store.encoder.encode(sample.map(Self.text), role: .document)
        for (i, vector) in zip(sample, vectors) {
            let stored = try XCTUnwrap(try store.vector(id: "\(i)"), "\(label): no vector for \(i)")
            XCTAssertEqual(stored.count, vector.count)
            let maxDifference = zip(stored, vector).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThan(maxDifference, 1e-5, "\(label): vector of \(i)")
        }
        return count
    }

    /// Runs an import into `db`, waits until the store holds more than `previous` documents,
    /// waits `delay` more seconds and kills it. Returns whether it was killed while still running.
    private func killedImport(_ file: String, _ db: String, after previous: Int, delay: TimeInterval) throws -> Bool {
        let child = try startQuiver(importArguments(file, db))
        let deadline = Date().addingTimeInterval(60)
        while child.isRunning, Date() < deadline {
            if let count = liveCount(db), count > previous { break }
            Thread.sleep(forTimeInterval: 0.003)
        }
        Thread.sleep(forTimeInterval: delay)
        child.kill()
        let result = try child.wait(timeout: 30)
        if result.reason == .uncaughtSignal {
            XCTAssertEqual(result.status, SIGKILL)
            return true
        }
        // It finished before the kill: then it must have succeeded.
        XCTAssertTrue(result.exited(0), result.summary)
        return false
    }

    func testKilledImportsLeaveOnlyWholeBatches() throws {
        let rows = Self.rowCount
        let file = try writeCorpus(rows: rows)
        let seed = UInt64(Date().timeIntervalSince1970 * 1_000)
        var random = SeededGenerator(seed: seed)
        var midImportKills = 0
        var log: [String] = []

        // Rounds that continue into the same store: each import starts again from the top, so the
        // committed set stays a prefix of the file (re-imported rows are unchanged).
        let shared = path("shared")
        var previous = 0
        for round in 1...5 {
            let delay = Double.random(in: 0...0.4, using: &random)
            let killed = try killedImport(file, shared, after: previous, delay: delay)
            let count = try verify(shared, rows: rows, "shared round \(round)")
            XCTAssertGreaterThanOrEqual(count, previous, "committed batches were lost")
            if killed, count > 0, count < rows { midImportKills += 1 }
            log.append("shared \(round): +\(Int(delay * 1000)) ms killed=\(killed) count=\(count)")
            previous = count
        }
        // Rounds into fresh stores.
        for round in 1...3 {
            let db = path("fresh-\(round)")
            let delay = Double.random(in: 0.05...0.6, using: &random)
            let killed = try killedImport(file, db, after: 0, delay: delay)
            let count = try verify(db, rows: rows, "fresh round \(round)")
            if killed, count > 0, count < rows { midImportKills += 1 }
            log.append("fresh \(round): +\(Int(delay * 1000)) ms killed=\(killed) count=\(count)")
        }
        XCTAssertGreaterThanOrEqual(midImportKills, 1, "no round was killed mid-import; seed \(seed): \(log)")
        print("crash rounds (seed \(seed)): " + log.joined(separator: "; "))

        // A last, uninterrupted import completes the shared store.
        let final = try quiver(importArguments(file, shared))
        XCTAssertTrue(final.exited(0), final.summary)
        XCTAssertTrue(final.stdout.hasPrefix(
            "imported \(rows) rows in \(rows / Self.batchSize) batches (\(rows - previous) new, 0 replaced, \(previous) unchanged)"),
            final.stdout)
        XCTAssertEqual(try verify(shared, rows: rows, "final"), rows)
    }

    func testAnImportKilledWhileCreatingTheStoreCanBeRunAgain() throws {
        let rows = 400
        let file = try writeCorpus(rows: rows)
        var failures: [String] = []
        for attempt in 1...6 {
            let db = path("creating-\(attempt)")
            let child = try startQuiver(importArguments(file, db))
            let dataFile = (db as NSString).appendingPathComponent("data.mdb")
            let deadline = Date().addingTimeInterval(30)
            while child.isRunning, Date() < deadline, !FileManager.default.fileExists(atPath: dataFile) {}
            child.kill()
            _ = try child.wait(timeout: 30)
            let files = contents(of: db)
            // Whatever the kill left behind, running the same import again must finish the job.
            let rerun = try quiver(importArguments(file, db))
            if rerun.exited(0) {
                XCTAssertEqual(try verify(db, rows: rows, "attempt \(attempt)"), rows)
            } else {
                failures.append("attempt \(attempt) (left \(files)): \(rerun.stderr.trimmingCharacters(in: .newlines))")
            }
        }
        XCTAssertEqual(failures, [], "after an import was killed while creating the store, re-running it fails")
    }
}
