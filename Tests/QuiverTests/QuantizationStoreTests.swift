import Encoders
import Foundation
import XCTest
@testable import Quiver

/// Product quantization inside a store: training (on demand and automatic), codes kept in step
/// with upserts and deletes, PQ search quality, and compressed-only stores.
final class QuantizationStoreTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        directory.remove()
    }

    private func makeStore(
        dimension: Int = 32, metric: Metric = .l2, quantization: QuantizationOptions = QuantizationOptions(trainingThreshold: nil),
        name: String = "db"
    ) throws -> Store {
        try Store.open(
            at: directory.child(name),
            options: StoreOptions(
                encoder: try HashingEncoder(dimension: dimension), metric: metric,
                graph: GraphParameters(m: 12, efConstruction: 100, efSearch: 64), skipSync: true,
                quantization: quantization))
    }

    private func fill(_ store: Store, _ vectors: [[Float]], from offset: Int = 0, batch: Int = 500) throws {
        for start in stride(from: 0, to: vectors.count, by: batch) {
            let range = start..<min(start + batch, vectors.count)
            try store.upsert(range.map { Document(id: "v\($0 + offset)", text: "t\($0 + offset)") }, vectors: Array(vectors[range]))
        }
    }

    /// Mean recall@k of `search` against the exact full-vector answer computed by `truth`.
    private func recall(
        queries: [[Float]], k: Int = 10, truth: ([Float]) throws -> [SearchResult], search: ([Float]) throws -> [SearchResult]
    ) rethrows -> Double {
        var total = 0.0
        for query in queries {
            let expected = Set(try truth(query).map(\.id))
            let found = try search(query)
            XCTAssertEqual(found.count, expected.count)
            total += Double(found.filter { expected.contains($0.id) }.count) / Double(max(1, expected.count))
        }
        return total / Double(queries.count)
    }

    func testTrainingOnDemandEncodesEveryVectorAndPQSearchRecalls() throws {
        for metric in [Metric.l2, .cosine] {
            var rng = SeededGenerator(seed: 21)
            let store = try makeStore(metric: metric, name: "db-\(metric.rawValue)")
            let base = rng.clusteredVectors(2_000, 32)
            try fill(store, base)
            XCTAssertEqual(try store.quantizationStatistics().phase, "untrained")
            let stats = try store.trainQuantizer(QuantizationOptions(m: 8, iterations: 15, encodingBatchSize: 700))
            XCTAssertEqual(stats.phase, "ready")
            XCTAssertEqual(stats.m, 8)
            XCTAssertEqual(stats.trainingVectors, 2_000)
            XCTAssertEqual(stats.encodedVectors, 2_000)
            XCTAssertGreaterThan(stats.meanSquaredError, 0)
            XCTAssertLessThan(stats.relativeError, 0.2)
            let queries = rng.clusteredVectors(30, 32)
            let exact = { (q: [Float]) in try store.search(vector: q, k: 10, exact: true) }
            let graph = try recall(queries: queries, truth: exact) { try store.search(vector: $0, k: 10, distance: .pq) }
            let scan = try recall(queries: queries, truth: exact) { try store.search(vector: $0, k: 10, exact: true, distance: .pq) }
            XCTAssertGreaterThanOrEqual(graph, 0.9, "\(metric) ADC traversal + re-rank")
            // 32 dimensions of uniform noise around 20 centres is a hard case for PQ (m = 8 here):
            // neighbours differ by noise that 256 centroids per 4-dimensional sub-space barely resolve.
            XCTAssertGreaterThanOrEqual(scan, 0.9, "\(metric) ADC scan + re-rank")
            // Re-ranked results carry exact full-vector scores.
            let q = queries[0]
            let pq = try store.search(vector: q, k: 5, exact: true, distance: .pq, rerank: 2_000)
            let full = try store.search(vector: q, k: 5, exact: true)
            XCTAssertEqual(pq.map(\.id), full.map(\.id))
            for (a, b) in zip(pq, full) { XCTAssertEqual(a.score, b.score, accuracy: 1e-5) }
            let statistics = try store.statistics()
            XCTAssertTrue(statistics.quantization.trained)
            XCTAssertGreaterThan(statistics.databaseBytes["codes"] ?? 0, 0)
        }
    }

    func testStoreAnswersCorrectlyAcrossTheMomentTrainingKicksIn() throws {
        var rng = SeededGenerator(seed: 5)
        let store = try makeStore(quantization: QuantizationOptions(m: 8, trainingThreshold: 1_000, iterations: 10))
        let base = rng.clusteredVectors(2_000, 32)
        let queries = rng.clusteredVectors(10, 32)
        // A reader asks PQ searches the whole time, on another thread.
        let stop = LockedFlag()
        let problems = LockedList()
        let reader = Thread {
            var rounds = 0
            while !stop.isSet || rounds == 0 {
                for q in queries {
                    do {
                        let before = try store.count()
                        let found = try store.search(vector: q, k: 10, distance: .pq)
                        if found.count < min(10, before) { problems.append("\(found.count) results with \(before) live") }
                    } catch {
                        problems.append("\(error)")
                    }
                }
                rounds += 1
            }
        }
        reader.start()
        var trainedAt: Int?
        for start in stride(from: 0, to: base.count, by: 200) {
            try fill(store, Array(base[start..<(start + 200)]), from: start, batch: 200)
            let live = start + 200
            let stats = try store.quantizationStatistics()
            if live < 1_000 { XCTAssertFalse(stats.trained, "\(live) documents, below the threshold") }
            if stats.trained, trainedAt == nil { trainedAt = live }
            if stats.trained {
                XCTAssertEqual(stats.phase, "ready")
                XCTAssertEqual(stats.encodedVectors, live, "upserts after training are encoded in their own transaction")
            }
            let r = try recall(queries: queries, truth: { try store.search(vector: $0, k: 10, exact: true) }) {
                try store.search(vector: $0, k: 10, distance: .pq)
            }
            XCTAssertGreaterThanOrEqual(r, 0.85, "at \(live) documents")
        }
        stop.set()
        while !reader.isFinished { usleep(1_000) }
        XCTAssertEqual(trainedAt, 1_000)
        XCTAssertEqual(problems.items, [])
    }

    func testDeletesAndReplacementsKeepCodesInStep() throws {
        var rng = SeededGenerator(seed: 9)
        let store = try makeStore()
        let base = rng.clusteredVectors(1_500, 32)
        try fill(store, base)
        try store.trainQuantizer(QuantizationOptions(m: 8, iterations: 10))
        let deleted = (0..<300).map { "v\($0 * 5)" }
        XCTAssertEqual(try store.delete(ids: deleted), 300)
        let replacements = rng.clusteredVectors(100, 32)
        try store.upsert((0..<100).map { Document(id: "v\($0 * 5 + 1)", text: "new") }, vectors: replacements)
        XCTAssertEqual(try store.quantizationStatistics().encodedVectors, 1_200)
        let gone = Set(deleted)
        for q in rng.clusteredVectors(10, 32) {
            let found = try store.search(vector: q, k: 50, exact: true, distance: .pq)
            XCTAssertEqual(found.count, 50)
            XCTAssertTrue(found.allSatisfy { !gone.contains($0.id) })
        }
        // A replaced document is found by its new vector.
        let hit = try store.search(vector: replacements[7], k: 1, distance: .pq)
        XCTAssertEqual(hit.first?.id, "v36")
        XCTAssertEqual(hit.first?.text, "new")
    }

    func testADCScanOverACandidateSetStaysInsideTheSet() throws {
        var rng = SeededGenerator(seed: 3)
        let store = try makeStore()
        let base = rng.clusteredVectors(1_000, 32)
        try fill(store, base)
        try store.trainQuantizer(QuantizationOptions(m: 16, iterations: 10))
        let candidates = (0..<1_000).filter { $0 % 7 == 0 }.map(UInt32.init)
        let query = rng.clusteredVectors(1, 32)[0]
        let found = try store.environment.read { txn in
            try store.pqNearest(to: query, k: 10, rerank: candidates.count, ef: nil, among: candidates, txn: txn)
        }
        let ids = try XCTUnwrap(found).map(\.id)
        XCTAssertEqual(ids.count, 10)
        let allowed = Set(candidates)
        XCTAssertTrue(ids.allSatisfy(allowed.contains))
        // Re-ranking the whole set is exact over the set.
        let exact = candidates.map { id -> (UInt32, Float) in
            let v = base[Int(id)]
            return (id, zip(v, query).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) })
        }.sorted { $0.1 < $1.1 }.prefix(10).map(\.0)
        XCTAssertEqual(ids, Array(exact))
    }

    func testPlannerADCScanMatchesTheFullPrecisionScanWhenReRankingTheWholeSet() throws {
        var rng = SeededGenerator(seed: 17)
        let store = try makeStore()
        let base = rng.clusteredVectors(1_200, 32)
        try fill(store, base)
        try store.trainQuantizer(QuantizationOptions(m: 8, iterations: 10))
        var candidates = CandidateSet(idLimit: 1_200)
        for id in stride(from: 3, to: 1_200, by: 5) { candidates.insert(UInt32(id)) }
        for query in rng.clusteredVectors(5, 32) {
            try store.environment.read { txn in
                let graph = try store.currentGraphSnapshot(txn: txn)
                let full = FullPrecisionCandidateScan(graph: graph, distance: GraphDistance(metric: .l2, dimension: 32))
                let wide = try XCTUnwrap(try store.adcCandidateScan(rerank: 240, txn: txn))
                let narrow = try XCTUnwrap(try store.adcCandidateScan(rerank: 40, txn: txn))
                try query.withUnsafeBufferPointer { q in
                    let qp = try XCTUnwrap(q.baseAddress)
                    let expected = full.nearest(to: qp, k: 10, among: candidates)
                    let all = wide.nearest(to: qp, k: 10, among: candidates)
                    XCTAssertEqual(all.neighbors.map(\.id), expected.neighbors.map(\.id), "re-ranking every candidate is exact")
                    XCTAssertEqual(all.distanceComputations, 240 + 240)
                    let some = narrow.nearest(to: qp, k: 10, among: candidates)
                    XCTAssertTrue(some.neighbors.allSatisfy { candidates.contains($0.id) })
                    XCTAssertGreaterThanOrEqual(Set(some.neighbors.map(\.id)).intersection(expected.neighbors.map(\.id)).count, 8)
                }
            }
        }
    }

    func testCompressedOnlyStoreRefusesOperationsThatNeedFullVectors() throws {
        var rng = SeededGenerator(seed: 13)
        let path = "compressed"
        var store: Store? = try makeStore(metric: .cosine, quantization: QuantizationOptions(trainingThreshold: nil), name: path)
        let base = rng.clusteredVectors(1_500, 32)
        let queries = rng.clusteredVectors(20, 32)
        try fill(try XCTUnwrap(store), base)
        // The exact answers, while the full vectors are still there.
        let truth = try queries.map { q in try XCTUnwrap(store).search(vector: q, k: 10, exact: true).map(\.id) }
        let stats = try XCTUnwrap(store).trainQuantizer(QuantizationOptions(m: 16, iterations: 10, keepsFullVectors: false))
        XCTAssertFalse(stats.keepsFullVectors)
        XCTAssertFalse(stats.reranksWithFullVectors)
        for reopen in [false, true] {
            if reopen {
                store = nil
                store = try makeStore(metric: .cosine, name: path)
            }
            let s = try XCTUnwrap(store)
            XCTAssertEqual(try s.statistics().databaseBytes["vectors"], 0)
            XCTAssertFalse(try s.statistics().quantization.keepsFullVectors)
            // Plain search ranks by codes.
            var total = 0.0
            for (q, expected) in zip(queries, truth) {
                let found = try s.search(vector: q, k: 10)
                XCTAssertEqual(found.count, 10)
                total += Double(Set(found.map(\.id)).intersection(expected).count) / 10
                XCTAssertEqual(try s.search(vector: q, k: 10, exact: true, distance: .pq).count, 10)
            }
            XCTAssertGreaterThanOrEqual(total / Double(queries.count), 0.8, "recall@10 ranking by codes")
            func assertRefused(_ what: String, _ body: () throws -> Void) {
                XCTAssertThrowsError(try body(), what) { error in
                    guard case QuantizationError.fullVectorsDiscarded = error else { return XCTFail("\(what): \(error)") }
                    XCTAssertTrue("\(error)".contains("compressed-only"), "\(error)")
                }
            }
            assertRefused("exact search") { _ = try s.search(vector: queries[0], k: 5, exact: true) }
            assertRefused("full-distance search") { _ = try s.search(vector: queries[0], k: 5, distance: .full) }
            assertRefused("reading a vector") { _ = try s.vector(id: "v1") }
            assertRefused("upsert") { try s.upsert([Document(id: "new", text: "")], vectors: [queries[0]]) }
            assertRefused("delete") { try s.delete(ids: ["v1"]) }
            assertRefused("retraining") { try s.trainQuantizer() }
            XCTAssertEqual(try s.count(), 1_500, "refused writes changed nothing")
            XCTAssertNotNil(try s.document(id: "v1"))
        }
    }

    func testBadTrainingRequestsAreRefused() throws {
        var rng = SeededGenerator(seed: 1)
        let store = try makeStore()
        try fill(store, rng.clusteredVectors(100, 32))
        XCTAssertThrowsError(try store.trainQuantizer()) { error in
            guard case QuantizationError.training(.tooFewTrainingVectors(100, needed: 256)) = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try store.trainQuantizer(QuantizationOptions(m: 33))) { error in
            guard case QuantizationError.invalidOption = error else { return XCTFail("\(error)") }
        }
        // Nothing trained: PQ searches fall back to full vectors.
        let q = rng.clusteredVectors(1, 32)[0]
        XCTAssertEqual(try store.search(vector: q, k: 5, distance: .pq).map(\.id), try store.search(vector: q, k: 5).map(\.id))
    }
}

/// A flag shared between threads.
private final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// A list of strings shared between threads.
private final class LockedList: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String] = []
    var items: [String] { lock.withLock { values } }
    func append(_ s: String) { lock.withLock { values.append(s) } }
}
