import Encoders
import Foundation
import Quiver

/// `QuiverBench hnsw`: approximate k-NN search through the store's HNSW graph
/// (`Store.search(vector:k:ef:)`) on an .fvecs data set, one query at a time on one thread, with an
/// ef sweep, reported in the peers' JSON-line schema (`peer: "quiver-hnsw"`, params `M`,
/// `efConstruction`, `ef`), so the lines sit next to `bench_ann.py --peer hnswlib`.
///
/// Build: a fresh store (`HashingEncoder(dimension: d)` only because a store needs an encoder),
/// vectors supplied through `upsert(_:vectors:)` in batches, fsync on every commit; `build_s` is the
/// wall time of all upserts (LMDB writes + HNSW insertion, one thread). `index_bytes` is the size of
/// `data.mdb` (vectors, graph, ids, empty documents).
///
/// Ground truth: `groundtruth.ivecs` when the folder has one (as the peers' `common.load_dataset`
/// does, for either metric), otherwise brute force in float64. `recall_at_10` is the set overlap
/// with the true top k; `recall_at_10_ties` also counts a returned id whose exact distance is no
/// worse than the k-th true neighbour's (as `QuiverBench exact` does).
enum HNSWBench {
    static let usage = """
        QuiverBench hnsw --data DIR [--metric l2|cosine|dot] [--k 10] [--efs 10,16,32,64,128] [--repeats 5]
                         [--m 16] [--ef-construction 200] [--batch 10000] [--max-queries N] [--build-threads 1,2 | --threads 1] [--store DIR]
                         [--name NAME] [--out FILE.jsonl] [--work DIR] [--keep]
          Builds a store from DIR/base.fvecs (vectors supplied, fsync on), then times Store.search(vector:k:ef:)
          for every ef; ground truth from groundtruth.ivecs when present.
        """

