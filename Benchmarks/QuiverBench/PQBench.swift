import Encoders
import Foundation
import Quiver

/// `QuiverBench pq`: product quantization in a store on an .fvecs data set, in the peers' JSON-line
/// schema, one query at a time on one thread:
///
/// - `quiver-hnsw-full`: full-precision HNSW (`Store.search(vector:k:ef:)`), the baseline of the same run;
/// - `quiver-hnsw-pq`: ADC traversal of the same graph, beam `max(ef, R)`, then the best R re-ranked
///   with full vectors (`search(vector:k:ef:distance: .pq, rerank: R)`);
/// - `quiver-pq-scan`: ADC over every code, best R re-ranked (R = k: PQ-only ranking, like faiss `IndexPQ`);
/// - `quiver-exact-full`: the full-vector exact scan;
/// - `quiver-hnsw-pq-compressed`: the same store retrained last with `keepsFullVectors: false` (codes
///   only, ranked by ADC; the full vectors are deleted), with its bytes.
///
/// Training: `Store.trainQuantizer` with m = d/4 (`--m`), sample = min(n, 65,536), 25 iterations, all
/// cores (`train_s` is sampling + k-means; `encode_s` the batched encoding of every vector).
enum PQBench {
    static let usage = """
        QuiverBench pq --data DIR [--metric l2|cosine] [--k 10] [--m M] [--efs 16,32,64,128] [--reranks 10,40,100]
                       [--repeats 5] [--max-queries N] [--name NAME] [--out FILE.jsonl] [--work DIR] [--no-compressed]
          Builds a store from DIR/base.fvecs, trains its product quantizer, and times full HNSW, ADC traversal + re-rank,
          ADC scans and (unless --no-compressed) the store retrained compressed-only.
        """

