import Foundation
import XCTest

import LMDB

/// Errors carry liblmdb's code and message; `copy(to:compact:)` makes a working copy.
final class ErrorAndCopyTests: LMDBTestCase {
    func testOpeningAMissingDirectoryReportsENOENTWithTheOperation() throws {
        let missing = directory.appendingPathComponent("does/not/exist").path
        XCTAssertThrowsError(try Environment(path: missing)) { error in
            guard let lmdb = error as? LMDBError else { return XCTFail("not an LMDBError: \(error)") }
            XCTAssertEqual(lmdb.code, ENOENT)
            XCTAssertEqual(lmdb.message, "No such file or directory")
            XCTAssertTrue(lmdb.operation.hasPrefix("mdb_env_open"), lmdb.operation)
            XCTAssertTrue(lmdb.description.contains("mdb_env_open(\(missing))"), lmdb.description)
            XCTAssertTrue(lmdb.description.contains("No such file or directory"), lmdb.description)
            XCTAssertTrue(lmdb.description.contains("code \(ENOENT)"), lmdb.description)
            XCTAssertFalse(lmdb.isInvalidFile || lmdb.isMapFull || lmdb.isNotFound || lmdb.isCorrupted)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: missing), "nothing was created")
    }

    func testADataFileOfRandomBytesIsAnInvalidFile() throws {
        let path = try makeSubdirectory()
        var generator = SeededGenerator(seed: 99)
        let garbage = (0..<16_384).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let dataFile = (path as NSString).appendingPathComponent("data.mdb")
        try Data(garbage).write(to: URL(fileURLWithPath: dataFile))
        for readOnly in [false, true] {
            XCTAssertThrowsError(try Environment(path: path, options: Environment.Options(readOnly: readOnly))) { error in
                guard let lmdb = error as? LMDBError else { return XCTFail("not an LMDBError: \(error)") }
                XCTAssertTrue(lmdb.isInvalidFile, "\(lmdb)")
                XCTAssertEqual(lmdb.message, "MDB_INVALID: File is not an LMDB file")
                XCTAssertTrue(lmdb.description.hasPrefix("mdb_env_open("), lmdb.description)
            }
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dataFile)), Data(garbage), "the file is left untouched")
    }

    func testMessagesComeFromLiblmdb() {
        XCTAssertEqual(LMDBError(code: -30792, operation: "x").message, "MDB_MAP_FULL: Environment mapsize limit reached")
        XCTAssertTrue(LMDBError(code: -30792, operation: "x").isMapFull)
        XCTAssertTrue(LMDBError(code: -30798, operation: "x").isNotFound)
        XCTAssertTrue(LMDBError(code: -30796, operation: "x").isCorrupted)
        XCTAssertTrue(LMDBError(code: -30784, operation: "x").isIncompatible)
        XCTAssertTrue(LMDBError(code: -30791, operation: "x").isDatabasesFull)
        XCTAssertTrue(LMDBError(code: -30785, operation: "x").isMapResized)
        XCTAssertEqual(LMDBError(code: EACCES, operation: "open it").description, "open it: Permission denied (code 13)")
    }

    func testDatabaseErrorsNameTheDatabase() throws {
        let env = try makeEnvironment(Environment.Options(maximumDatabases: 2, skipSync: true))
        XCTAssertThrowsError(try env.openDatabase("absent", create: false)) { error in
            let lmdb = error as? LMDBError
            XCTAssertTrue(lmdb?.isNotFound ?? false, "\(error)")
            XCTAssertEqual(lmdb?.operation, "mdb_dbi_open(absent)")
        }
        _ = try env.openDatabase("one")
        _ = try env.openDatabase("two")
        XCTAssertThrowsError(try env.openDatabase("three")) { error in
            XCTAssertTrue((error as? LMDBError)?.isDatabasesFull ?? false, "\(error)")
        }
        // Handles opened before stay usable after the failure.
        let one = try env.openDatabase("one", create: false)
        try env.write { txn in try txn.put(one, key: "k", value: [1]) }
        try env.read { txn in XCTAssertEqual(bytes(try txn.get(one, key: "k")), [1]) }
    }

    func testCopyProducesAnEnvironmentWithTheSameData() throws {
        let env = try makeEnvironment()
        let plain = try env.openDatabase("plain")
        let ints = try env.openDatabase("ints", flags: .integerKey)
        let dups = try env.openDatabase("dups", flags: [.duplicateSort, .duplicateFixed])
        try env.write { txn in
            for i in 0..<3_000 { try txn.put(plain, key: "k\(i)", value: utf8(String(repeating: "v\(i)", count: i % 50 + 1))) }
            for i in UInt32(0)..<1_000 { try txn.put(ints, key: i * 7, value: withUnsafeBytes(of: i) { Array($0) }) }
            for i in 0..<50 {
                for j in UInt32(0)..<5 { try txn.put(dups, key: "d\(i)", value: bigEndianBytes(j)) }
            }
        }
        // Free pages for the compacting copy to leave out.
        try env.write { txn in
            for i in stride(from: 0, to: 3_000, by: 2) { try txn.delete(plain, key: "k\(i)") }
        }

        func snapshot(_ env: Environment) throws -> [String: [[UInt8]]] {
            var result: [String: [[UInt8]]] = [:]
            for (name, flags) in [("plain", DatabaseFlags()), ("ints", .integerKey), ("dups", [.duplicateSort, .duplicateFixed])] {
                let db = try env.openDatabase(name, flags: flags, create: false)
                try env.read { txn in
                    let cursor = try txn.cursor(db)
                    var entries: [[UInt8]] = []
                    var entry = try cursor.first()
                    while let (k, v) = entry {
                        entries.append(Array(k))
                        entries.append(Array(v))
                        entry = try cursor.next()
                    }
                    result[name] = entries
                }
            }
            return result
        }
        let original = try snapshot(env)
        XCTAssertEqual(original["plain"]?.count, 3_000)
        XCTAssertEqual(original["dups"]?.count, 500)

        for compact in [true, false] {
            let target = try makeSubdirectory("copy-\(compact)")
            try env.copy(to: target, compact: compact)
            let copy = try Environment(path: target, options: Environment.Options(readOnly: true))
            XCTAssertEqual(try snapshot(copy), original, "compact: \(compact)")
            let dups = try copy.openDatabase("dups", flags: [.duplicateSort, .duplicateFixed], create: false)
            try copy.read { txn in
                XCTAssertEqual(try txn.count(dups), 250)
                let cursor = try txn.cursor(dups)
                _ = try cursor.seek(exactly: "d7")
                var n = 1
                while try cursor.nextDuplicate() != nil { n += 1 }
                XCTAssertEqual(n, 5)
            }
        }
        let compactSize = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("copy-true/data.mdb").path)[.size] as? Int
        let fullSize = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("copy-false/data.mdb").path)[.size] as? Int
        XCTAssertLessThanOrEqual(try XCTUnwrap(compactSize), try XCTUnwrap(fullSize))

        // Copying into a missing directory is an error with a message, not a crash.
        let nowhere = directory.appendingPathComponent("missing/dir").path
        XCTAssertThrowsError(try env.copy(to: nowhere)) { error in
            let lmdb = error as? LMDBError
            XCTAssertEqual(lmdb?.code, ENOENT, "\(error)")
            XCTAssertEqual(lmdb?.operation, "mdb_env_copy2(\(nowhere))")
        }
    }
}
