import Foundation
import Quiver
import XCTest

/// `quiver compact` (and `quiver reindex --graph`) killed with SIGKILL at random moments:
/// afterwards `quiver verify` passes and every committed document is there, unchanged.
final class MaintenanceCrashTests: CLITestCase {
    private static let rows = 4_000

    private static func text(_ i: Int) -> String { "row \(i) 第\(i)行 topic \(i % 97)" }

    private func expected(_ i: Int) -> Document {
        Document(id: "\(i)", text: Self.text(i), metadata: ["n": .int(Int64(i)), "tags": .strings(["t\(i % 5)"])])
    }

    /// Checks the store with `quiver verify` and holds exactly the documents in `live`.
    private func check(_ db: String, live: [Int], _ label: String) throws {
        let verify = try quiver("verify", "--db", db)
        XCTAssertTrue(verify.exited(0), "\(label): \(verify.summary)")
        let store = try Store.open(at: db, options: StoreOptions(creation: .openExisting, readOnly: true))
        XCTAssertEqual(try store.count(), live.count, label)
        for i in stride(from: 0, to: live.count, by: 37) {
            XCTAssertEqual(try store.document(id: "\(live[i])"), expected(live[i]), label)
        }
        XCTAssertFalse(try store.search(text: Self.text(live[0]), k: 3).isEmpty, label)
    }

    /// Starts `arguments`, kills it after `delay` seconds; returns whether it was still running.
    private func kill(_ arguments: [String], after delay: TimeInterval) throws -> Bool {
        let child = try startQuiver(arguments)
        Thread.sleep(forTimeInterval: delay)
        child.kill()
        let result = try child.wait(timeout: 60)
        if result.reason == .uncaughtSignal { return true }
        XCTAssertTrue(result.exited(0), "\(arguments) finished before the kill but failed: \(result.summary)")
        return false
    }

    func testKilledCompactionsAndReindexesLoseNothing() throws {
        var text = "id\ttext\tn:int\ttags:strings\n"
        for i in 0..<Self.rows { text += "\(i)\t\(Self.text(i))\t\(i)\tt\(i % 5)\n" }
        let file = try writeFile("corpus.tsv", text)
        let db = path("db")
        XCTAssertTrue(try quiver("import", file, "--db", db, "--batch-size", "1000").exited(0))
        var live = Array(0..<Self.rows)

        let seed = UInt64(Date().timeIntervalSince1970 * 1_000)
        var random = SeededGenerator(seed: seed)
        var log: [String] = []
        var killedMidway = 0
        // Each reindex asks for the M the store does not have (12 or 16), so every one rebuilds the graph.
        func otherM() throws -> String {
            let m = try Store.open(at: db, options: StoreOptions(creation: .openExisting, readOnly: true)).graphParameters.m
            return m == 12 ? "16" : "12"
        }
        let operations: [(Int) throws -> [String]] = [
            { _ in ["compact", "--db", db] },
            { _ in ["reindex", "--db", db, "--graph", "--graph-m", try otherM()] },
        ]
        for (kind, command) in operations.enumerated() {
            let arguments = try command(0)
            // How long one uninterrupted run takes, to spread the kills over it.
            let deleted = live.filter { $0 % 7 == kind }.prefix(60).map(String.init)
            XCTAssertTrue(try quiver(["delete"] + deleted + ["--db", db]).exited(0))
            live.removeAll { deleted.contains(String($0)) }
            let t0 = Date()
            let full = try quiver(arguments)
            XCTAssertTrue(full.exited(0), full.summary)
            let duration = Date().timeIntervalSince(t0)
            try check(db, live: live, "\(arguments[0]) uninterrupted")
            for trial in 1...11 {
                let doomed = live.filter { $0 % 11 == trial % 11 }.prefix(20).map(String.init)
                XCTAssertTrue(try quiver(["delete"] + doomed + ["--db", db]).exited(0))
                live.removeAll { doomed.contains(String($0)) }
                let delay = Double.random(in: 0...(duration * 1.1), using: &random)
                let killed = try kill(try command(trial), after: delay)
                if killed { killedMidway += 1 }
                log.append("\(arguments[0]) \(trial): +\(Int(delay * 1000)) ms of \(Int(duration * 1000)) killed=\(killed)")
                try check(db, live: live, "\(arguments[0]) trial \(trial), seed \(seed)")
            }
        }
        print("maintenance crash trials (seed \(seed)): " + log.joined(separator: "; "))
        XCTAssertGreaterThanOrEqual(killedMidway, 10, "too few runs were killed midway: \(log)")
        // Whatever the kills left behind, a last compaction succeeds and removes its work directories.
        XCTAssertTrue(try quiver("compact", "--db", db).exited(0))
        XCTAssertEqual(contents(of: db), ["data.mdb", "quiver.lock"])
        try check(db, live: live, "final")
    }
}
