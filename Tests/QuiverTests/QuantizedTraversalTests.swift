import Encoders
import Foundation
import LMDB
import VectorMath
import XCTest
@testable import Quiver

/// Graph searches walk 8-bit copies of the vectors (`vectors_sq8`) and re-rank their beam with
/// the full vectors: the copies stay exact encodings through every write, the answers keep
/// full-precision scores and the recall of a full-precision walk, and stores from before the
/// copies get them when opened writable.
final class QuantizedTraversalTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        directory.remove()
    }

    private func options(_ metric: Metric, dimension: Int, quantized: Bool = true, readOnly: Bool = false) throws -> StoreOptions {
        var options = StoreOptions(
            encoder: try HashingEncoder(dimension: dimension), metric: metric,
            graph: GraphParameters(m: 8, efConstruction: 64, efSearch: 16), readOnly: readOnly, skipSync: true,
            indexingThreads: 1)
        options.quantizedTraversal = quantized
        return options
    }

    /// The encoding error of one distance is at most half a step per component, weighted by the query.
    func testRecordDistancesAreWithinTheQuantizationBound() {
        var rng = SeededGenerator(seed: 8)
        for metric in [Metric.cosine, .dot, .l2] {
            let d = 48
            let layout = SQ8Layout(vectors: VectorChunkLayout(dimension: d, capacity: 8), metric: metric)
            let distance = GraphDistance(sq8: layout)
            for _ in 0..<50 {
                let pair = rng.clusteredVectors(2, d, clusters: 2)
                var x = pair[0], q = pair[1]
                if metric == .cosine { Kernels.normalize(&x); Kernels.normalize(&q) }
                let record = x.withUnsafeBufferPointer { layout.record(of: $0) }
                let step = x.map(abs).max()! / 127
                let bound = q.map(abs).reduce(0, +) * step / 2
                let approximate = q.withUnsafeBufferPointer { qp in record.withUnsafeBytes { distance(qp.baseAddress!, $0.baseAddress!) } }
                let dot = zip(q, x).map(*).reduce(0, +)
                switch metric {
                case .cosine, .dot:
                    XCTAssertEqual(approximate, -dot, accuracy: bound + 1e-5, "\(metric)")
                case .l2:
                    // ‖x̂‖² − 2⟨q, x̂⟩ = ‖q − x̂‖² − ‖q‖²; x̂ is within step/2 of x in every component.
                    let xHat = x.map { ($0 / step).rounded() * step }
                    let qNorm = q.map { $0 * $0 }.reduce(0, +)
                    let exact = zip(q, xHat).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) - qNorm
                    XCTAssertEqual(approximate, exact, accuracy: 1e-3 * max(1, abs(exact)), "l2 record")
                    let trueL2 = zip(q, x).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) - qNorm
                    let l2Bound = 2 * bound + Float(d) * step * step / 4 + 2 * x.map(abs).reduce(0, +) * step / 2
                    XCTAssertEqual(approximate, trueL2, accuracy: l2Bound + 1e-4, "l2 vs exact")
                }
            }
        }
    }

    /// Results carry full-precision scores, and recall@10 matches a full-precision walk's.
    func testSearchesRerankWithFullVectorsAndKeepRecall() throws {
        for metric in [Metric.cosine, .l2] {
            let d = 32, n = 2_000
            var rng = SeededGenerator(seed: 31)
            let base = rng.clusteredVectors(n, d)
            let queries = rng.clusteredVectors(40, d)
            let documents = (0..<n).map { Document(id: "v\($0)", text: "", metadata: ["half": .bool($0 % 2 == 0)]) }
            let quantized = try Store.open(at: directory.child("q-\(metric)"), options: options(metric, dimension: d))
            let full = try Store.open(at: directory.child("f-\(metric)"), options: options(metric, dimension: d, quantized: false))
            try quantized.upsert(documents, vectors: base)
            try full.upsert(documents, vectors: base)
            XCTAssertNotNil(quantized.sq8)
            XCTAssertTrue(quantized.walksSQ8)
            XCTAssertFalse(full.walksSQ8)
            var hitsQuantized = 0, hitsFull = 0
            for query in queries {
                let truth = Set(try quantized.search(vector: query, k: 10, exact: true, returning: .idsOnly).map(\.id))
                let found = try quantized.search(vector: query, k: 10, ef: 64, returning: .idsOnly)
                let exactScores = try quantized.search(vector: query, k: n, exact: true, returning: .idsOnly)
                let scoreOf = Dictionary(uniqueKeysWithValues: exactScores.map { ($0.id, $0.score) })
                for result in found {
                    XCTAssertEqual(result.score, scoreOf[result.id] ?? .nan, accuracy: 1e-5, "re-ranked with full vectors")
                }
                XCTAssertEqual(found.map(\.score), found.map(\.score).sorted(by: >), "ordered by full-precision score")
                hitsQuantized += found.filter { truth.contains($0.id) }.count
                hitsFull += try full.search(vector: query, k: 10, ef: 64, returning: .idsOnly).filter { truth.contains($0.id) }.count
                // The routed filtered walk re-ranks the same way.
                let (filtered, plan) = try quantized.searchWithPlan(
                    vector: query, k: 10, filter: Filter.field("half") == true, returning: .idsOnly)
                if plan.strategy == .routedGraph {
                    XCTAssertTrue(plan.walkedSQ8)
                    XCTAssertEqual(plan.rerank, 16)
                    XCTAssertTrue(plan.description.contains("8-bit copies"), plan.description)
                }
                for result in filtered {
                    XCTAssertEqual(result.score, scoreOf[result.id] ?? .nan, accuracy: 1e-5)
                }
            }
            let total = Double(queries.count * 10)
            XCTAssertGreaterThan(Double(hitsQuantized) / total, 0.9, "\(metric): full walk \(Double(hitsFull) / total)")
            XCTAssertGreaterThanOrEqual(Double(hitsQuantized) / total, Double(hitsFull) / total - 0.02, "\(metric)")
        }
    }

    /// A store whose copies are missing (as before they existed) searches with full vectors when
    /// opened read-only and gets them, complete and verified, when opened writable.
    func testStoreWithoutCopiesGetsThemWhenOpenedWritable() throws {
        let d = 16, n = 600
        var rng = SeededGenerator(seed: 4)
        let base = rng.clusteredVectors(n, d)
        let query = rng.clusteredVectors(1, d)[0]
        let expected: [String]
        do {
            let store = try Store.open(at: directory.child("db"), options: options(.cosine, dimension: d))
            try store.upsert((0..<n).map { Document(id: "v\($0)", text: "") }, vectors: base)
            try store.delete(ids: (0..<50).map { "v\($0)" })
            expected = try store.search(vector: query, k: 10, exact: true, returning: .idsOnly).map(\.id)
            let sq8 = try XCTUnwrap(store.sq8)
            try store.environment.write { txn in try txn.drop(sq8.database) }
        }
        do {
            let readOnly = try Store.open(at: directory.child("db"), options: options(.cosine, dimension: d, readOnly: true))
            XCTAssertNil(readOnly.sq8)
            XCTAssertFalse(readOnly.walksSQ8)
            let found = try readOnly.search(vector: query, k: 10, ef: 64, returning: .idsOnly).map(\.id)
            XCTAssertGreaterThanOrEqual(Set(found).intersection(expected).count, 9)
            XCTAssertEqual(readOnly.searchActivity.codesRead, 0, "full vectors throughout")
        }
        let writable = try Store.open(at: directory.child("db"), options: options(.cosine, dimension: d))
        XCTAssertNotNil(writable.sq8)
        let report = try writable.verify()
        XCTAssertEqual(report.problems, [])
        XCTAssertEqual(report.checked["sq8_chunks"], report.checked["vector_chunks"])
        let found = try writable.search(vector: query, k: 10, ef: 64, returning: .idsOnly).map(\.id)
        XCTAssertGreaterThanOrEqual(Set(found).intersection(expected).count, 9)
        XCTAssertGreaterThan(writable.searchActivity.codesRead, 0, "the walk reads the new copies")
    }

    /// A build without the copies writing to the store leaves its counters out of step with
    /// `sq8_counters`: read-only, the store walks full vectors; writable, the copies are
    /// re-encoded and verify finds them matching again.
    func testCopiesAreReencodedAfterAWriteThatSkippedThem() throws {
        let d = 16, n = 300
        var rng = SeededGenerator(seed: 9)
        let base = rng.clusteredVectors(n, d)
        do {
            let store = try Store.open(at: directory.child("db"), options: options(.cosine, dimension: d))
            try store.upsert((0..<n).map { Document(id: "v\($0)", text: "") }, vectors: base)
            XCTAssertEqual(try store.verify().problems, [])
            // What an older build's write leaves: a vector without its copy, and counters that
            // moved while the mark did not (here: the mark changed instead, to the same effect).
            try store.environment.write { txn in
                var chunks = ChunkEditor(layout: store.layout, database: store.databases.vectors, sq8: nil)
                var vector = base[7].map { -$0 }
                Kernels.normalize(&vector)
                try chunks.set(7, vector: vector, txn: txn)
                try chunks.flush(to: txn)
                let counters = try MetaCounters.read(from: txn, meta: store.databases.meta)
                XCTAssertTrue(try counters.matchesSQ8Mark(in: txn, meta: store.databases.meta))
                try txn.put(store.databases.meta, key: MetaKey.sq8Counters, value: [UInt8](repeating: 0, count: 12))
                XCTAssertFalse(try counters.matchesSQ8Mark(in: txn, meta: store.databases.meta))
            }
            XCTAssertTrue(try store.verify().problems.contains { $0.message.contains("8-bit copy of slot 7") })
        }
        do {
            let readOnly = try Store.open(at: directory.child("db"), options: options(.cosine, dimension: d, readOnly: true))
            XCTAssertNil(readOnly.sq8, "copies out of step are not walked")
        }
        let writable = try Store.open(at: directory.child("db"), options: options(.cosine, dimension: d))
        XCTAssertNotNil(writable.sq8)
        XCTAssertEqual(try writable.verify().problems, [])
        try writable.environment.read { txn in
            XCTAssertTrue(try MetaCounters.read(from: txn, meta: writable.databases.meta)
                .matchesSQ8Mark(in: txn, meta: writable.databases.meta))
        }
    }
}
