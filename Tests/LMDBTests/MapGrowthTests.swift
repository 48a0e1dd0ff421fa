import Foundation
import XCTest

import LMDB

/// Automatic map growth: writes never see `MDB_MAP_FULL` unless the map would pass its maximum.
final class MapGrowthTests: LMDBTestCase {
    private static let tinyMap = 256 << 10
    private static let valueSize = 4_000

    /// Deterministic values for keys 0..<6,000 (computed once: generating them dominates the run time).
    private static let values: [[UInt8]] = (0..<6_000).map { i in
        var generator = SeededGenerator(seed: UInt64(i) &* 0x9E37_79B9 &+ 1)
        return [UInt8](unsafeUninitializedCapacity: valueSize) { buffer, count in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            for offset in stride(from: 0, to: valueSize, by: 8) {
                raw.storeBytes(of: generator.next(), toByteOffset: offset, as: UInt64.self)
            }
            count = valueSize
        }
    }

    /// The value for key `i`: `valueSize` bytes.
    private static func value(_ i: Int) -> [UInt8] { values[i] }

    private static func key(_ i: Int) -> String { String(format: "key%06d", i) }

    private func checkContents(_ env: Environment, _ db: Database, count: Int, extra: Int = 0,
                               file: StaticString = #filePath, line: UInt = #line) throws {
        try env.read { txn in
            XCTAssertEqual(try txn.count(db), count + extra, file: file, line: line)
            for i in stride(from: 0, to: count, by: max(1, count / 97)) + [count - 1] {
                XCTAssertEqual(bytes(try txn.get(db, key: Self.key(i))), Self.value(i), "key \(i)", file: file, line: line)
            }
        }
    }

    func testWritingFarPastATinyMapInSeveralTransactionsGrowsIt() throws {
        let env = try makeEnvironment(Environment.Options(mapSize: Self.tinyMap, skipSync: true))
        let db = try env.openDatabase("big")
        let initial = env.mapSize
        XCTAssertEqual(initial, Self.tinyMap)
        let total = 5_000  // 5,000 × 4,000 B = 20 MB
        let perTransaction = 250
        for start in stride(from: 0, to: total, by: perTransaction) {
            try env.write { txn in
                for i in start..<(start + perTransaction) { try txn.put(db, key: Self.key(i), value: Self.value(i)) }
            }
        }
        XCTAssertGreaterThan(env.mapSize, 20_000_000)
        XCTAssertGreaterThanOrEqual(env.mapSize, env.usedBytes)
        XCTAssertGreaterThan(env.usedBytes, 20_000_000)
        try checkContents(env, db, count: total)
    }

    func testWritingFarPastATinyMapInOneTransactionReRunsTheBody() throws {
        let env = try makeEnvironment(Environment.Options(mapSize: Self.tinyMap, skipSync: true))
        let db = try env.openDatabase("big")
        let total = 5_000
        var runs = 0
        let result = try env.write { txn -> String in
            runs += 1
            for i in 0..<total { try txn.put(db, key: Self.key(i), value: Self.value(i)) }
            return "done"
        }
        XCTAssertEqual(result, "done")
        XCTAssertGreaterThan(runs, 1, "the body was re-run after the map grew")
        XCTAssertGreaterThan(env.mapSize, 20_000_000)
        try checkContents(env, db, count: total)

        // Reopening with a tiny requested size maps at least the data in use (LMDB raises the size to
        // the last used page), and writing more grows the map again.
        let path = env.path
        let used = env.usedBytes
        _ = consume env
        let reopened = try Environment(path: path, options: Environment.Options(mapSize: Self.tinyMap, skipSync: true))
        XCTAssertGreaterThanOrEqual(reopened.mapSize, used)
        let big = try reopened.openDatabase("big", create: false)
        try checkContents(reopened, big, count: total)
        try reopened.write { txn in
            for i in total..<(total + 1_000) { try txn.put(big, key: Self.key(i), value: Self.value(i)) }
        }
        XCTAssertGreaterThan(reopened.mapSize, used)
        try checkContents(reopened, big, count: total + 1_000)
    }

    func testMaximumMapSizeGivesMapFullAndWritesNothing() throws {
        let maximum = 1 << 20
        let env = try makeEnvironment(Environment.Options(mapSize: Self.tinyMap, maximumMapSize: maximum, skipSync: true))
        let db = try env.openDatabase("big")
        // A first batch that fits.
        try env.write { txn in
            for i in 0..<20 { try txn.put(db, key: Self.key(i), value: Self.value(i)) }
        }
        // Then one transaction of 4 MB, which cannot fit in 1 MiB.
        XCTAssertThrowsError(try env.write { txn in
            for i in 20..<1_020 { try txn.put(db, key: Self.key(i), value: Self.value(i)) }
        }) { error in
            guard let lmdb = error as? LMDBError else { return XCTFail("not an LMDBError: \(error)") }
            XCTAssertTrue(lmdb.isMapFull, "\(lmdb)")
            XCTAssertFalse(lmdb.message.isEmpty)
            XCTAssertTrue(lmdb.description.contains("\(maximum)"), "says which maximum was hit: \(lmdb)")
        }
        XCTAssertLessThanOrEqual(env.mapSize, maximum)
        // Nothing of the failed transaction is visible; the earlier one is intact.
        try checkContents(env, db, count: 20)
        try env.read { txn in XCTAssertNil(try txn.get(db, key: Self.key(20))) }
        // The environment is still usable for writes that fit.
        try env.write { txn in try txn.put(db, key: Self.key(20), value: Self.value(20)) }
        try checkContents(env, db, count: 21)

        // In several transactions: every committed one is whole, the one that hits the limit is absent.
        var committed = 21
        do {
            while true {
                try env.write { txn in
                    for i in committed..<(committed + 10) { try txn.put(db, key: Self.key(i), value: Self.value(i)) }
                }
                committed += 10
                XCTAssertLessThan(committed, 1_000, "a 1 MiB map cannot hold 4 MB")
            }
        } catch let error as LMDBError {
            XCTAssertTrue(error.isMapFull, "\(error)")
        }
        XCTAssertGreaterThan(committed, 21)
        try checkContents(env, db, count: committed)
    }