    static func run(_ args: Arguments) throws {
        let dataDir = try args.required("data")
        guard let metric = Metric(rawValue: args.string("metric", default: "l2")) else { throw BenchError("unknown metric") }
        let k = try args.int("k", default: 10)
        let repeats = try args.int("repeats", default: 5)
        let maxQueries = try args.int("max-queries", default: 0)
        let efs = (args.list("efs") ?? ["16", "32", "64", "128"]).compactMap(Int.init)
        let reranks = (args.list("reranks") ?? ["10", "40", "100"]).compactMap(Int.init)
        let name = args.string("name") ?? (dataDir as NSString).lastPathComponent
        let outPath = args.string("out")

        guard let basePath = try findDataFile(dataDir, "base.fvecs"), let queryPath = try findDataFile(dataDir, "query.fvecs")
        else { throw BenchError("no base/query files in \(dataDir)") }
        let base = try readVecs(basePath, as: Float.self)
        var queries = try readVecs(queryPath, as: Float.self)
        if maxQueries > 0, queries.rows > maxQueries {
            queries = Matrix(rows: maxQueries, dimension: queries.dimension, values: Array(queries.values[0..<(maxQueries * queries.dimension)]))
        }
        var groundTruth: Matrix<Int32>
        if let gtPath = try findDataFile(dataDir, "groundtruth.ivecs", required: false) {
            groundTruth = try readVecs(gtPath, as: Int32.self)
        } else {
            groundTruth = ExactBench.bruteForce(base: base, queries: queries, k: k, metric: metric)
        }
        let n = base.rows, d = base.dimension, nq = queries.rows
        let m = try args.int("m", default: max(1, d / 4))
        let rssData = currentRSSMB()
        log("[quiver-pq] \(name): n=\(n) d=\(d) nq=\(nq) metric=\(metric.rawValue) m=\(m)")

        let scratch = try makeScratchDirectory(root: args.string("work"), prefix: "quiver-pq")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        func build(_ storeName: String) throws -> (Store, Double) {
            let options = StoreOptions(
                encoder: try HashingEncoder(dimension: d), metric: metric, graph: GraphParameters(m: 16, efConstruction: 200),
                skipSync: true, quantization: QuantizationOptions(trainingThreshold: nil))
            let store = try Store.open(at: (scratch as NSString).appendingPathComponent(storeName), options: options)
            let t0 = wallSeconds()
            for start in stride(from: 0, to: n, by: 10_000) {
                let end = min(n, start + 10_000)
                try store.upsert((start..<end).map { Document(id: String($0), text: "") }, vectors: (start..<end).map { Array(base.row($0)) })
            }
            return (store, wallSeconds() - t0)
        }
        let (store, buildSeconds) = try build("full")
        let t0 = wallSeconds()
        let stats = try store.trainQuantizer(QuantizationOptions(m: m, trainingThreshold: nil))
        let trainAndEncode = wallSeconds() - t0
        let storeStats = try store.statistics()
        log("[quiver-pq] built graph in \(rounded(buildSeconds, 2)) s; trained in \(rounded(stats.trainingSeconds, 2)) s "
            + "(+ encoding \(rounded(trainAndEncode - stats.trainingSeconds, 2)) s), MSE \(stats.meanSquaredError)")
        let queryRows: [[Float]] = (0..<nq).map { Array(queries.row($0)) }
        let bytes = storeStats.databaseBytes
        let pqFields: [(String, JSON)] = [
            ("n", .int(n)), ("d", .int(d)), ("nq", .int(nq)), ("metric", .string(metric.rawValue)),
            ("train_s", .double(rounded(stats.trainingSeconds, 3))), ("encode_s", .double(rounded(trainAndEncode - stats.trainingSeconds, 3))),
            ("ntrain", .int(stats.trainingVectors)), ("quantization_mse", .double(rounded(stats.meanSquaredError, 6))),
            ("quantization_relative_error", .double(rounded(stats.relativeError, 5))),
            ("vectors_db_bytes", .int(bytes["vectors"] ?? 0)), ("codes_db_bytes", .int(bytes["codes"] ?? 0)),
            ("database_bytes", .object(bytes.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            ("rss_data_mb", .double(rssData)),
        ]
        let indexBytes = bytes.values.reduce(0, +)

        func measure(_ peer: String, _ params: [(String, JSON)], store: Store, bytesInUse: Int, _ search: (Int) throws -> [SearchResult]) throws {
            _ = try search(0)
            let before = store.searchActivity
            let (results, timing) = try timeQueries(count: nq, repeats: repeats, search)
            let cost = store.searchActivity - before
            let perQuery = { (x: Int) in rounded(Double(x) / Double(max(1, cost.searches)), 1) }
            let found = results.map { hits in hits.map { Int($0.id) ?? -1 } }
            let recall = ExactBench.recallAtK(found, groundTruth, k: k)
            log("[\(peer)] \(params.map { "\($0.0)=\($0.1.text)" }.joined(separator: " ")): recall \(rounded(recall, 4)), \(timing.qps) QPS, "
                + "\(perQuery(cost.vectorsRead)) vectors + \(perQuery(cost.codesRead)) codes = \(perQuery(cost.bytesRead)) bytes per query")
            emit(.object([
                ("dataset", .string(name)), ("peer", .string(peer)),
                ("params", .object(params + [("k", .int(k)), ("M", .int(16)), ("efConstruction", .int(200))])),
                ("build_s", .object([("1", .double(rounded(buildSeconds, 3)))])), ("index_bytes", .int(bytesInUse)),
                ("recall_at_10", .double(rounded(recall, 4))), ("qps_1thread", .double(timing.qps)),
                ("p50_ms", .double(timing.p50ms)), ("p99_ms", .double(timing.p99ms)), ("peak_rss_mb", .double(peakRSSMB())),
                ("vectors_read_per_query", .double(perQuery(cost.vectorsRead))), ("codes_read_per_query", .double(perQuery(cost.codesRead))),
                ("vector_bytes_read_per_query", .double(perQuery(cost.bytesRead))),
            ] + timing.jsonFields + pqFields + [("versions", .object([("quiver_build", ExactBench.buildKind)]))]), to: outPath)
        }

        try measure("quiver-exact-full", [], store: store, bytesInUse: indexBytes) { try store.search(vector: queryRows[$0], k: k, exact: true) }
        for ef in efs {
            try measure("quiver-hnsw-full", [("ef", .int(ef))], store: store, bytesInUse: indexBytes) {
                try store.search(vector: queryRows[$0], k: k, ef: ef)
            }
        }
        for rerank in reranks {
            try measure("quiver-pq-scan", [("pq_m", .int(m)), ("rerank_top", .int(rerank))], store: store, bytesInUse: indexBytes) {
                try store.search(vector: queryRows[$0], k: k, exact: true, distance: .pq, rerank: rerank)
            }
            for ef in efs {
                try measure("quiver-hnsw-pq", [("pq_m", .int(m)), ("ef", .int(ef)), ("rerank_top", .int(rerank))], store: store, bytesInUse: indexBytes) {
                    try store.search(vector: queryRows[$0], k: k, ef: ef, distance: .pq, rerank: rerank)
                }
            }
        }
        guard !args.flag("no-compressed") else { return }
        // The same store retrained compressed-only (same seed, so the same codebooks): the full
        // vectors are deleted, the graph is kept. Cheaper than building a second store.
        let compressed = store
        try compressed.trainQuantizer(QuantizationOptions(m: m, trainingThreshold: nil, keepsFullVectors: false))
        let compressedBytes = try compressed.statistics().databaseBytes.values.reduce(0, +)
        log("[quiver-pq] bytes in use: \(indexBytes) with full vectors, \(compressedBytes) compressed-only")
        for ef in efs {
            try measure("quiver-hnsw-pq-compressed", [("pq_m", .int(m)), ("ef", .int(ef)), ("rerank", "codes")],
                        store: compressed, bytesInUse: compressedBytes) {
                try compressed.search(vector: queryRows[$0], k: k, ef: ef)
            }
        }
    }
}
