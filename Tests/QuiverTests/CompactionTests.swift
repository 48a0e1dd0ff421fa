import Encoders
import Foundation
import XCTest
@testable import Quiver

/// `Store.compact`: nothing live is lost, searches answer the same, the file shrinks.
final class CompactionTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        directory.remove()
    }

    private func options() throws -> StoreOptions {
        StoreOptions(encoder: try HashingEncoder(dimension: 32), graph: GraphParameters(m: 8, efConstruction: 64), skipSync: true)
    }

    /// A store of 3,000 documents with metadata, half of them then deleted and some replaced.
    private func churnedStore(_ path: String) throws -> (live: [String: Document], vectors: [String: [Float]]) {
        var rng = SeededGenerator(seed: 31)
        let store = try Store.open(at: path, options: try options())
        var live: [String: Document] = [:]
        var vectors: [String: [Float]] = [:]
        let all = rng.clusteredVectors(3_000, 32)
        for start in stride(from: 0, to: 3_000, by: 500) {
            let cities = ["上海", "Paris", "Lagos"]
            var documents: [Document] = []
            for i in start..<start + 500 {
                let tags: [String] = i % 2 == 0 ? ["even"] : ["odd", "x"]
                let metadata: [String: Value] = [
                    "city": .string(cities[i % 3]), "year": .int(Int64(1990 + i % 40)), "tags": .strings(tags),
                ]
                documents.append(Document(id: "doc\(i)", text: "text \(i) 上海", metadata: metadata))
            }
            try store.upsert(documents, vectors: Array(all[start..<start + 500]))
            for (d, v) in zip(documents, all[start..<start + 500]) {
                live[d.id] = d
                vectors[d.id] = v
            }
        }
        let doomed = (0..<3_000).filter { $0 % 2 == 1 }.map { "doc\($0)" }
        try store.delete(ids: doomed)
        for id in doomed { live[id] = nil; vectors[id] = nil }
        let replaced = (0..<200).map { "doc\($0 * 2)" }
        let fresh = rng.clusteredVectors(replaced.count, 32)
        try store.upsert(replaced.map { Document(id: $0, text: "replaced \($0)", metadata: ["year": 2024]) }, vectors: fresh)
        for (id, v) in zip(replaced, fresh) {
            live[id] = Document(id: id, text: "replaced \(id)", metadata: ["year": 2024])
            vectors[id] = v
        }
        return (live, vectors)
    }

    func testCompactionKeepsEverythingLiveAndAnswersTheSame() throws {
        let path = directory.child("db")
        let (live, _) = try churnedStore(path)
        var rng = SeededGenerator(seed: 5)
        let queries = rng.clusteredVectors(40, 32)
        let filter = try Filter(parsing: "year >= 2000 AND city != \"Lagos\"")
        let before: (hits: [[SearchResult]], exact: [[SearchResult]], filtered: [[SearchResult]], vectors: [String: [Float]?], bytes: Int)
        do {
            let store = try Store.open(at: path, options: try options())
            before = (
                try queries.map { try store.search(vector: $0, k: 10, ef: 64) },
                try queries.map { try store.search(vector: $0, k: 10, exact: true) },
                try queries.map { try store.search(vector: $0, k: 10, filter: filter) },
                Dictionary(uniqueKeysWithValues: try live.keys.map { ($0, try store.vector(id: $0)) }),
                try store.statistics().bytesOnDisk)
            XCTAssertEqual(try store.statistics().deleted, 1_700)
            // While this store is open for writing, compaction refuses.
            XCTAssertThrowsError(try Store.compact(at: path, options: CompactionOptions(store: try options()))) { error in
                guard case QuiverError.storeBusy = error else { return XCTFail("\(error)") }
            }
        }
        var steps: [CompactionProgress.Step] = []
        let report = try Store.compact(at: path, options: CompactionOptions(store: try options())) { steps.append($0.step) }
        XCTAssertEqual(report.documents, live.count)
        XCTAssertEqual(report.tombstonesDropped, 1_700)
        XCTAssertFalse(report.graphRebuilt)
        XCTAssertLessThan(report.bytesAfter, before.bytes * 3 / 4, "compaction shrinks the file")
        XCTAssertEqual(report.bytesBefore, before.bytes)
        XCTAssertEqual(steps.first, .copying)
        XCTAssertEqual(steps.last, .swapping)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: path).sorted(), ["data.mdb", "quiver.lock"],
            "the work directories and the stale lock.mdb are gone")

        let store = try Store.open(at: path, options: try options())
        XCTAssertEqual(try store.verify().problems, [])
        let stats = try store.statistics()
        XCTAssertEqual(stats.documents, live.count)
        XCTAssertEqual(stats.deleted, 0)
        for (id, document) in live {
            XCTAssertEqual(try store.document(id: id), document)
            XCTAssertEqual(try store.vector(id: id), before.vectors[id] ?? nil)
        }
        XCTAssertNil(try store.document(id: "doc1"))
        for (i, query) in queries.enumerated() {
            XCTAssertEqual(try store.search(vector: query, k: 10, ef: 64), before.hits[i], "graph search, query \(i)")
            XCTAssertEqual(try store.search(vector: query, k: 10, exact: true), before.exact[i], "exact, query \(i)")
            XCTAssertEqual(try store.search(vector: query, k: 10, filter: filter), before.filtered[i], "filtered, query \(i)")
        }
        // The compacted store takes writes as usual.
        try store.upsert([Document(id: "new", text: "a new one")], vectors: [[Float](repeating: 0.1, count: 32)])
        try store.delete(ids: ["doc0"])
        XCTAssertEqual(try store.verify().problems, [])
        XCTAssertEqual(try store.count(), live.count)
    }

    func testReindexRebuildsTheGraphWithNewParameters() throws {
        let path = directory.child("db")
        let (live, vectors) = try churnedStore(path)
        let report = try Store.compact(
            at: path,
            options: CompactionOptions(graph: GraphParameters(m: 16, efConstruction: 100, efSearch: 80), store: try options()))
        XCTAssertTrue(report.graphRebuilt)
        let store = try Store.open(at: path, options: try options())
        XCTAssertEqual(store.graphParameters.m, 16)
        XCTAssertEqual(store.graphParameters.efSearch, 80)
        XCTAssertEqual(try store.verify().problems, [])
        XCTAssertEqual(try store.count(), live.count)
        var found = 0
        for (id, vector) in vectors.prefix(200) where try store.search(vector: vector, k: 1).first?.id == id { found += 1 }
        XCTAssertGreaterThanOrEqual(found, 195, "a document's own vector finds it")
    }

    func testCompactingAMissingStoreIsAClearError() {
        XCTAssertThrowsError(try Store.compact(at: directory.child("nothing"))) { error in
            guard case QuiverError.storeNotFound = error else { return XCTFail("\(error)") }
        }
    }
}
