import Encoders
import Foundation
import Quiver
import VectorMath

/// `QuiverBench exact`: exact k-NN search through `Store.search(vector:k:exact: true)` on an .fvecs data set,
/// one query at a time on one thread, reported in the peers' JSON-line schema (`peer: "quiver-exact"`).
///
/// Extra, clearly labelled diagnostic lines (`peer: "diag-…"`) time the same distance kernel and
/// top-k heap on a plain in-memory array, so the store's per-query overhead can be told apart
/// from the kernel's cost.
enum ExactBench {
    static let usage = """
        QuiverBench exact --data DIR [--metric l2|cosine|dot] [--k 10] [--repeats 5] [--batch 1000]
                          [--name NAME] [--out FILE.jsonl] [--work DIR] [--max-queries N] [--no-diag] [--keep]
          DIR holds base.fvecs, query.fvecs and optionally groundtruth.ivecs (or siftsmall_-prefixed names).
        """

    static func run(_ args: Arguments) throws {
        let dataDir = try args.required("data")
        let metricName = args.string("metric", default: "l2")
        guard let metric = Metric(rawValue: metricName) else { throw BenchError("unknown metric \(metricName)") }
        let k = try args.int("k", default: 10)
        let repeats = try args.int("repeats", default: 5)
        let batchSize = max(1, try args.int("batch", default: 1000))
        let maxQueries = try args.int("max-queries", default: 0)
        let name = args.string("name") ?? (dataDir as NSString).standardizingPath.split(separator: "/").last.map(String.init) ?? dataDir
        let outPath = args.string("out")

        // ---- data
        let base = try readVecs(try findDataFile(dataDir, "base.fvecs")!, as: Float.self)
        var queries = try readVecs(try findDataFile(dataDir, "query.fvecs")!, as: Float.self)
        guard base.dimension == queries.dimension else { throw BenchError("base and query dimensions differ") }
        if maxQueries > 0, queries.rows > maxQueries {
            queries = Matrix(rows: maxQueries, dimension: queries.dimension,
                             values: Array(queries.values[0..<(maxQueries * queries.dimension)]))
        }
        let n = base.rows, d = base.dimension, nq = queries.rows
        var groundTruth: Matrix<Int32>
        var groundTruthSource = "groundtruth.ivecs"
        if metric == .l2, let gtPath = try findDataFile(dataDir, "groundtruth.ivecs", required: false) {
            groundTruth = try readVecs(gtPath, as: Int32.self)
        } else {
            groundTruthSource = "computed (brute force, float64)"
            groundTruth = bruteForce(base: base, queries: queries, k: k, metric: metric)
        }
        guard groundTruth.rows >= nq, groundTruth.dimension >= k else {
            throw BenchError("ground truth has \(groundTruth.rows)×\(groundTruth.dimension), need \(nq)×\(k)")
        }
        let rssData = currentRSSMB()
        log("[quiver-exact] \(name): n=\(n) d=\(d) nq=\(nq) metric=\(metric.rawValue) k=\(k) rss_data=\(rssData)MB")

        // ---- build: a fresh store, vectors supplied, empty texts
        let scratch = try makeScratchDirectory(root: args.string("work"), prefix: "quiver-exact")
        defer { if !args.flag("keep") { try? FileManager.default.removeItem(atPath: scratch) } }
        let storePath = (scratch as NSString).appendingPathComponent("store")
        let buildStart = wallSeconds()
        let buildCPU0 = processCPUSeconds()
        let options = StoreOptions(encoder: try HashingEncoder(dimension: d), metric: metric)
        let store = try Store.open(at: storePath, options: options)
        var start = 0
        while start < n {
            let end = min(n, start + batchSize)
            var documents: [Document] = []
            var vectors: [[Float]] = []
            documents.reserveCapacity(end - start)
            vectors.reserveCapacity(end - start)
            for i in start..<end {
                documents.append(Document(id: String(i), text: ""))
                vectors.append(Array(base.row(i)))
            }
            try store.upsert(documents, vectors: vectors)
            start = end
        }
        let buildSeconds = wallSeconds() - buildStart
        let buildCPU = (processCPUSeconds() - buildCPU0) / max(1e-9, buildSeconds)
        let live = try store.count()
        guard live == n else { throw BenchError("store holds \(live) documents, expected \(n)") }
        let stats = try store.statistics()
        log("[quiver-exact] built in \(rounded(buildSeconds, 3)) s; data.mdb \(stats.bytesOnDisk) bytes")

        // ---- queries through the public API
        let queryRows: [[Float]] = (0..<nq).map { Array(queries.row($0)) }
        let (results, timing) = try timeQueries(count: nq, repeats: repeats) { i in
            try store.search(vector: queryRows[i], k: k, exact: true)
        }
        let foundIDs: [[Int]] = results.map { hits in hits.map { Int($0.id) ?? -1 } }
        let recall = recallAtK(foundIDs, groundTruth, k: k)
        let tieRecall = tieAwareRecall(foundIDs, groundTruth, base: base, queries: queries, k: k, metric: metric)
        let versions: JSON = .object([("quiver_build", buildKind), ("encoder_for_store", .string("hashing-d\(d) (unused: vectors supplied)"))])

        let common: [(String, JSON)] = [("n", .int(n)), ("d", .int(d)), ("nq", .int(nq)), ("metric", .string(metric.rawValue))]
        emit(.object([
            ("dataset", .string(name)),
            ("peer", "quiver-exact"),
            ("params", .object([
                ("k", .int(k)), ("exact", true), ("upsert_batch", .int(batchSize)), ("sync", true),
                ("note", .string("Store.search(vector:k:exact: true): exact scan + loads of the k documents; "
                    + "build_s = upsert(_:vectors:) of all rows, which also inserts into the HNSW graph "
                    + "(M=\(options.graph.m), efConstruction=\(options.graph.efConstruction))")),
            ])),
            ("build_s", .object([("1", .double(rounded(buildSeconds, 3)))])),
            ("index_bytes", .int(stats.bytesOnDisk)),
            ("recall_at_10", .double(rounded(recall, 4))),
            ("qps_1thread", .double(timing.qps)),
            ("p50_ms", .double(timing.p50ms)),
            ("p99_ms", .double(timing.p99ms)),
            ("peak_rss_mb", .double(peakRSSMB())),
            ("rss_data_mb", .double(rssData)),
        ] + timing.jsonFields + common + [
            ("recall_at_10_ties", .double(rounded(tieRecall, 4))),
            ("ground_truth", .string(groundTruthSource)),
            ("build_cpu_util", .double(rounded(buildCPU, 2))),
            ("map_used_bytes", .int(stats.mapUsedBytes)),
            ("database_bytes", .object(stats.databaseBytes.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            ("versions", versions),
        ]), to: outPath)

        guard !args.flag("no-diag") else { return }

        // ---- diagnostic: the same kernel and TopK on a contiguous in-memory array (no LMDB, no documents)
        let (kernelResults, kernelTiming) = base.values.withUnsafeBytes { raw in
            queries.values.withUnsafeBufferPointer { q in
                timeQueries(count: nq, repeats: repeats) { i in
                    scanInMemory(query: q.baseAddress! + i * d, base: raw.baseAddress!, n: n, d: d, k: k, metric: metric)
                }
            }
        }
        let kernelIDs = kernelResults.map { $0.map { Int($0.id) } }
        emit(.object([
            ("dataset", .string(name)),
            ("peer", "diag-kernel-in-memory"),
            ("params", .object([
                ("k", .int(k)),
                ("note", "DIAGNOSTIC, not a store API: VectorMath.Kernels + TopK over a contiguous in-memory [Float], no LMDB, no document loads"),
            ])),
            ("build_s", .null),
            ("index_bytes", .int(n * d * 4)),
            ("recall_at_10", .double(rounded(recallAtK(kernelIDs, groundTruth, k: k), 4))),
            ("qps_1thread", .double(kernelTiming.qps)),
            ("p50_ms", .double(kernelTiming.p50ms)),
            ("p99_ms", .double(kernelTiming.p99ms)),
            ("peak_rss_mb", .double(peakRSSMB())),
        ] + kernelTiming.jsonFields + common), to: outPath)
    }

    static var buildKind: JSON {
        #if DEBUG
        return "debug"
        #else
        return "release"
        #endif
    }

    /// Exact top-k over an in-memory row-major array with the store's kernels and heap.
    @inline(never)
    static func scanInMemory(
        query: UnsafePointer<Float>, base: UnsafeRawPointer, n: Int, d: Int, k: Int, metric: Metric
    ) -> [Neighbor] {
        var heap = TopK(k: k)
        let rowBytes = d * 4
        switch metric {
        case .l2:
            for i in 0..<n {
                let distance = Kernels.squaredL2(query, base + i * rowBytes, count: d)
                if distance < heap.threshold || heap.count < k { heap.insert(id: UInt32(i), distance: distance) }
            }
        case .cosine, .dot:
            // Cosine would need normalised rows; the diagnostic only measures speed, so treat it as dot.
            for i in 0..<n {
                let distance = -Kernels.dot(query, base + i * rowBytes, count: d)
                if distance < heap.threshold || heap.count < k { heap.insert(id: UInt32(i), distance: distance) }
            }
        }
        return heap.sorted()
    }

    /// Mean |found[:k] ∩ gt[:k]| / k, as the peers' `common.recall_at_k`.
    static func recallAtK(_ found: [[Int]], _ gt: Matrix<Int32>, k: Int) -> Double {
        var hits = 0
        for (q, ids) in found.enumerated() {
            let truth = Set(gt.row(q).prefix(k).map(Int.init))
            hits += Set(ids.prefix(k).filter { $0 >= 0 }).intersection(truth).count
        }
        return Double(hits) / Double(k * found.count)
    }

    /// Like recall@k, but a returned id whose exact distance is no worse than the k-th true neighbour's
    /// also counts (different ids at equal distance are equally correct answers).
    static func tieAwareRecall(
        _ found: [[Int]], _ gt: Matrix<Int32>, base: Matrix<Float>, queries: Matrix<Float>, k: Int, metric: Metric
    ) -> Double {
        var hits = 0
        for (q, ids) in found.enumerated() {
            let query = Array(queries.row(q))
            let kth = exactDistance(query, Array(base.row(Int(gt.row(q)[gt.row(q).startIndex + k - 1]))), metric)
            for id in ids.prefix(k) where id >= 0 && id < base.rows {
                if exactDistance(query, Array(base.row(id)), metric) <= kth + 1e-6 * max(1, abs(kth)) { hits += 1 }
            }
        }
        return Double(hits) / Double(k * found.count)
    }

    /// Distance in float64, lower is nearer (squared L2, −cosine or −dot).
    static func exactDistance(_ a: [Float], _ b: [Float], _ metric: Metric) -> Double {
        switch metric {
        case .l2:
            var s = 0.0
            for i in a.indices { let t = Double(a[i]) - Double(b[i]); s += t * t }
            return s
        case .dot:
            var s = 0.0
            for i in a.indices { s += Double(a[i]) * Double(b[i]) }
            return -s
        case .cosine:
            var s = 0.0, na = 0.0, nb = 0.0
            for i in a.indices {
                s += Double(a[i]) * Double(b[i]); na += Double(a[i]) * Double(a[i]); nb += Double(b[i]) * Double(b[i])
            }
            return na == 0 || nb == 0 ? 0 : -s / (na.squareRoot() * nb.squareRoot())
        }
    }

    /// Exact top-k ids in float64 (for data sets without a matching ground-truth file).
    static func bruteForce(base: Matrix<Float>, queries: Matrix<Float>, k: Int, metric: Metric) -> Matrix<Int32> {
        var out: [Int32] = []
        out.reserveCapacity(queries.rows * k)
        let rows = (0..<base.rows).map { Array(base.row($0)) }
        for q in 0..<queries.rows {
            let query = Array(queries.row(q))
            var scored = rows.enumerated().map { (exactDistance(query, $0.element, metric), $0.offset) }
            scored.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
            out += scored.prefix(k).map { Int32($0.1) }
        }
        return Matrix(rows: queries.rows, dimension: k, values: out)
    }
}
