import Encoders
import Foundation
import LMDB
import XCTest
@testable import Quiver

/// The `postings` and `fields` databases: kept equal to what the live documents say through
/// upserts, replacements and deletes, and field types enforced.
final class MetadataIndexTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        directory.remove()
    }

    private func makeStore(_ name: String = "db", configure: (inout StoreOptions) -> Void = { _ in }) throws -> Store {
        var options = StoreOptions(encoder: try HashingEncoder(dimension: 16), skipSync: true)
        configure(&options)
        return try Store.open(at: directory.child(name), options: options)
    }

    /// Every (key, id) pair stored in `postings`.
    private func storedPostings(_ store: Store) throws -> Set<[UInt8]> {
        let index = try XCTUnwrap(store.metadataIndex)
        return try store.environment.read { txn in
            var pairs = Set<[UInt8]>()
            let cursor = try txn.cursor(index.postings)
            var entry = try cursor.first()
            while let (key, value) = entry {
                pairs.insert(Array(key) + [0xFF] + Array(value))
                entry = try cursor.next()
            }
            return pairs
        }
    }

    /// The (key, id) pairs the live documents call for, computed independently of the store's indexing code.
    private func expectedPostings(_ store: Store, documents: [String: Document]) throws -> Set<[UInt8]> {
        var pairs = Set<[UInt8]>()
        try store.environment.read { txn in
            for (id, document) in documents {
                let row = try XCTUnwrap(try store.internalID(of: id, in: txn))
                let idBytes = withUnsafeBytes(of: row) { Array($0) }
                for (name, value) in document.metadata {
                    let prefix = [UInt8(name.utf8.count)] + Array(name.utf8)
                    var parts: [[UInt8]] = []
                    switch value {
                    case .string(let s): parts = [Array(s.utf8.prefix(250))]
                    case .strings(let tags): parts = Set(tags.map { Array($0.utf8.prefix(250)) }).map { $0 }
                    case .int(let i): parts = [Self.bigEndian(UInt64(bitPattern: i) ^ (1 << 63))]
                    case .bool(let b): parts = [[b ? 1 : 0]]
                    case .double(let d):
                        let bits = (d == 0 ? 0 : d).bitPattern
                        parts = [Self.bigEndian(d < 0 ? ~bits : bits | (1 << 63))]
                    }
                    for part in parts { pairs.insert(prefix + part + [0xFF] + idBytes) }
                }
            }
        }
        return pairs
    }

    private static func bigEndian(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (56 - 8 * $0)) } }

    private func randomDocument(_ id: String, rng: inout SeededGenerator) -> Document {
        var metadata: [String: Value] = [:]
        let cities = ["上海", "北京", "Paris", "Zürich", "東京", ""]
        if Bool.random(using: &rng) { metadata["city"] = .string(cities.randomElement(using: &rng) ?? "") }
        if Int.random(in: 0..<4, using: &rng) > 0 { metadata["year"] = .int(Int64.random(in: 1990...2025, using: &rng) - (Bool.random(using: &rng) ? 0 : 3000)) }
        if Bool.random(using: &rng) { metadata["price"] = .double(Double(Int.random(in: -50...50, using: &rng)) / 4) }
        if Bool.random(using: &rng) { metadata["stock"] = .bool(Bool.random(using: &rng)) }
        if Bool.random(using: &rng) {
            metadata["tags"] = .strings((0..<Int.random(in: 0...3, using: &rng)).map { _ in ["new", "sale", "辣", "new"].randomElement(using: &rng) ?? "" })
        }
        return Document(id: id, text: "doc \(id)", metadata: metadata)
    }

    func testPostingsFollowUpsertReplaceAndDelete() throws {
        var rng = SeededGenerator(seed: 42)
        var live: [String: Document] = [:]
        do {
        let store = try makeStore()
        for round in 0..<6 {
            // New documents, replacements with new metadata, identical re-upserts, deletes.
            var batch: [Document] = []
            for i in 0..<60 { batch.append(randomDocument("r\(round)-\(i)", rng: &rng)) }
            for id in live.keys.sorted().prefix(25) { batch.append(randomDocument(id, rng: &rng)) }
            if let same = live.values.sorted(by: { $0.id < $1.id }).last { batch.append(same) }
            try store.upsert(batch)
            for document in batch { live[document.id] = document }
            let doomed = Array(live.keys.sorted().suffix(15)) + ["missing"]
            try store.delete(ids: doomed)
            for id in doomed { live[id] = nil }
            XCTAssertEqual(try storedPostings(store), try expectedPostings(store, documents: live), "round \(round)")
        }
        XCTAssertEqual(try store.count(), live.count)
        }
        // Reopening changes nothing, and the catalog has every field with its type.
        let reopened = try Store.open(at: directory.child("db"), options: StoreOptions(encoder: try HashingEncoder(dimension: 16)))
        XCTAssertEqual(try storedPostings(reopened), try expectedPostings(reopened, documents: live))
        XCTAssertEqual(try reopened.fields(), [
            "city": FieldInfo(type: .string, isIndexed: true), "year": FieldInfo(type: .int, isIndexed: true),
            "price": FieldInfo(type: .double, isIndexed: true), "stock": FieldInfo(type: .bool, isIndexed: true),
            "tags": FieldInfo(type: .strings, isIndexed: true),
        ])
    }

    func testConflictingTypeIsRefusedAndChangesNothing() throws {
        let store = try makeStore()
        try store.upsert([Document(id: "a", text: "x", metadata: ["year": 2020])])
        let before = try storedPostings(store)
        XCTAssertThrowsError(try store.upsert([
            Document(id: "b", text: "y", metadata: ["year": 2021]),
            Document(id: "c", text: "z", metadata: ["year": "2022"]),
        ])) { error in
            XCTAssertEqual(error as? MetadataError, .typeConflict(field: "year", recorded: .int, found: .string, documentID: "c"))
            XCTAssertTrue("\(error)".contains("records the field as int"), "\(error)")
        }
        XCTAssertEqual(try store.count(), 1)
        XCTAssertEqual(try storedPostings(store), before)
        // A conflict inside one batch, on a field first seen in that batch.
        XCTAssertThrowsError(try store.upsert([
            Document(id: "d", text: "", metadata: ["size": 1.5]), Document(id: "e", text: "", metadata: ["size": true]),
        ])) { error in
            XCTAssertEqual(error as? MetadataError, .typeConflict(field: "size", recorded: .double, found: .bool, documentID: "e"))
        }
        XCTAssertNil(try store.fields()["size"])
        XCTAssertThrowsError(try store.upsert([Document(id: "n", text: "", metadata: ["w": .double(.nan)])])) { error in
            XCTAssertEqual(error as? MetadataError, .notANumber(field: "w", documentID: "n"))
        }
    }

    func testDeclaredTypesAndUnindexedFields() throws {
        let store = try makeStore { options in
            options.fieldTypes = ["year": .int, "note": .string]
            options.unindexedFields = ["note", "blob"]
        }
        XCTAssertEqual(try store.fields(), [
            "year": FieldInfo(type: .int, isIndexed: true), "note": FieldInfo(type: .string, isIndexed: false),
            "blob": FieldInfo(type: nil, isIndexed: false),
        ])
        XCTAssertThrowsError(try store.upsert([Document(id: "a", text: "", metadata: ["year": 2020.5])])) { error in
            XCTAssertEqual(error as? MetadataError, .typeConflict(field: "year", recorded: .int, found: .double, documentID: "a"))
        }
        try store.upsert([Document(id: "a", text: "", metadata: ["year": 2020, "note": "hi", "blob": .double(.nan)])])
        XCTAssertEqual(try store.fields()["blob"], FieldInfo(type: .double, isIndexed: false))
        // Only the indexed field has postings.
        XCTAssertEqual(try storedPostings(store).count, 1)
        XCTAssertThrowsError(try store.search(vector: [Float](repeating: 1, count: 16), filter: Filter.field("note") == "hi")) { error in
            XCTAssertEqual(error as? FilterError, .unindexedField("note"))
        }
    }

    func testStoreWithoutIndexGetsOneBuiltWhenOpenedWritable() throws {
        var rng = SeededGenerator(seed: 3)
        var live: [String: Document] = [:]
        for i in 0..<80 { live["d\(i)"] = randomDocument("d\(i)", rng: &rng) }
        let expected: Set<[UInt8]>
        do {
            let store = try makeStore()
            try store.upsert(Array(live.values))
            expected = try expectedPostings(store, documents: live)
            // Make it look like a store from before the index: drop both databases.
            let index = try XCTUnwrap(store.metadataIndex)
            try store.environment.write { txn in
                try txn.drop(index.postings)
                try txn.drop(index.fields)
            }
        }
        do {
        let readOnly = try Store.open(at: directory.child("db"), options: StoreOptions(encoder: try HashingEncoder(dimension: 16), readOnly: true))
        XCTAssertNil(readOnly.metadataIndex)
        XCTAssertThrowsError(try readOnly.search(vector: [Float](repeating: 1, count: 16), filter: Filter.field("year").exists)) { error in
            XCTAssertEqual(error as? FilterError, .indexUnavailable)
        }
        }
        let writable = try Store.open(at: directory.child("db"), options: StoreOptions(encoder: try HashingEncoder(dimension: 16)))
        XCTAssertEqual(try storedPostings(writable), expected)
    }
}
