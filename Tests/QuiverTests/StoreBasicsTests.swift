import Encoders
import Foundation
import XCTest
@testable import Quiver

final class StoreBasicsTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        directory.remove()
    }

    private func makeStore(_ options: StoreOptions = StoreOptions()) throws -> Store {
        try Store.open(at: directory.child("db"), options: options)
    }

    func testUpsertGetReplaceDelete() throws {
        let store = try makeStore()
        XCTAssertEqual(try store.count(), 0)
        let summary = try store.upsert([
            Document(id: "a", text: "green tea brewing guide", metadata: ["year": 2021, "tags": ["tea", "drink"]]),
            Document(id: "b", text: "spicy noodle soup recipe", metadata: ["spicy": true, "price": 9.5]),
        ])
        XCTAssertEqual(summary, UpsertSummary(inserted: 2, replaced: 0, unchanged: 0))
        XCTAssertEqual(try store.count(), 2)
        let a = try XCTUnwrap(try store.document(id: "a"))
        XCTAssertEqual(a.text, "green tea brewing guide")
        XCTAssertEqual(a.metadata, ["year": .int(2021), "tags": .strings(["tea", "drink"])])
        XCTAssertEqual(try store.document(id: "b")?.metadata["price"], .double(9.5))
        XCTAssertNil(try store.document(id: "missing"))

        // Replacing changes text, vector and metadata; the count stays.
        let before = try XCTUnwrap(try store.vector(id: "a"))
        let replaced = try store.upsert([Document(id: "a", text: "black coffee roasting", metadata: ["year": 2024])])
        XCTAssertEqual(replaced, UpsertSummary(inserted: 0, replaced: 1, unchanged: 0))
        XCTAssertEqual(try store.count(), 2)
        XCTAssertEqual(try store.document(id: "a"), Document(id: "a", text: "black coffee roasting", metadata: ["year": 2024]))
        XCTAssertNotEqual(try store.vector(id: "a"), before)
        XCTAssertEqual(try store.search(text: "coffee roasting", k: 1).first?.id, "a")

        // The same document again is left untouched.
        let again = try store.upsert([Document(id: "a", text: "black coffee roasting", metadata: ["year": 2024])])
        XCTAssertEqual(again, UpsertSummary(inserted: 0, replaced: 0, unchanged: 1))

        XCTAssertEqual(try store.delete(ids: ["a", "nope"]), 1)
        XCTAssertNil(try store.document(id: "a"))
        XCTAssertEqual(try store.count(), 1)
        XCTAssertEqual(try store.search(text: "coffee roasting", k: 10).map(\.id), ["b"])
        XCTAssertEqual(try store.statistics().deleted, 2, "the replaced and the deleted version are tombstones")
    }

    func testLaterDuplicateInOneBatchWins() throws {
        let store = try makeStore()
        try store.upsert([Document(id: "x", text: "first"), Document(id: "x", text: "second")])
        XCTAssertEqual(try store.count(), 1)
        XCTAssertEqual(try store.document(id: "x")?.text, "second")
    }

    func testPersistsAcrossReopen() throws {
        let path = directory.child("db")
        do {
            let store = try Store.open(at: path)
            try store.upsert((0..<50).map { Document(id: "doc-\($0)", text: "document number \($0) about topic \($0 % 5)") })
            try store.delete(ids: ["doc-7"])
        }
        let reopened = try Store.open(at: path, options: StoreOptions(creation: .openExisting))
        XCTAssertEqual(try reopened.count(), 49)
        XCTAssertEqual(try reopened.document(id: "doc-3")?.text, "document number 3 about topic 3")
        XCTAssertNil(try reopened.document(id: "doc-7"))
        XCTAssertEqual(reopened.encoder.descriptor, try HashingEncoder().descriptor)
        XCTAssertEqual(try reopened.search(text: "document number 42", k: 1).first?.id, "doc-42")
    }

    func testUnicodeIdsTextAndMetadataRoundTrip() throws {
        let store = try makeStore()
        let doc = Document(
            id: "城市-上海", text: "上海是中国最大的城市之一，外滩夜景很美。",
            metadata: ["city": "上海", "tags": ["旅游", "夜景"], "emoji": "🍵", "rating": 4.5, "open": false])
        try store.upsert([doc, Document(id: "beijing", text: "北京的故宫和长城是著名景点。")])
        XCTAssertEqual(try store.document(id: "城市-上海"), doc)
        XCTAssertEqual(try store.search(text: "上海 夜景", k: 1).first?.id, "城市-上海")
        XCTAssertEqual(try store.search(text: "长城", k: 1).first?.id, "beijing")
    }

    func testSearchResultsCarryScoreDistanceTextAndMetadata() throws {
        let store = try makeStore()
        try store.upsert([Document(id: "1", text: "alpha beta", metadata: ["n": 1])])
        let hit = try XCTUnwrap(try store.search(text: "alpha beta", k: 5).first)
        XCTAssertEqual(hit.id, "1")
        XCTAssertEqual(hit.text, "alpha beta")
        XCTAssertEqual(hit.metadata, ["n": 1])
        XCTAssertEqual(hit.score, 1, accuracy: 1e-5, "identical text has cosine 1")
        XCTAssertEqual(hit.distance, 0, accuracy: 1e-5)
    }

    func testRejectsBadInputWithoutWriting() throws {
        let store = try makeStore(StoreOptions(maximumTextLength: 100))
        try store.upsert([Document(id: "keep", text: "kept")])
        let cases: [(Document, (QuiverError) -> Bool)] = [
            (Document(id: "", text: "x"), { if case .invalidID = $0 { true } else { false } }),
            (Document(id: String(repeating: "i", count: 481), text: "x"), { if case .invalidID = $0 { true } else { false } }),
            (Document(id: "long", text: String(repeating: "t", count: 101)), { if case .textTooLong = $0 { true } else { false } }),
            (Document(id: "field", text: "x", metadata: ["": 1]), { if case .invalidFieldName = $0 { true } else { false } }),
        ]
        for (bad, matches) in cases {
            XCTAssertThrowsError(try store.upsert([Document(id: "good", text: "fine"), bad])) { error in
                guard let error = error as? QuiverError else { return XCTFail("untyped error \(error)") }
                XCTAssertTrue(matches(error), "unexpected \(error)")
                XCTAssertFalse(error.description.isEmpty)
            }
        }
        XCTAssertEqual(try store.count(), 1)
        XCTAssertNil(try store.document(id: "good"), "a batch with one bad document writes nothing")
        XCTAssertThrowsError(try store.search(text: "x", k: 0))
        XCTAssertThrowsError(try store.search(vector: [1, 2, 3], k: 1)) { error in
            guard case QuiverError.dimensionMismatch(256, 3) = error else { return XCTFail("\(error)") }
        }
    }

    func testBringYourOwnVectorsValidatesDimensionAndFiniteness() throws {
        let store = try makeStore(StoreOptions(encoder: try HashingEncoder(dimension: 4), metric: .l2))
        try store.upsert([Document(id: "p", text: "")], vectors: [[1, 2, 3, 4]])
        XCTAssertEqual(try store.vector(id: "p"), [1, 2, 3, 4], "l2 stores keep vectors as given")
        XCTAssertThrowsError(try store.upsert([Document(id: "q", text: "")], vectors: [[1, 2, 3]]))
        XCTAssertThrowsError(try store.upsert([Document(id: "q", text: "")], vectors: [[1, .nan, 3, 4]]))
        XCTAssertThrowsError(try store.upsert([Document(id: "q", text: "")], vectors: []))
        XCTAssertEqual(try store.count(), 1)
    }

    func testReadOnlyStoreRefusesWrites() throws {
        let path = directory.child("db")
        try Store.open(at: path).upsert([Document(id: "1", text: "one")])
        let readOnly = try Store.open(at: path, options: StoreOptions(creation: .openExisting, readOnly: true))
        XCTAssertEqual(try readOnly.search(text: "one", k: 1).first?.id, "1")
        XCTAssertThrowsError(try readOnly.upsert([Document(id: "2", text: "two")])) { error in
            guard case QuiverError.readOnly = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try readOnly.delete(ids: ["1"]))
    }
}
