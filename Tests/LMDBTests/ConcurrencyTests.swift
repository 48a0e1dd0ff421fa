import Foundation
import XCTest

import LMDB

/// Snapshot isolation and concurrent readers (the environment is opened with `MDB_NOTLS`).
final class ConcurrencyTests: LMDBTestCase {
    private struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func testReadSnapshotKeepsOldValueWhileAnotherThreadCommits() throws {
        let env = try makeEnvironment()
        let db = try env.openDatabase("plain")
        try env.write { txn in try txn.put(db, key: "k", value: utf8("v1")) }

        let readerInside = DispatchSemaphore(value: 0)
        let writerCommitted = DispatchSemaphore(value: 0)
        let observed = Locked<[String]>([])
        let problems = Locked<[String]>([])
        let readerDone = startThread {
            do {
                try env.read { txn in
                    let id = txn.id
                    observed.withValue { $0.append((try? string(txn.get(db, key: "k"))) ?? "nil") }
                    readerInside.signal()
                    if writerCommitted.wait(timeout: .now() + 20) == .timedOut {
                        problems.withValue { $0.append("the writer did not commit while a reader was open") }
                    }
                    // Same snapshot: the old value, through get and through a cursor.
                    observed.withValue { $0.append((try? string(txn.get(db, key: "k"))) ?? "nil") }
                    let cursorValue = try txn.cursor(db).seek(exactly: "k").map { string($0.value) }
                    observed.withValue { $0.append((cursorValue ?? nil) ?? "nil") }
                    if txn.id != id { problems.withValue { $0.append("transaction id changed") } }
                }
            } catch {
                problems.withValue { $0.append("reader: \(error)") }
            }
        }
        XCTAssertEqual(readerInside.wait(timeout: .now() + 20), .success)
        // The writer is not blocked by the open reader.
        try env.write { txn in try txn.put(db, key: "k", value: utf8("v2")) }
        // A read begun after the commit sees the new value, while the old reader is still open.
        try env.read { txn in XCTAssertEqual(string(try txn.get(db, key: "k")), "v2") }
        writerCommitted.signal()
        XCTAssertEqual(readerDone.wait(timeout: .now() + 20), .success)

        XCTAssertEqual(problems.current, [])
        XCTAssertEqual(observed.current, ["v1", "v1", "v1"])
        try env.read { txn in XCTAssertEqual(string(try txn.get(db, key: "k")), "v2") }
    }

    func testManyConcurrentReadersSeeConsistentSnapshotsWhileWriting() throws {
        let env = try makeEnvironment()
        let db = try env.openDatabase("pair", flags: .integerKey)
        @Sendable func put(_ txn: Transaction, _ n: UInt64) throws {
            // Two keys that every commit updates together, plus a value that grows with n.
            let bytes = withUnsafeBytes(of: n) { Array($0) }
            try txn.put(db, key: UInt32(1), value: bytes)
            try txn.put(db, key: UInt32(2), value: bytes + [UInt8](repeating: UInt8(truncatingIfNeeded: n), count: Int(n % 64)))
        }
        try env.write { try put($0, 0) }

        let readerThreads = 6
        let readsPerThread = 300
        let writes: UInt64 = 300
        let problems = Locked<[String]>([])
        let totalReads = Locked(0)
        var finished: [DispatchSemaphore] = []

        finished.append(startThread {
            do {
                for n in 1...writes { try env.write { try put($0, n) } }
            } catch {
                problems.withValue { $0.append("writer: \(error)") }
            }
        })
        for thread in 0..<readerThreads {
            finished.append(startThread {
                var last: UInt64 = 0
                do {
                    for i in 0..<readsPerThread {
                        try env.read { outer in
                            let a = try XCTUnwrap(try outer.get(db, key: UInt32(1))).loadUnaligned(as: UInt64.self)
                            let bValue = try XCTUnwrap(try outer.get(db, key: UInt32(2)))
                            let b = bValue.loadUnaligned(as: UInt64.self)
                            if a != b || bValue.count != 8 + Int(a % 64) {
                                problems.withValue { $0.append("thread \(thread): torn snapshot a=\(a) b=\(b)") }
                            }
                            if a < last {
                                problems.withValue { $0.append("thread \(thread): snapshot went back \(last) → \(a)") }
                            }
                            last = a
                            if i % 10 == 0 {
                                // A second read transaction on the same thread while the first is open:
                                // only possible with MDB_NOTLS.
                                try env.read { inner in
                                    let c = try XCTUnwrap(try inner.get(db, key: UInt32(1))).loadUnaligned(as: UInt64.self)
                                    if c < a { problems.withValue { $0.append("nested read older than outer") } }
                                }
                            }
                        }
                        totalReads.withValue { $0 += 1 }
                    }
                } catch {
                    problems.withValue { $0.append("reader \(thread): \(error)") }
                }
            })
        }
        for done in finished {
            XCTAssertEqual(done.wait(timeout: .now() + 60), .success, "a thread did not finish")
        }
        XCTAssertEqual(problems.current, [])
        XCTAssertEqual(totalReads.current, readerThreads * readsPerThread)
        try env.read { txn in
            XCTAssertEqual(try txn.get(db, key: UInt32(1))?.loadUnaligned(as: UInt64.self), writes)
        }
    }

    func testManyReadTransactionsOpenAtOnceOnDifferentThreads() throws {
        let env = try makeEnvironment()
        let db = try env.openDatabase("plain")
        try env.write { txn in try txn.put(db, key: "k", value: utf8("shared")) }

        let threads = 40
        let inside = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let seen = Locked<[String]>([])
        let failures = Locked<[String]>([])
        var finished: [DispatchSemaphore] = []
        for _ in 0..<threads {
            finished.append(startThread {
                do {
                    try env.read { txn in
                        seen.withValue { $0.append((try? string(txn.get(db, key: "k"))) ?? "nil") }
                        inside.signal()
                        _ = release.wait(timeout: .now() + 30)
                    }
                } catch {
                    failures.withValue { $0.append("\(error)") }
                    inside.signal()
                }
            })
        }
        // All 40 are inside a read transaction at the same time.
        for _ in 0..<threads { XCTAssertEqual(inside.wait(timeout: .now() + 30), .success) }
        XCTAssertEqual(failures.current, [])
        XCTAssertEqual(seen.current.count, threads)
        // Writers still work while they are all open, and the main thread can read too.
        try env.write { txn in try txn.put(db, key: "k", value: utf8("changed")) }
        try env.read { txn in XCTAssertEqual(string(try txn.get(db, key: "k")), "changed") }
        for _ in 0..<threads { release.signal() }
        for done in finished { XCTAssertEqual(done.wait(timeout: .now() + 30), .success) }
        XCTAssertEqual(Set(seen.current), ["shared"])
    }
}
