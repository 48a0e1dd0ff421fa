import Foundation
import Quiver
import XCTest

/// Missing stores, directories that are not stores, and damaged data files.
final class StoreErrorTests: CLITestCase {
    func testSearchingAMissingStoreExits66AndCreatesNothing() throws {
        let db = path("no-such-store")
        for arguments in [["search", "tea", "--db", db], ["get", "x", "--db", db], ["stats", "--db", db],
                          ["delete", "x", "--db", db]] {
            let result = try quiver(arguments)
            XCTAssertTrue(result.exited(66), "\(arguments): \(result.summary)")
            XCTAssertEqual(result.stderr, "quiver: no store at \(db) (create one by opening with create allowed, or `quiver import`)\n")
            XCTAssertEqual(result.stdout, "")
            XCTAssertFalse(FileManager.default.fileExists(atPath: db), "\(arguments) created the directory")
        }
        // A missing input file for import is also "no input", and creates no store.
        let result = try quiver("import", path("missing.tsv"), "--db", db)
        XCTAssertTrue(result.exited(66), result.summary)
        XCTAssertTrue(result.stderr.contains("cannot read \(path("missing.tsv"))"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: db))
    }

    func testADirectoryWithOtherFilesIsNotAStoreAndIsLeftAlone() throws {
        let db = path("my-documents")
        try FileManager.default.createDirectory(atPath: db, withIntermediateDirectories: true)
        try Data("keep me\n".utf8).write(to: URL(fileURLWithPath: db).appendingPathComponent("notes.txt"))
        let tsv = try writeFile("input.tsv", "id\ttext\n1\thello\n")
        for arguments in [["search", "tea", "--db", db], ["stats", "--db", db], ["import", tsv, "--db", db]] {
            let result = try quiver(arguments)
            XCTAssertTrue(result.exited(65), "\(arguments): \(result.summary)")
            XCTAssertEqual(result.stderr,
                           "quiver: \(db) is not a Quiver store: the directory is not empty and holds no data.mdb\n",
                           "\(arguments)")
            XCTAssertEqual(contents(of: db), ["notes.txt"], "\(arguments) created files in the directory")
        }
        XCTAssertEqual(try String(contentsOfFile: db + "/notes.txt", encoding: .utf8), "keep me\n")
        // A plain file given as --db.
        let result = try quiver("search", "tea", "--db", tsv)
        XCTAssertTrue(result.reason == .exit && result.status != 0, result.summary)
        XCTAssertTrue(result.stderr.contains("is not a Quiver store: it is a file, not a directory"), result.stderr)
    }

    func testABadHeaderRowCreatesNoStore() throws {
        let db = path("never-created")
        let bom = try writeFile("bom.tsv", [0xEF, 0xBB, 0xBF] + Array("id\ttext\n1\thello\n".utf8))
        let result = try quiver("import", bom, "--db", db)
        XCTAssertTrue(result.exited(65), result.summary)
        XCTAssertTrue(result.stderr.contains("byte order mark"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: db), "a store was created for a file that cannot be read")
    }

    func testADataFileOfRandomBytesIsAClearErrorNotACrash() throws {
        let db = path("damaged")
        try FileManager.default.createDirectory(atPath: db, withIntermediateDirectories: true)
        var generator = SeededGenerator(seed: 2024)
        let garbage = Data((0..<65_536).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let dataFile = URL(fileURLWithPath: db).appendingPathComponent("data.mdb")
        try garbage.write(to: dataFile)
        let tsv = try writeFile("input.tsv", "id\ttext\n1\thello\n")
        for arguments in [["search", "tea", "--db", db], ["get", "1", "--db", db], ["stats", "--db", db],
                          ["delete", "1", "--db", db], ["import", tsv, "--db", db],
                          ["embed", "tea", "--db", db]] {
            let result = try quiver(arguments)
            XCTAssertEqual(result.reason, .exit, "\(arguments) was killed by a signal: \(result.summary)")
            XCTAssertEqual(result.status, 74, "\(arguments): \(result.summary)")
            XCTAssertTrue(result.stderr.hasPrefix(
                "quiver: the store at \(db) is damaged or not an LMDB store: MDB_INVALID: File is not an LMDB file."),
                "\(arguments): \(result.stderr)")
            XCTAssertEqual(result.stdout, "")
        }
        XCTAssertEqual(try Data(contentsOf: dataFile), garbage, "the damaged file was not modified")
        XCTAssertThrowsError(try Store.open(at: db)) { error in
            guard case QuiverError.corruptStore = error else { return XCTFail("\(error)") }
        }
    }
}

/// A store whose files this user may not write: a clear error and exit 77, nothing changed.
final class ReadOnlyDirectoryTests: CLITestCase {
    func testAStoreInADirectoryWithoutWriteAccessIsAClearError() throws {
        let db = path("locked")
        let tsv = try writeFile("docs.tsv", "id\ttext\n1\tgreen tea\n2\tblack tea\n")
        XCTAssertTrue(try quiver("import", tsv, "--db", db).exited(0))
        let files = ["data.mdb", "lock.mdb"].map { (db as NSString).appendingPathComponent($0) }
        let before = try files.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        for file in files { try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: file) }
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: db)
        defer {
            try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: db)
            for file in files { try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file) }
        }
        // Root ignores file permissions, so as root the commands run as `nobody` (setpriv, util-linux).
        let asUser: [String] = getuid() == 0 ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : []
        for arguments in [["search", "tea", "--db", db], ["import", tsv, "--db", db], ["stats", "--db", db]] {
            let process = Process()
            let binary = try QuiverBinary.path.get()
            process.executableURL = URL(fileURLWithPath: asUser.first ?? binary)
            process.arguments = Array(asUser.dropFirst()) + (asUser.isEmpty ? [] : [binary]) + arguments
            process.currentDirectoryURL = URL(fileURLWithPath: "/")
            let stderr = Pipe()
            process.standardError = stderr
            process.standardOutput = Pipe()
            try process.run()
            process.waitUntilExit()
            let message = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            XCTAssertEqual(process.terminationReason, .exit, "\(arguments)")
            XCTAssertEqual(process.terminationStatus, 77, "\(arguments): \(message)")
            XCTAssertTrue(message.hasPrefix("quiver: cannot open the store at \(db): "), message)
            XCTAssertTrue(message.contains("Permission denied"), message)
        }
        XCTAssertEqual(try files.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }, before)
    }
}
