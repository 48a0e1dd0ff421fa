import Foundation
import XCTest

import LMDB

/// Single-threaded behaviour of transactions, databases and cursors.
final class TransactionTests: LMDBTestCase {
    private struct Abort: Error {}

    // MARK: - put / get / delete

    func testPutGetDeleteRoundTrip() throws {
        let env = try makeEnvironment()
        let db = try env.openDatabase("plain")
        try env.write { txn in
            try txn.put(db, key: "alpha", value: utf8("one"))
            try txn.put(db, key: "beta", value: utf8("two"))
            try txn.put(db, key: "empty", value: [])
            // Visible inside the same write transaction.
            XCTAssertEqual(string(try txn.get(db, key: "alpha")), "one")
        }
        try env.read { txn in
            XCTAssertEqual(string(try txn.get(db, key: "alpha")), "one")
            XCTAssertEqual(string(try txn.get(db, key: "beta")), "two")
            XCTAssertEqual(bytes(try txn.get(db, key: "empty")), [])
            XCTAssertNil(try txn.get(db, key: "gamma"), "a missing key reads as nil")
            XCTAssertNil(try txn.get(db, key: "alph"), "no prefix matching")
            XCTAssertEqual(try txn.count(db), 3)
        }

        // Replace, delete, delete again.
        try env.write { txn in
            try txn.put(db, key: "alpha", value: utf8("uno"))
            XCTAssertTrue(try txn.delete(db, key: "beta"))
            XCTAssertFalse(try txn.delete(db, key: "beta"), "deleting a missing key reports false")
            XCTAssertFalse(try txn.delete(db, key: "never"))
        }
        try env.read { txn in
            XCTAssertEqual(string(try txn.get(db, key: "alpha")), "uno")
            XCTAssertNil(try txn.get(db, key: "beta"))
            XCTAssertEqual(try txn.count(db), 2)
        }

        // Byte-array and raw-buffer keys address the same entries as string keys.
        try env.read { txn in
            XCTAssertEqual(string(try txn.get(db, key: utf8("alpha"))), "uno")
            try utf8("alpha").withUnsafeBytes { key in
                XCTAssertEqual(string(try txn.get(db, key: key)), "uno")
            }
        }
    }

    func testNoOverwriteAndOversizedKeyAreErrorsNotCrashes() throws {
        let env = try makeEnvironment()
        let db = try env.openDatabase("plain")
        try env.write { txn in try txn.put(db, key: "k", value: utf8("first")) }
        XCTAssertThrowsError(try env.write { txn in
            try txn.put(db, key: "k", value: utf8("second"), flags: .noOverwrite)
        }) { error in
            let lmdb = error as? LMDBError
            XCTAssertEqual(lmdb?.code, -30799, "MDB_KEYEXIST")
            XCTAssertTrue(lmdb?.description.contains("mdb_put(plain)") ?? false, "\(error)")
        }
        try env.read { txn in XCTAssertEqual(string(try txn.get(db, key: "k")), "first") }

        XCTAssertEqual(env.maximumKeySize, 511)
        let longKey = [UInt8](repeating: 0x61, count: env.maximumKeySize + 1)
        XCTAssertThrowsError(try env.write { txn in try txn.put(db, key: longKey, value: [1]) }) { error in
            XCTAssertEqual((error as? LMDBError)?.code, -30781, "MDB_BAD_VALSIZE: \(error)")
        }
        let maxKey = [UInt8](repeating: 0x61, count: env.maximumKeySize)
        try env.write { txn in try txn.put(db, key: maxKey, value: [1]) }
        try env.read { txn in XCTAssertEqual(bytes(try txn.get(db, key: maxKey)), [1]) }
    }

