import Encoders
import Foundation
import LMDB
import XCTest
@testable import Quiver

/// Opening refuses what is not ours, newer, or different — and changes nothing when it does.
final class StoreOpeningTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        directory.remove()
    }

    /// File names, sizes and contents of a directory, to prove a refused open left it alone.
    private func snapshot(_ path: String) throws -> [String: Data] {
        var result: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: path) where name != "lock.mdb" {
            result[name] = try Data(contentsOf: URL(fileURLWithPath: (path as NSString).appendingPathComponent(name)))
        }
        return result
    }

    private func assertRefused(
        _ path: String, _ options: StoreOptions = StoreOptions(),
        file: StaticString = #filePath, line: UInt = #line, matches: (QuiverError) -> Bool
    ) throws {
        let before = try snapshot(path)
        XCTAssertThrowsError(try Store.open(at: path, options: options), file: file, line: line) { error in
            guard let error = error as? QuiverError else { return XCTFail("untyped \(error)", file: file, line: line) }
            XCTAssertTrue(matches(error), "unexpected: \(error)", file: file, line: line)
        }
        XCTAssertEqual(try snapshot(path), before, "a refused open must change nothing", file: file, line: line)
    }

    func testRefusesAFile() throws {
        let path = directory.child("file")
        FileManager.default.createFile(atPath: path, contents: Data("hello".utf8))
        XCTAssertThrowsError(try Store.open(at: path)) { error in
            guard case QuiverError.notAStore = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "hello")
    }

    func testRefusesANonEmptyDirectoryThatIsNotAStore() throws {
        let path = directory.child("photos")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: path + "/cat.jpg", contents: Data([1, 2, 3]))
        try assertRefused(path) { if case .notAStore = $0 { true } else { false } }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: path), ["cat.jpg"])
    }

    func testRefusesAForeignLMDBEnvironment() throws {
        let path = directory.child("foreign")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        do {
            let env = try Environment(path: path)
            let db = try env.openDatabase("accounts")
            try env.write { try $0.put(db, key: "alice", value: Array("42".utf8)) }
        }
        try assertRefused(path) { if case .notAStore = $0 { true } else { false } }
    }

    func testRefusesAnLMDBEnvironmentWithAPlainMetaKey() throws {
        let path = directory.child("foreign2")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        do {
            let env = try Environment(path: path)
            let main = try env.openDatabase(nil, create: false)
            try env.write { try $0.put(main, key: "meta", value: Array("not a database".utf8)) }
        }
        try assertRefused(path) { if case .notAStore = $0 { true } else { false } }
    }

    func testRefusesRandomBytesAsDataFile() throws {
        let path = directory.child("garbage")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<65_536).map { _ in UInt8.random(in: 0...255, using: &rng) }
        FileManager.default.createFile(atPath: path + "/data.mdb", contents: Data(bytes))
        try assertRefused(path) { if case .corruptStore = $0 { true } else { false } }
    }

    func testRefusesZeroFilledDataFile() throws {
        let path = directory.child("zeros")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: path + "/data.mdb", contents: Data(count: 65_536))
        try assertRefused(path) { if case .corruptStore = $0 { true } else { false } }
    }

    func testRefusesATruncatedDataFile() throws {
        let path = directory.child("truncated")
        do {
            let store = try Store.open(at: path, options: StoreOptions(skipSync: true))
            try store.upsert((0..<2_000).map { Document(id: "\($0)", text: "document number \($0) about tea") })
        }
        let dataFile = path + "/data.mdb"
        let size = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: dataFile)[.size] as? Int)
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: dataFile))
        try handle.truncate(atOffset: UInt64(size / 2))
        try handle.close()
        try assertRefused(path) { error in
            if case .corruptStore(_, let reason) = error { reason.contains("truncated") } else { false }
        }
        try assertRefused(path, StoreOptions(readOnly: true)) { if case .corruptStore = $0 { true } else { false } }
    }

    func testRefusesANewerFormat() throws {
        let path = directory.child("newer")
        _ = try Store.open(at: path)
        do {
            let env = try Environment(path: path)
            let meta = try env.openDatabase("meta", create: false)
            let current = try env.read { txn in try XCTUnwrap(txn.get(meta, key: "manifest")).map { $0 } }
            var json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(current)) as? [String: Any])
            json["formatVersion"] = Manifest.currentFormatVersion + 1
            let newer = try JSONSerialization.data(withJSONObject: json)
            try env.write { try $0.put(meta, key: "manifest", value: Array(newer)) }
        }
        try assertRefused(path) {
            if case .unsupportedFormatVersion(Manifest.currentFormatVersion + 1, Manifest.currentFormatVersion) = $0 {
                true
            } else { false }
        }
    }

    func testRefusesADifferentEncoderDimensionOrMetric() throws {
        let path = directory.child("db")
        try Store.open(at: path).upsert([Document(id: "1", text: "one")])
        try assertRefused(path, StoreOptions(encoder: try HashingEncoder(dimension: 64))) {
            if case .encoderMismatch = $0 { true } else { false }
        }
        try assertRefused(path, StoreOptions(dimension: 128)) {
            if case .dimensionMismatch(256, 128) = $0 { true } else { false }
        }
        try assertRefused(path, StoreOptions(metric: .l2)) {
            if case .metricMismatch(.cosine, .l2) = $0 { true } else { false }
        }
        // The store still opens with matching options.
        XCTAssertEqual(try Store.open(at: path, options: StoreOptions(dimension: 256, metric: .cosine)).count(), 1)
    }

    func testOpenExistingDoesNotCreate() throws {
        let path = directory.child("absent")
        XCTAssertThrowsError(try Store.open(at: path, options: StoreOptions(creation: .openExisting))) { error in
            guard case QuiverError.storeNotFound = error else { return XCTFail("\(error)") }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }
}