    static func run(_ args: Arguments) throws {
        let dataDir = try args.required("data")
        let metricName = args.string("metric", default: "l2")
        guard let metric = Metric(rawValue: metricName) else { throw BenchError("unknown metric \(metricName)") }
        let k = try args.int("k", default: 10)
        let repeats = try args.int("repeats", default: 5)
        let m = try args.int("m", default: 16)
        let efConstruction = try args.int("ef-construction", default: 200)
        let batchSize = max(1, try args.int("batch", default: 10_000))
        let maxQueries = try args.int("max-queries", default: 0)
        // --build-threads 1,2 times a build per thread count (the peers' --build-threads); --threads N is one count.
        let buildThreads = try (args.string("build-threads") ?? String(max(1, try args.int("threads", default: 1))))
            .split(separator: ",").map { text -> Int in
                guard let t = Int(text), t >= 1 else { throw BenchError("--build-threads expects positive integers, got '\(text)'") }
                return t
            }
        let efs = try (args.list("efs") ?? ["10", "16", "32", "64", "128"]).map { text -> Int in
            guard let ef = Int(text), ef >= 1 else { throw BenchError("--efs expects positive integers, got '\(text)'") }
            return ef
        }
        let name = args.string("name") ?? (dataDir as NSString).standardizingPath.split(separator: "/").last.map(String.init) ?? dataDir
        let outPath = args.string("out")

        // ---- data
        let base = try readVecs(try findDataFile(dataDir, "base.fvecs")!, as: Float.self)
        var queries = try readVecs(try findDataFile(dataDir, "query.fvecs")!, as: Float.self)
        guard base.dimension == queries.dimension else { throw BenchError("base and query dimensions differ") }
        var groundTruth: Matrix<Int32>
        var groundTruthSource = "groundtruth.ivecs"
        if let gtPath = try findDataFile(dataDir, "groundtruth.ivecs", required: false) {
            groundTruth = try readVecs(gtPath, as: Int32.self)
        } else {
            groundTruthSource = "computed (brute force, float64)"
            groundTruth = Matrix(rows: 0, dimension: k, values: [])
        }
        if maxQueries > 0, queries.rows > maxQueries {
            queries = Matrix(rows: maxQueries, dimension: queries.dimension,
                             values: Array(queries.values[0..<(maxQueries * queries.dimension)]))
        }
        if groundTruth.rows == 0 {
            groundTruth = ExactBench.bruteForce(base: base, queries: queries, k: k, metric: metric)
        }
        let n = base.rows, d = base.dimension, nq = queries.rows
        guard groundTruth.rows >= nq, groundTruth.dimension >= k else {
            throw BenchError("ground truth has \(groundTruth.rows)×\(groundTruth.dimension), need \(nq)×\(k)")
        }
        let rssData = currentRSSMB()
        log("[quiver-hnsw] \(name): n=\(n) d=\(d) nq=\(nq) metric=\(metric.rawValue) k=\(k) M=\(m) efC=\(efConstruction) rss_data=\(rssData)MB")

        // ---- build: a fresh store, vectors supplied, empty texts, fsync on
        let scratch = try makeScratchDirectory(root: args.string("work"), prefix: "quiver-hnsw")
        defer { if !args.flag("keep") { try? FileManager.default.removeItem(atPath: scratch) } }
        // --store DIR: build into DIR and keep it, or, when DIR already holds a store, search it
        // without building (profiling the queries alone).
        let storePath = args.string("store") ?? (scratch as NSString).appendingPathComponent("store")
        let reused = FileManager.default.fileExists(atPath: (storePath as NSString).appendingPathComponent("data.mdb"))
        let graph = GraphParameters(m: m, efConstruction: efConstruction)
        /// Builds a store at `path` with `threads` indexing threads; returns it, the wall seconds and CPU use.
        func build(at path: String, threads: Int) throws -> (Store, Double, Double) {
            // No automatic PQ training: this measures the full-precision graph (QuiverBench pq measures PQ).
            let options = StoreOptions(encoder: try HashingEncoder(dimension: d), metric: metric, graph: graph, skipSync: false,
                indexingThreads: threads, quantization: QuantizationOptions(trainingThreshold: nil))
            let buildStart = wallSeconds()
            let buildCPU0 = processCPUSeconds()
            let store = try Store.open(at: path, options: options)
            var start = reused ? n : 0
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
                let t0 = wallSeconds()
                try store.upsert(documents, vectors: vectors)
                if n >= 50_000 {
                    log("[quiver-hnsw]   \(end)/\(n) rows, batch \(rounded(wallSeconds() - t0, 2)) s, total \(rounded(wallSeconds() - buildStart, 1)) s")
                }
                start = end
            }
            let seconds = wallSeconds() - buildStart
            return (store, seconds, (processCPUSeconds() - buildCPU0) / max(1e-9, seconds))
        }
        // Every thread count but the last builds a throw-away store; the queries run on the last.
        var buildSecondsByThreads: [(Int, Double)] = []
        for threads in buildThreads.dropLast() where !reused {
            let path = (scratch as NSString).appendingPathComponent("store-\(threads)")
            let (_, seconds, cpu) = try build(at: path, threads: threads)
            log("[quiver-hnsw] built with \(threads) thread(s) in \(rounded(seconds, 3)) s (cpu_util \(rounded(cpu, 2)))")
            buildSecondsByThreads.append((threads, seconds))
            try? FileManager.default.removeItem(atPath: path)
        }
        let threads = buildThreads.last ?? 1
        let (store, buildSeconds, buildCPU) = try build(at: storePath, threads: threads)
        buildSecondsByThreads.append((threads, buildSeconds))
        let live = try store.count()
        guard live == n else { throw BenchError("store holds \(live) documents, expected \(n)") }
        let stats = try store.statistics()
        let dataFile = (storePath as NSString).appendingPathComponent("data.mdb")
        let dataBytes = ((try? FileManager.default.attributesOfItem(atPath: dataFile))?[.size] as? Int) ?? stats.bytesOnDisk
        log("[quiver-hnsw] built in \(rounded(buildSeconds, 3)) s (cpu_util \(rounded(buildCPU, 2))); data.mdb \(dataBytes) bytes; "
            + "graph nodes \(stats.graphNodes), top level \(stats.graphTopLevel)")