    func testReservePutWritesInPlace() throws {
        let env = try makeEnvironment()
        let db = try env.openDatabase("reserve")
        let sizes = [1, 7, 4096, 100_003]  // Inline and overflow-page values.
        try env.write { txn in
            for size in sizes {
                try txn.put(db, key: "v\(size)", reservingCount: size) { buffer in
                    XCTAssertEqual(buffer.count, size)
                    for i in 0..<size { buffer[i] = UInt8(truncatingIfNeeded: i &* 31 &+ size) }
                }
            }
        }
        try env.read { txn in
            for size in sizes {
                let stored = try XCTUnwrap(bytes(try txn.get(db, key: "v\(size)")))
                XCTAssertEqual(stored, (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ size) })
            }
        }
    }

    func testEmptyKeepsTheDatabaseAndCountCountsDuplicates() throws {
        let env = try makeEnvironment()
        let plain = try env.openDatabase("plain")
        let dups = try env.openDatabase("dups", flags: [.duplicateSort])
        try env.write { txn in
            for i in 0..<250 { try txn.put(plain, key: "k\(i)", value: [UInt8(i % 256)]) }
            for i in 0..<10 {
                for j in 0..<3 { try txn.put(dups, key: "k\(i)", value: [UInt8(j)]) }
            }
        }
        try env.read { txn in
            XCTAssertEqual(try txn.count(plain), 250)
            XCTAssertEqual(try txn.count(dups), 30, "duplicates are counted one by one")
            let stats = try txn.statistics(plain)
            XCTAssertEqual(stats.entries, 250)
            XCTAssertGreaterThan(stats.pages, 0)
            XCTAssertEqual(stats.bytes, stats.pages * env.pageSize)
        }
        try env.write { txn in try txn.empty(plain) }
        try env.read { txn in
            XCTAssertEqual(try txn.count(plain), 0)
            XCTAssertNil(try txn.get(plain, key: "k1"))
            XCTAssertNil(try txn.cursor(plain).first())
            XCTAssertEqual(try txn.count(dups), 30, "emptying one database leaves the others alone")
        }
        // Still usable after being emptied, also through a freshly opened handle.
        try env.write { txn in try txn.put(plain, key: "again", value: [9]) }
        let reopened = try env.openDatabase("plain", create: false)
        try env.read { txn in
            XCTAssertEqual(try txn.count(reopened), 1)
            XCTAssertEqual(bytes(try txn.get(reopened, key: "again")), [9])
        }
    }

    // MARK: - Cursors

    func testCursorWalksStringKeysInByteOrder() throws {
        let env = try makeEnvironment()
        let db = try env.openDatabase("ordered")
        var generator = SeededGenerator(seed: 42)
        let numbers = Array(0..<2_000).shuffled(using: &generator)
        try env.write { txn in
            for n in numbers {
                try txn.put(db, key: String(format: "key%05d", n), value: utf8("value \(n)"))
            }
        }
        try env.read { txn in
            let cursor = try txn.cursor(db)
            var seen: [String] = []
            var entry = try cursor.first()
            while let (key, value) = entry {
                let k = String(decoding: key, as: UTF8.self)
                XCTAssertEqual(String(decoding: value, as: UTF8.self), "value \(Int(k.dropFirst(3))!)")
                seen.append(k)
                entry = try cursor.next()
            }
            XCTAssertEqual(seen, (0..<2_000).map { String(format: "key%05d", $0) })
            XCTAssertNil(try cursor.next(), "stays at the end")

            XCTAssertEqual(string(try cursor.last()?.key), "key01999")
            XCTAssertEqual(string(try cursor.previous()?.key), "key01998")

            // seek(atLeast:) lands on the key itself or the next greater one.
            XCTAssertEqual(string(try cursor.seek(atLeast: "key00500")?.key), "key00500")
            XCTAssertEqual(string(try cursor.seek(atLeast: "key00500x")?.key), "key00501")
            XCTAssertEqual(string(try cursor.next()?.key), "key00502", "next continues from the seek")
            XCTAssertEqual(string(try cursor.seek(atLeast: "a")?.key), "key00000")
            XCTAssertNil(try cursor.seek(atLeast: "key02000"), "past the last key")
            XCTAssertNil(try cursor.seek(atLeast: "z"))

            XCTAssertEqual(string(try cursor.seek(exactly: "key01234")?.value), "value 1234")
            XCTAssertNil(try cursor.seek(exactly: "key0123"))
        }
    }

    func testIntegerKeysAreOrderedNumerically() throws {
        let env = try makeEnvironment()
        let db = try env.openDatabase("ints", flags: .integerKey)
        var generator = SeededGenerator(seed: 7)
        // Values whose little-endian bytes sort differently from their numeric order.
        var keys: Set<UInt32> = [0, 1, 255, 256, 257, 65_535, 65_536, 16_777_216, UInt32.max - 1, UInt32.max]
        while keys.count < 1_000 { keys.insert(UInt32.random(in: 0...UInt32.max, using: &generator)) }
        try env.write { txn in
            for key in keys.shuffled(using: &generator) {
                try txn.put(db, key: key, value: withUnsafeBytes(of: key ^ 0xA5A5_A5A5) { Array($0) })
            }
        }
        let sorted = keys.sorted()
        try env.read { txn in
            let cursor = try txn.cursor(db)
            var seen: [UInt32] = []
            var entry = try cursor.first()
            while let (key, value) = entry {
                XCTAssertEqual(key.count, 4)
                let k = key.loadUnaligned(as: UInt32.self)
                XCTAssertEqual(value.loadUnaligned(as: UInt32.self), k ^ 0xA5A5_A5A5)
                seen.append(k)
                entry = try cursor.next()
            }
            XCTAssertEqual(seen, sorted)
            XCTAssertEqual(try cursor.last()?.key.loadUnaligned(as: UInt32.self), UInt32.max)
            XCTAssertEqual(try cursor.seek(atLeast: UInt32(258))?.key.loadUnaligned(as: UInt32.self),
                           sorted.first { $0 >= 258 })
            XCTAssertEqual(try cursor.seek(atLeast: UInt32(2))?.key.loadUnaligned(as: UInt32.self),
                           sorted.first { $0 >= 2 })
            XCTAssertNotNil(try txn.get(db, key: UInt32(65_536)))
            XCTAssertNil(try txn.get(db, key: sorted.first { !keys.contains($0 &+ 1) }! &+ 1))
        }
    }

    func testDuplicateSortedFixedSizeValues() throws {
        let env = try makeEnvironment()
        let db = try env.openDatabase("dups", flags: [.duplicateSort, .duplicateFixed])
        XCTAssertEqual(db.flags, [.duplicateSort, .duplicateFixed])
        // Key "k<i>" holds the values i*10 ..< i*10 + i + 1 (so groups have different sizes),
        // inserted in a scrambled order; values sort by their big-endian bytes, i.e. numerically.
        var generator = SeededGenerator(seed: 3)
        var expected: [(String, [UInt32])] = []
        for i in 0..<20 {
            expected.append(("k\(String(format: "%02d", i))", (0...UInt32(i)).map { UInt32(i) * 10 + $0 }))
        }
        try env.write { txn in
            for (key, values) in expected.shuffled(using: &generator) {
                for value in values.shuffled(using: &generator) {
                    try txn.put(db, key: key, value: bigEndianBytes(value))
                }
            }
            // The same pair again is refused with noDuplicateData and is a no-op otherwise.
            XCTAssertThrowsError(try txn.put(db, key: "k05", value: bigEndianBytes(50), flags: .noDuplicateData))
            try txn.put(db, key: "k05", value: bigEndianBytes(50))
        }
        func value(_ buffer: UnsafeRawBufferPointer) -> UInt32 {
            UInt32(bigEndian: buffer.loadUnaligned(as: UInt32.self))
        }
        try env.read { txn in
            XCTAssertEqual(try txn.count(db), expected.reduce(0) { $0 + $1.1.count })
            let cursor = try txn.cursor(db)

            // next() visits every duplicate of every key, in order.
            var all: [(String, UInt32)] = []
            var entry = try cursor.first()
            while let (k, v) = entry {
                all.append((String(decoding: k, as: UTF8.self), value(v)))
                entry = try cursor.next()
            }
            XCTAssertEqual(all.map(\.0), expected.flatMap { key, values in values.map { _ in key } })
            XCTAssertEqual(all.map(\.1), expected.flatMap(\.1))

            // nextDuplicate() walks one group and then returns nil; nextKey() jumps to the next group.
            var groups: [(String, [UInt32])] = []
            entry = try cursor.first()
            while let (k, v) = entry {
                var values = [value(v)]
                while let duplicate = try cursor.nextDuplicate() {
                    XCTAssertEqual(String(decoding: duplicate.key, as: UTF8.self), String(decoding: k, as: UTF8.self))
                    values.append(value(duplicate.value))
                }
                groups.append((String(decoding: k, as: UTF8.self), values))
                entry = try cursor.nextKey()
            }
            XCTAssertEqual(groups.map(\.0), expected.map(\.0))
            XCTAssertEqual(groups.map(\.1), expected.map(\.1))

            // nextKey() from the middle of a group skips its remaining duplicates.
            XCTAssertEqual(try cursor.seek(exactly: "k07").map { value($0.value) }, 70)
            XCTAssertEqual(try cursor.nextDuplicate().map { value($0.value) }, 71)
            let next = try XCTUnwrap(try cursor.nextKey())
            XCTAssertEqual(String(decoding: next.key, as: UTF8.self), "k08")
            XCTAssertEqual(value(next.value), 80)

            // get returns the first (smallest) duplicate.
            XCTAssertEqual(try txn.get(db, key: "k09").map(value), 90)
        }

        // Deleting one duplicate, then a whole key.
        try env.write { txn in
            XCTAssertTrue(try txn.delete(db, key: "k03", value: bigEndianBytes(30)))
            XCTAssertFalse(try txn.delete(db, key: "k03", value: bigEndianBytes(30)))
            XCTAssertTrue(try txn.delete(db, key: "k04"))
        }
        try env.read { txn in
            let cursor = try txn.cursor(db)
            XCTAssertEqual(try cursor.seek(exactly: "k03").map { value($0.value) }, 31)
            XCTAssertEqual(try cursor.nextDuplicate().map { value($0.value) }, 32)
            XCTAssertEqual(try cursor.nextDuplicate().map { value($0.value) }, 33)
            XCTAssertNil(try cursor.nextDuplicate())
            XCTAssertNil(try cursor.seek(exactly: "k04"))
            XCTAssertEqual(try txn.count(db), expected.reduce(0) { $0 + $1.1.count } - 1 - 5)
        }
    }

    func testCursorDeleteCurrent() throws {
        let env = try makeEnvironment()
        let db = try env.openDatabase("plain", flags: .integerKey)
        try env.write { txn in
            for i in UInt32(0)..<100 { try txn.put(db, key: i, value: [UInt8(i)]) }
        }
        // Delete every even key through a cursor walk.
        try env.write { txn in
            let cursor = try txn.cursor(db)
            var entry = try cursor.first()
            while let current = entry {
                let key = current.key.loadUnaligned(as: UInt32.self)
                if key.isMultiple(of: 2) { try cursor.deleteCurrent() }
                entry = try cursor.next()
            }
        }
        try env.read { txn in
            XCTAssertEqual(try txn.count(db), 50)
            let cursor = try txn.cursor(db)
            var keys: [UInt32] = []
            var entry = try cursor.first()
            while let current = entry {
                keys.append(current.key.loadUnaligned(as: UInt32.self))
                entry = try cursor.next()
            }
            XCTAssertEqual(keys, stride(from: UInt32(1), to: 100, by: 2).map { $0 })
        }
    }

    // MARK: - Commit and abort

    func testWriteThatThrowsCommitsNothing() throws {
        let env = try makeEnvironment()
        let db = try env.openDatabase("plain")
        try env.write { txn in try txn.put(db, key: "kept", value: utf8("old")) }
        XCTAssertThrowsError(try env.write { txn in
            try txn.put(db, key: "kept", value: utf8("new"))
            try txn.put(db, key: "added", value: utf8("x"))
            XCTAssertTrue(try txn.delete(db, key: "kept"))
            throw Abort()
        }) { error in
            XCTAssertTrue(error is Abort, "the body's own error is rethrown unchanged: \(error)")
        }
        try env.read { txn in
            XCTAssertEqual(string(try txn.get(db, key: "kept")), "old")
            XCTAssertNil(try txn.get(db, key: "added"))
            XCTAssertEqual(try txn.count(db), 1)
        }
        // A failed write leaves the writer lock free for the next one.
        try env.write { txn in try txn.put(db, key: "after", value: [1]) }
        try env.read { txn in XCTAssertEqual(try txn.count(db), 2) }
    }

    func testWriteThatReturnsCommitsAndReturnsItsResult() throws {
        let path = try makeSubdirectory()
        do {
            let env = try Environment(path: path)
            let db = try env.openDatabase("plain")
            let before = try env.read { $0.id }
            let result: Int = try env.write { txn in
                XCTAssertTrue(txn.isWritable)
                try txn.put(db, key: "a", value: [1])
                try txn.put(db, key: "b", value: [2])
                return 42
            }
            XCTAssertEqual(result, 42)
            try env.read { txn in
                XCTAssertGreaterThan(txn.id, before, "the new read sees a newer snapshot")
                XCTAssertFalse(txn.isWritable)
                XCTAssertEqual(bytes(try txn.get(db, key: "a")), [1])
                XCTAssertEqual(bytes(try txn.get(db, key: "b")), [2])
            }
        }
        // Durable: a new environment on the same directory (the first one closed) sees the commit.
        let reopened = try Environment(path: path, options: Environment.Options(readOnly: true))
        let handle = try reopened.openDatabase("plain", create: false)
        try reopened.read { txn in
            XCTAssertEqual(bytes(try txn.get(handle, key: "a")), [1])
            XCTAssertEqual(bytes(try txn.get(handle, key: "b")), [2])
        }
    }

    func testReadOnlyEnvironmentRefusesWrites() throws {
        let path = try makeSubdirectory()
        do {
            let env = try Environment(path: path, options: Environment.Options(skipSync: true))
            let db = try env.openDatabase("plain")
            try env.write { txn in try txn.put(db, key: "k", value: [7]) }
        }
        let env = try Environment(path: path, options: Environment.Options(readOnly: true))
        let db = try env.openDatabase("plain")  // create is ignored when read-only
        try env.read { txn in XCTAssertEqual(bytes(try txn.get(db, key: "k")), [7]) }
        XCTAssertThrowsError(try env.write { txn in try txn.put(db, key: "k", value: [8]) }) { error in
            XCTAssertEqual((error as? LMDBError)?.code, EACCES, "\(error)")
        }
        XCTAssertThrowsError(try env.openDatabase("missing")) { error in
            XCTAssertTrue((error as? LMDBError)?.isNotFound ?? false, "\(error)")
        }
    }

    // MARK: - Unaligned values

    func testValuesAtOddAddressesReadWithLoadUnaligned() throws {
        let env = try makeEnvironment()
        let db = try env.openDatabase("unaligned")
        // Keys of odd lengths put the value bytes that follow them in the page at odd addresses.
        func payload(_ n: Int) -> [UInt8] {
            var out: [UInt8] = []
            for i in 0..<(n + 1) {
                withUnsafeBytes(of: (UInt64(n) << 32 | UInt64(i)).littleEndian) { out += $0 }
                withUnsafeBytes(of: Double(n) + Double(i) / 8) { out += $0 }
            }
            out.append(contentsOf: (0..<(n % 7)).map { UInt8($0) })  // odd total lengths
            return out
        }
        let counts = Array(0..<40)
        try env.write { txn in
            for n in counts {
                try txn.put(db, key: String(repeating: "k", count: n % 5 + 1) + "\(n)", value: payload(n))
            }
        }
        var sawMisaligned = false
        try env.read { txn in
            for n in counts {
                let value = try XCTUnwrap(try txn.get(db, key: String(repeating: "k", count: n % 5 + 1) + "\(n)"))
                XCTAssertEqual(Array(value), payload(n))
                if Int(bitPattern: value.baseAddress) % 8 != 0 { sawMisaligned = true }
                for i in 0..<(n + 1) {
                    let offset = i * 16
                    XCTAssertEqual(UInt64(littleEndian: value.loadUnaligned(fromByteOffset: offset, as: UInt64.self)),
                                   UInt64(n) << 32 | UInt64(i))
                    XCTAssertEqual(value.loadUnaligned(fromByteOffset: offset + 8, as: Double.self),
                                   Double(n) + Double(i) / 8)
                }
                // Reads at every odd offset too.
                if value.count >= 9 {
                    var expected: UInt32 = 0
                    withUnsafeMutableBytes(of: &expected) { $0.copyBytes(from: Array(value)[1..<5]) }
                    XCTAssertEqual(value.loadUnaligned(fromByteOffset: 1, as: UInt32.self), expected)
                }
            }
        }
        XCTAssertTrue(sawMisaligned, "some values should sit at addresses that are not 8-byte aligned")
    }
}
