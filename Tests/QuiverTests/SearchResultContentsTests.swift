import Encoders
import XCTest
@testable import Quiver

/// `returning:` on every search entry point: the same ids, scores and distances whatever is
/// asked for, and exactly the asked-for parts of each document (the others empty).
final class SearchResultContentsTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        directory.remove()
    }

    func testEverySearchReturnsExactlyTheContentsAskedFor() throws {
        var rng = SeededGenerator(seed: 12)
        let n = 2_000, d = 16
        let store = try Store.open(
            at: directory.child("db"),
            options: StoreOptions(
                encoder: try HashingEncoder(dimension: d), metric: .l2,
                graph: GraphParameters(m: 16, efConstruction: 100, efSearch: 48), skipSync: true,
                quantization: QuantizationOptions(m: 4, trainingThreshold: nil)))
        let vectors = rng.clusteredVectors(n, d)
        let documents = (0..<n).map { i in
            Document(id: "文档\(i)", text: "第\(i)段 text \(i)", metadata: [
                "bucket": .int(Int64(i % 10)), "city": .string(i % 2 == 0 ? "上海" : "Paris"), "tags": .strings(["t\(i % 3)"]),
            ])
        }
        try store.upsert(documents, vectors: vectors)
        let byID = Dictionary(uniqueKeysWithValues: documents.map { ($0.id, $0) })
        let query = rng.clusteredVectors(1, d)[0]
        let narrow = Filter.field("bucket") < 1, broad = Filter.field("bucket") < 6

        func check(_ name: String, _ search: (SearchResult.Contents) throws -> [SearchResult]) throws {
            let full = try search(.all)
            XCTAssertEqual(full.count, 10, name)
            for (contents, label) in [(SearchResult.Contents.idsOnly, "ids"), (.text, "text"), (.metadata, "metadata"), (.all, "all")] {
                let found = try search(contents)
                XCTAssertEqual(found.map(\.id), full.map(\.id), "\(name) \(label)")
                XCTAssertEqual(found.map(\.score), full.map(\.score), "\(name) \(label)")
                XCTAssertEqual(found.map(\.distance), full.map(\.distance), "\(name) \(label)")
                for result in found {
                    let document = try XCTUnwrap(byID[result.id])
                    XCTAssertEqual(result.text, contents.contains(.text) ? document.text : "", "\(name) \(label)")
                    XCTAssertEqual(result.metadata, contents.contains(.metadata) ? document.metadata : [:], "\(name) \(label)")
                }
            }
        }
        for quantized in [false, true] {
            if quantized { _ = try store.trainQuantizer() }
            let tag = quantized ? " (PQ trained)" : ""
            try check("graph" + tag) { try store.search(vector: query, k: 10, returning: $0) }
            try check("exact" + tag) { try store.search(vector: query, k: 10, exact: true, returning: $0) }
            try check("text" + tag) { try store.search(text: "第7段", k: 10, returning: $0) }
            try check("narrow filter" + tag) { try store.search(vector: query, k: 10, filter: narrow, returning: $0) }
            try check("broad filter" + tag) { try store.search(vector: query, k: 10, filter: broad, returning: $0) }
            for strategy in [SearchPlan.Strategy.scan, .graph, .routedGraph] {
                try check("\(strategy)" + tag) {
                    try store.searchWithPlan(vector: query, k: 10, filter: broad, strategy: strategy, returning: $0).results
                }
            }
            if quantized {
                try check("pq") { try store.search(vector: query, k: 10, distance: .pq, returning: $0) }
                try check("pq exact") { try store.search(vector: query, k: 10, exact: true, distance: .pq, returning: $0) }
            }
        }
    }
}