        // ---- queries through the public API, one ef at a time
        let queryRows: [[Float]] = (0..<nq).map { Array(queries.row($0)) }
        // The first search after the last commit builds the graph snapshot (a walk over the chunk tables);
        // do it once outside the timed passes, as hnswlib's index is also fully built before timing.
        let warm0 = wallSeconds()
        _ = try store.search(vector: queryRows[0], k: k, ef: efs[0])
        let firstSearchMs = (wallSeconds() - warm0) * 1e3
        let common: [(String, JSON)] = [("n", .int(n)), ("d", .int(d)), ("nq", .int(nq)), ("metric", .string(metric.rawValue))]
        let versions: JSON = .object([("quiver_build", ExactBench.buildKind), ("encoder_for_store", .string("hashing-d\(d) (unused: vectors supplied)"))])
        let buildJSON: JSON = .object(buildSecondsByThreads.map { (String($0.0), JSON.double(rounded($0.1, 3))) })
        for ef in efs {
            let (results, timing) = try timeQueries(count: nq, repeats: repeats) { i in
                try store.search(vector: queryRows[i], k: k, ef: ef)
            }
            let cores = ProcessInfo.processInfo.activeProcessorCount
            let sharedStore = store
            let sharedQueries = queryRows
            let qpsAllCores = allCoresQPS(count: nq, threads: cores) { i in
                _ = try sharedStore.search(vector: sharedQueries[i], k: k, ef: ef)
            }
            let foundIDs: [[Int]] = results.map { hits in hits.map { Int($0.id) ?? -1 } }
            let recall = ExactBench.recallAtK(foundIDs, groundTruth, k: k)
            let tieRecall = ExactBench.tieAwareRecall(foundIDs, groundTruth, base: base, queries: queries, k: k, metric: metric)
            log("[quiver-hnsw] ef=\(ef): recall@\(k) \(rounded(recall, 4)) (ties \(rounded(tieRecall, 4))), \(timing.qps) QPS (\(qpsAllCores) on \(cores) cores), "
                + "p50 \(timing.p50ms) ms, cpu_util \(timing.cpuUtil)")
            emit(.object([
                ("dataset", .string(name)),
                ("peer", "quiver-hnsw"),
                ("params", .object([
                    ("M", .int(m)), ("efConstruction", .int(efConstruction)), ("ef", .int(ef)),
                    ("k", .int(k)), ("upsert_batch", .int(batchSize)), ("sync", true),
                    ("note", .string("Store.search(vector:k:ef:): HNSW over the LMDB-resident graph + loads of the k documents; "
                        + "build_s = upsert(_:vectors:) of all rows in batches of \(batchSize), fsync per commit; the index searched was built with \(threads) thread(s)")),
                    ("build_threads", .int(threads)),
                ])),
                ("build_s", buildJSON),
                ("index_bytes", .int(dataBytes)),
                ("recall_at_10", .double(rounded(recall, 4))),
                ("qps_1thread", .double(timing.qps)),
                ("qps_all_cores", .double(qpsAllCores)),
                ("cores", .int(cores)),
                ("p50_ms", .double(timing.p50ms)),
                ("p99_ms", .double(timing.p99ms)),
                ("peak_rss_mb", .double(peakRSSMB())),
                ("rss_data_mb", .double(rssData)),
            ] + timing.jsonFields + common + [
                ("recall_at_10_ties", .double(rounded(tieRecall, 4))),
                ("ground_truth", .string(groundTruthSource)),
                ("build_cpu_util", .double(rounded(buildCPU, 2))),
                ("first_search_ms", .double(rounded(firstSearchMs, 3))),
                ("map_used_bytes", .int(stats.mapUsedBytes)),
                ("database_bytes", .object(stats.databaseBytes.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
                ("versions", versions),
            ]), to: outPath)
        }
    }
}