    func testWriterNeedingGrowthWaitsForAReaderOnAnotherThread() throws {
        let env = try makeEnvironment(Environment.Options(mapSize: Self.tinyMap, skipSync: true))
        let db = try env.openDatabase("big")
        try env.write { txn in try txn.put(db, key: "marker", value: [1]) }

        let readerInside = DispatchSemaphore(value: 0)
        let readerEnded = Locked<Date?>(nil)
        let problems = Locked<[String]>([])
        let readerDone = startThread {
            do {
                try env.read { txn in
                    guard try txn.get(db, key: "marker") != nil else { throw LMDBError(code: -1, operation: "marker") }
                    readerInside.signal()
                    Thread.sleep(forTimeInterval: 0.4)
                    // Still a valid snapshot after the writer started waiting.
                    guard try txn.get(db, key: "marker") != nil else { throw LMDBError(code: -1, operation: "marker") }
                    readerEnded.withValue { $0 = Date() }
                }
            } catch {
                problems.withValue { $0.append("reader: \(error)") }
            }
        }
        XCTAssertEqual(readerInside.wait(timeout: .now() + 20), .success)

        let writerFinished = Locked<Date?>(nil)
        let writerDone = startThread {
            do {
                try env.write { txn in
                    for i in 0..<1_000 { try txn.put(db, key: Self.key(i), value: Self.value(i)) }  // 4 MB
                }
                writerFinished.withValue { $0 = Date() }
            } catch {
                problems.withValue { $0.append("writer: \(error)") }
            }
        }
        XCTAssertEqual(writerDone.wait(timeout: .now() + 30), .success, "the writer deadlocked")
        XCTAssertEqual(readerDone.wait(timeout: .now() + 30), .success, "the reader deadlocked")
        XCTAssertEqual(problems.current, [])
        let ended = try XCTUnwrap(readerEnded.current)
        let finished = try XCTUnwrap(writerFinished.current)
        XCTAssertGreaterThanOrEqual(finished, ended, "the map can only grow once the reader has finished")
        XCTAssertGreaterThan(env.mapSize, Self.tinyMap)
        try checkContents(env, db, count: 1_000, extra: 1)
    }

    func testWriterNeedingGrowthIsNotStarvedByAStreamOfReaders() throws {
        let env = try makeEnvironment(Environment.Options(mapSize: Self.tinyMap, skipSync: true))
        let db = try env.openDatabase("big")
        try env.write { txn in try txn.put(db, key: "marker", value: [1]) }

        // Two reader threads in relay: each ends its read transaction only while the other one is
        // inside its own (waiting at most 0.5 s for that), so at every moment one of them holds a
        // read transaction — as a steady stream of searches on a busy server would.
        let stop = Locked(false)
        let reads = Locked(0)
        let problems = Locked<[String]>([])
        let relay = Relay()
        var readers: [DispatchSemaphore] = []
        for _ in 0..<2 {
            readers.append(startThread {
                while !stop.current {
                    do {
                        try env.read { txn in
                            relay.enter()
                            _ = try txn.get(db, key: "marker")
                            Thread.sleep(forTimeInterval: 0.001)
                            relay.leaveWhenRelieved(timeout: 0.5)
                        }
                        reads.withValue { $0 += 1 }
                    } catch {
                        problems.withValue { $0.append("reader: \(error)") }
                        return
                    }
                }
            })
        }
        while reads.current < 10 { Thread.sleep(forTimeInterval: 0.001) }
        _ = Self.values.count  // generated before the clock starts

        let writerDone = startThread {
            do {
                try env.write { txn in
                    for i in 0..<1_000 { try txn.put(db, key: Self.key(i), value: Self.value(i)) }
                }
            } catch {
                problems.withValue { $0.append("writer: \(error)") }
            }
        }
        let outcome = writerDone.wait(timeout: .now() + 3)
        stop.withValue { $0 = true }
        for reader in readers { XCTAssertEqual(reader.wait(timeout: .now() + 30), .success) }
        XCTAssertEqual(outcome, .success, "the writer waiting to grow the map was starved by readers")
        if outcome == .timedOut {
            // Let it finish now that the readers have stopped, so the environment can close.
            XCTAssertEqual(writerDone.wait(timeout: .now() + 30), .success)
        }
        XCTAssertEqual(problems.current, [])
        try checkContents(env, db, count: 1_000, extra: 1)
    }
}

/// Counts readers inside a read transaction; one may leave only while another is inside.
private final class Relay: @unchecked Sendable {
    private let condition = NSCondition()
    private var inside = 0

    func enter() {
        condition.lock()
        inside += 1
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until another reader is inside (or `timeout` seconds pass), then stops counting this one.
    func leaveWhenRelieved(timeout: TimeInterval) {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        while inside < 2, condition.wait(until: deadline) {}
        inside -= 1
        condition.unlock()
    }
}
