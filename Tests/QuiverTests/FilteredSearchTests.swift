import Encoders
import Foundation
import XCTest
@testable import Quiver

/// Filtered search: every operator against a naive filter over all documents, the planner's
/// exact scan against a brute-force filtered search, and graph traversal recall at
/// selectivities from 0.1% to 100%.
final class FilteredSearchTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        directory.remove()
    }

    private func makeStore(dimension: Int, graph: GraphParameters = GraphParameters()) throws -> Store {
        try Store.open(
            at: directory.child("db"),
            options: StoreOptions(encoder: try HashingEncoder(dimension: dimension), metric: .l2, graph: graph, skipSync: true))
    }

    private static let longA = String(repeating: "长", count: 90) + "A"  // 271 UTF-8 bytes
    private static let longB = String(repeating: "长", count: 90) + "B"

    private func metadata(_ i: Int, rng: inout SeededGenerator) -> [String: Value] {
        var m: [String: Value] = [:]
        let cities = ["上海", "北京", "Paris", "Zürich", "東京", "a\"quote"]
        if i % 7 != 0 { m["city"] = .string(cities[Int.random(in: 0..<cities.count, using: &rng)]) }
        if i % 5 != 0 { m["year"] = .int(Int64.random(in: 2010...2025, using: &rng)) }
        if i % 3 != 0 { m["price"] = .double(Double(Int.random(in: -20...80, using: &rng)) / 4) }
        if i % 2 == 0 { m["stock"] = .bool(Bool.random(using: &rng)) }
        if i % 4 != 1 {
            m["tags"] = .strings((0..<Int.random(in: 0...3, using: &rng)).map { _ in ["new", "sale", "辣", "vegan"][Int.random(in: 0..<4, using: &rng)] })
        }
        if i % 6 == 0 { m["title"] = .string([Self.longA, Self.longB, "short"][Int.random(in: 0..<3, using: &rng)]) }
        return m
    }

    private func squaredL2(_ a: [Float], _ b: [Float]) -> Float {
        var sum: Float = 0
        for i in a.indices {
            let diff = a[i] - b[i]
            sum += diff * diff
        }
        return sum
    }

    private func tags(_ m: [String: Value]) -> [String]? {
        if case .strings(let t)? = m["tags"] { return t }
        return nil
    }

    private func int(_ m: [String: Value], _ f: String) -> Int64? {
        if case .int(let v)? = m[f] { return v }
        return nil
    }

    private func double(_ m: [String: Value], _ f: String) -> Double? {
        if case .double(let v)? = m[f] { return v }
        return nil
    }

    private func string(_ m: [String: Value], _ f: String) -> String? {
        if case .string(let v)? = m[f] { return v }
        return nil
    }

    func testEveryOperatorMatchesANaiveFilter() throws {
        var rng = SeededGenerator(seed: 5)
        let n = 600
        let store = try makeStore(dimension: 8)
        let vectors = (0..<n).map { _ in (0..<8).map { _ in Float.random(in: -1...1, using: &rng) } }
        let docs = (0..<n).map { Document(id: "d\($0)", text: "", metadata: metadata($0, rng: &rng)) }
        try store.upsert(docs, vectors: vectors)
        // Replace and delete some, so postings of dead versions would show up if left behind.
        let replaced = (0..<60).map { Document(id: "d\($0 * 3)", text: "", metadata: metadata($0 + 1000, rng: &rng)) }
        try store.upsert(replaced, vectors: replaced.indices.map { vectors[$0 * 3] })
        try store.delete(ids: (0..<30).map { "d\($0 * 11)" })
        var live: [String: [String: Value]] = [:]
        for d in docs { live[d.id] = d.metadata }
        for d in replaced { live[d.id] = d.metadata }
        for i in 0..<30 { live["d\(i * 11)"] = nil }

        let utf8Less = { (a: String, b: String) in a.utf8.lexicographicallyPrecedes(b.utf8) }
        let cases: [(String, ([String: Value]) -> Bool)] = [
            (#"city = "上海""#, { self.string($0, "city") == "上海" }),
            (#"city == "a\"quote""#, { self.string($0, "city") == "a\"quote" }),
            (#"city != "Paris""#, { self.string($0, "city").map { $0 != "Paris" } ?? false }),
            (#"city < "Z""#, { self.string($0, "city").map { utf8Less($0, "Z") } ?? false }),
            (#"city >= "東""#, { self.string($0, "city").map { !utf8Less($0, "東") } ?? false }),
            (#"city IN ["北京", "東京", "nowhere"]"#, { ["北京", "東京"].contains(self.string($0, "city") ?? "-") }),
            (#"city NOT IN ["北京", "東京"]"#, { self.string($0, "city").map { !["北京", "東京"].contains($0) } ?? false }),
            ("year = 2020", { self.int($0, "year") == 2020 }),
            ("year <> 2020", { self.int($0, "year").map { $0 != 2020 } ?? false }),
            ("year < 2015", { self.int($0, "year").map { $0 < 2015 } ?? false }),
            ("year <= 2015", { self.int($0, "year").map { $0 <= 2015 } ?? false }),
            ("year > 2021", { self.int($0, "year").map { $0 > 2021 } ?? false }),
            ("year >= 2021", { self.int($0, "year").map { $0 >= 2021 } ?? false }),
            ("year IN [2011, 2013, 1999]", { [2011, 2013].contains(self.int($0, "year") ?? 0) }),
            ("year NOT IN [2011, 2013]", { self.int($0, "year").map { ![2011, 2013].contains($0) } ?? false }),
            ("price < 0", { self.double($0, "price").map { $0 < 0 } ?? false }),
            ("price <= -2.5", { self.double($0, "price").map { $0 <= -2.5 } ?? false }),
            ("price > 10.25", { self.double($0, "price").map { $0 > 10.25 } ?? false }),
            ("price >= 0", { self.double($0, "price").map { $0 >= 0 } ?? false }),
            ("price = 5", { self.double($0, "price") == 5 }),
            ("price != 0.0", { self.double($0, "price").map { $0 != 0 } ?? false }),
            ("stock = true", { $0["stock"] == .bool(true) }),
            ("stock != true", { $0["stock"] == .bool(false) }),
            (#"tags CONTAINS "辣""#, { self.tags($0)?.contains("辣") ?? false }),
            (#"tags IN ["sale", "vegan"]"#, { self.tags($0).map { $0.contains("sale") || $0.contains("vegan") } ?? false }),
            (#"tags NOT IN ["new"]"#, { self.tags($0).map { !$0.isEmpty && !$0.contains("new") } ?? false }),
            ("tags EXISTS", { self.tags($0).map { !$0.isEmpty } ?? false }),
            ("city EXISTS", { $0["city"] != nil }),
            ("NOT city EXISTS", { $0["city"] == nil }),
            ("NOT year = 2020", { self.int($0, "year") != 2020 }),
            (#"title = "\#(Self.longA)""#, { self.string($0, "title") == Self.longA }),
            (#"title > "\#(Self.longA)""#, { self.string($0, "title").map { utf8Less(Self.longA, $0) } ?? false }),
            (#"title <= "\#(Self.longA)""#, { self.string($0, "title").map { !utf8Less(Self.longA, $0) } ?? false }),
            (#"title != "\#(Self.longB)""#, { self.string($0, "title").map { $0 != Self.longB } ?? false }),
            (#"city = "上海" AND year >= 2020"#, { self.string($0, "city") == "上海" && (self.int($0, "year") ?? 0) >= 2020 }),
            (#"city = "Paris" OR (tags CONTAINS "new" AND NOT stock = false)"#, {
                self.string($0, "city") == "Paris" || ((self.tags($0)?.contains("new") ?? false) && $0["stock"] != .bool(false))
            }),
            ("year IN []", { _ in false }),
        ]
        let query = [Float](repeating: 0, count: 8)
        for (text, naive) in cases {
            let filter = try Filter(parsing: text)
            let expected = Set(live.filter { naive($0.value) }.keys)
            let found = try store.search(vector: query, k: n, filter: filter, exact: true)
            XCTAssertEqual(Set(found.map(\.id)), expected, text)
            XCTAssertEqual(found.count, expected.count, text)
            // Filter.matches agrees with the index.
            XCTAssertEqual(Set(live.filter { filter.matches($0.value) }.keys), expected, "matches: \(text)")
        }
    }

    func testFilterErrorsNameTheFieldAndType() throws {
        let store = try makeStore(dimension: 4)
        try store.upsert([Document(id: "a", text: "", metadata: ["year": 2020, "tags": ["x"], "ok": true, "city": "上海", "price": 1.5])],
                         vectors: [[1, 0, 0, 0]])
        let q: [Float] = [1, 0, 0, 0]
        func error(_ text: String) -> FilterError? {
            do {
                _ = try store.search(vector: q, filter: try Filter(parsing: text))
                return nil
            } catch {
                return error as? FilterError
            }
        }
        XCTAssertEqual(error("nope = 1"), .unknownField("nope", known: ["city", "ok", "price", "tags", "year"]).sortedKnown)
        XCTAssertEqual(error(#"year = "2020""#), .typeMismatch(field: "year", fieldType: .int, literal: "2020"))
        XCTAssertEqual(error("year >= 2020.5"), .typeMismatch(field: "year", fieldType: .int, literal: 2020.5))
        XCTAssertEqual(error("ok < true")?.isUnsupportedOperator, true)
        XCTAssertEqual(error(#"tags = "x""#)?.isUnsupportedOperator, true)
        XCTAssertEqual(error(#"city CONTAINS "上""#)?.isUnsupportedOperator, true)
        XCTAssertEqual(error("tags IN [1]"), .typeMismatch(field: "tags", fieldType: .strings, literal: 1))
        XCTAssertNil(error("price > 1"), "an integer literal compares with a double field")
        let message = error("nope = 1").map { String(describing: $0) } ?? ""
        XCTAssertTrue(message.contains("unknown field nope"), message)
    }

    /// Brute-force filtered top-k ids.
    private func exactFiltered(_ query: [Float], vectors: [[Float]], matching: [Bool], k: Int) -> [String] {
        var ranked: [(i: Int, d: Float)] = []
        for i in vectors.indices where matching[i] {
            ranked.append((i: i, d: squaredL2(query, vectors[i])))
        }
        ranked.sort { (a: (i: Int, d: Float), b: (i: Int, d: Float)) -> Bool in a.d < b.d || (a.d == b.d && a.i < b.i) }
        return ranked.prefix(k).map { (entry: (i: Int, d: Float)) -> String in "v\(entry.i)" }
    }

    func testPlannerScanEqualsExactFilteredSearch() throws {
        var rng = SeededGenerator(seed: 9)
        let n = 3_000
        let store = try makeStore(dimension: 16)
        let vectors = rng.clusteredVectors(n, 16)
        let buckets = (0..<n).map { _ in Int64.random(in: 0..<1000, using: &rng) }
        try store.upsert((0..<n).map { Document(id: "v\($0)", text: "", metadata: ["bucket": .int(buckets[$0])]) }, vectors: vectors)
        for _ in 0..<20 {
            let query = rng.clusteredVectors(1, 16)[0]
            let (results, plan) = try store.searchWithPlan(vector: query, k: 10, filter: Filter.field("bucket") < 20)
            XCTAssertEqual(plan.strategy, .scan)
            XCTAssertEqual(plan.candidates, buckets.filter { $0 < 20 }.count)
            XCTAssertEqual(plan.distanceComputations, plan.candidates)
            let truth = exactFiltered(query, vectors: vectors, matching: buckets.map { $0 < 20 }, k: 10)
            XCTAssertEqual(results.map(\.id), truth)
            for r in results {
                let i = Int(r.id.dropFirst()) ?? -1
                XCTAssertEqual(r.distance, squaredL2(query, vectors[i]).squareRoot(), accuracy: 1e-4)
            }
        }
    }

    func testRecallAtEverySelectivity() throws {
        var rng = SeededGenerator(seed: 21)
        let n = 4_000, d = 16
        let store = try makeStore(dimension: d, graph: GraphParameters(m: 16, efConstruction: 100, efSearch: 64))
        let vectors = rng.clusteredVectors(n, d)
        let buckets = (0..<n).map { _ in Int64.random(in: 0..<1000, using: &rng) }
        for start in stride(from: 0, to: n, by: 1000) {
            let range = start..<min(start + 1000, n)
            try store.upsert(range.map { Document(id: "v\($0)", text: "", metadata: ["bucket": .int(buckets[$0])]) },
                             vectors: Array(vectors[range]))
        }
        let queries = rng.clusteredVectors(60, d)
        for (limit, label) in [(1, "0.1%"), (10, "1%"), (100, "10%"), (500, "50%"), (1000, "100%")] {
            let filter = Filter.field("bucket") < .int(Int64(limit))
            let matching = buckets.map { $0 < limit }
            for strategy in [SearchPlan.Strategy.graph, .routedGraph, nil] {
                var recall = 0.0
                var computations = 0
                for query in queries {
                    let truth = exactFiltered(query, vectors: vectors, matching: matching, k: 10)
                    let (found, plan) = try store.searchWithPlan(vector: query, k: 10, filter: filter, strategy: strategy)
                    XCTAssertEqual(found.count, truth.count, "\(label) \(String(describing: strategy))")
                    recall += Double(Set(found.map(\.id)).intersection(truth).count) / Double(truth.count)
                    computations += plan.distanceComputations
                }
                recall /= Double(queries.count)
                print("selectivity \(label) strategy \(strategy?.rawValue ?? "planner"): recall@10 \(recall), distances/query \(computations / queries.count)")
                XCTAssertGreaterThanOrEqual(recall, 0.95, "recall@10 at \(label), \(strategy?.rawValue ?? "planner")")
                if strategy == .graph && limit >= 100 {
                    XCTAssertLessThan(computations / queries.count, n / 2, "a traversal must not touch most of the store at \(label)")
                }
            }
        }
    }
}

extension FilteredSearchTests {
    /// A filter that matches every live document is answered by the plain HNSW search: the same
    /// results as the unfiltered search at the same ef, and the plan says so.
    /// A store of `n` clustered 16-d vectors `v<i>` with `bucket = i % 10` (M = 16, efSearch 32).
    private func tenBucketStore(_ n: Int, _ rng: inout SeededGenerator) throws -> (Store, [[Float]]) {
        let store = try makeStore(dimension: 16, graph: GraphParameters(m: 16, efConstruction: 100, efSearch: 32))
        let vectors = rng.clusteredVectors(n, 16)
        try store.upsert((0..<n).map { Document(id: "v\($0)", text: "", metadata: ["bucket": .int(Int64($0 % 10))]) }, vectors: vectors)
        return (store, vectors)
    }

    func testFilterMatchingEverythingRunsThePlainGraphSearch() throws {
        var rng = SeededGenerator(seed: 4)
        let n = 3_000
        let (store, _) = try tenBucketStore(n, &rng)
        try store.delete(ids: ["v0", "v1"])
        for query in rng.clusteredVectors(20, 16) {
            let (found, plan) = try store.searchWithPlan(vector: query, k: 10, filter: Filter.field("bucket") < 10, ef: 32)
            XCTAssertEqual(plan.strategy, .routedGraph)
            XCTAssertEqual(plan.candidates, n - 2)
            XCTAssertTrue(plan.reason.contains("plain HNSW"), plan.reason)
            XCTAssertEqual(found.map(\.id), try store.search(vector: query, k: 10, ef: 32).map(\.id))
            XCTAssertGreaterThan(plan.distanceComputations, 0)
            // 90% matching: the routed traversal, which never returns a non-matching document.
            let (some, partial) = try store.searchWithPlan(vector: query, k: 10, filter: Filter.field("bucket") < 9, ef: 32)
            XCTAssertEqual(partial.strategy, .routedGraph)
            XCTAssertFalse(partial.reason.contains("plain HNSW"), partial.reason)
            XCTAssertEqual(some.count, 10)
            XCTAssertTrue(some.allSatisfy { $0.metadata["bucket"] != .int(9) })
        }
    }

    /// The planner walks the matching nodes alone below the routing selectivity and routes
    /// through every node from it up; the routed walk returns only live matching documents
    /// (deleted and non-matching nodes route but are never results), and with a wide beam it
    /// finds the exact filtered top k.
    func testRoutedTraversalReturnsOnlyLiveMatchesAndIsChosenForBroadFilters() throws {
        var rng = SeededGenerator(seed: 5)
        let n = 3_000
        let (store, vectors) = try tenBucketStore(n, &rng)
        let deleted = (0..<300).map { "v\($0 * 10 + 1)" }  // every bucket-1 document but none else
        try store.delete(ids: deleted)
        for query in rng.clusteredVectors(20, 16) {
            for limit in [2, 5] {
                // Buckets 0..<limit match; bucket 1 is entirely deleted.
                let filter = Filter.field("bucket") < .int(Int64(limit))
                let matching = (0..<n).map { $0 % 10 < limit && $0 % 10 != 1 }
                let (_, plan) = try store.searchWithPlan(vector: query, k: 10, filter: filter, ef: 16)
                XCTAssertEqual(plan.candidates, matching.filter { $0 }.count)
                // bucket < 5: 1,200 of 2,700 live documents (44%), over the scan limit at ef 16 and
                // over the routing selectivity; bucket < 2: 11%, scanned.
                XCTAssertEqual(plan.strategy, limit == 5 ? .routedGraph : .scan, plan.reason)
                let (found, routed) = try store.searchWithPlan(vector: query, k: 10, filter: filter, ef: 400, strategy: .routedGraph)
                XCTAssertEqual(routed.strategy, .routedGraph)
                XCTAssertFalse(routed.fellBackToScan)
                XCTAssertEqual(found.map(\.id), exactFiltered(query, vectors: vectors, matching: matching, k: 10).map { $0 })
                XCTAssertTrue(found.allSatisfy { !deleted.contains($0.id) })
            }
        }
    }
}

extension FilterError {
    fileprivate var isUnsupportedOperator: Bool {
        if case .unsupportedOperator = self { return true }
        return false
    }

    fileprivate var sortedKnown: FilterError {
        if case .unknownField(let name, let known) = self { return .unknownField(name, known: known.sorted()) }
        return self
    }
}
