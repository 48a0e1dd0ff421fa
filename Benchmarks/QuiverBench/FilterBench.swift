import Encoders
import Foundation
import Quiver

/// `QuiverBench filtered`: filtered k-NN on an .fvecs data set with the peers' synthetic labels
/// (`label = i % 100`, as ../shared/bench/peers/common.py `labels_for`, so `label < p` selects
/// the same rows as `bench_ann.py --filtered`), one query at a time on one thread.
///
/// Filters: `bucket < 1` (`bucket = i % 1000`: 0.1%), `label < 1`, `< 10`, `< 50`, `< 100`
/// (1%, 10%, 50%, 100%; range walks), the equality `cat = "c7"` (`cat` = "c" + i % 100, 1%) and the
/// two-sided float range `price >= 0.25 AND price < 0.3` (`price` = ((i · 2654435761) mod 10007) / 10007,
/// about 5%, not following the row order). tools/bench-filter-peers.py gives the peers the same rows. Ground truth: the
/// exact filtered search (`exact: true`, every matching row's full-precision distance). Modes:
/// `planner` (Store.search(vector:k:filter:)), `planner-ids` (the same returning ids only, as the
/// peers do: `returning: .idsOnly`), `graph`, `routed` and `scan` (the planner's strategies
/// forced), and `postfilter` (unfiltered HNSW for k' = min(n, ⌈2k/s⌉) with ef = max(64, k'),
/// then the filter applied to the results: the common baseline).
enum FilterBench {
    static let usage = """
        QuiverBench filtered --data DIR [--metric l2|cosine] [--k 10] [--ef 64] [--efs 16,32,64,128] [--repeats 5] [--m 16]
                             [--ef-construction 200] [--name NAME] [--out FILE.jsonl] [--work DIR] [--store DIR (kept, reused)]
                             [--max-queries N] [--build-threads N (default: all cores)] [--pq]
                             [--filters "label < 100;bucket < 1"] [--modes planner,planner-ids,graph,routed,scan,postfilter] [--interleave]
                             [--extra-labels 20,30 (adds label < 20, label < 30)] [--traversals-at-efs] [--full-traversal]
          Builds a store from DIR/base.fvecs with a synthetic label per row, then times filtered searches at
          0.1%..100% selectivity (planner, graph, scan, post-filter) against exact filtered ground truth.
          The planner runs at every --efs beam (default: --ef); the forced graph and post-filter at --ef.
          --pq trains PQ (m = d/4) after building, so the planner's scans use ADC + re-rank (peers quiver-filter-pq-*).
          --filters (';'-separated, as printed) and --modes run a subset, e.g. to profile one case;
          --full-traversal walks the graph with full vectors (StoreOptions.quantizedTraversal = false) instead of
          the 8-bit copies with a re-ranked beam.
          --interleave times the modes' passes in turn (A/B on a noisy machine; every pass is all queries).
        """

    static func run(_ args: Arguments) throws {
        let dataDir = try args.required("data")
        guard let metric = Metric(rawValue: args.string("metric", default: "l2")) else { throw BenchError("unknown metric") }
        let k = try args.int("k", default: 10)
        let ef = try args.int("ef", default: 64)
        let efs = (args.list("efs") ?? [String(ef)]).compactMap(Int.init)
        guard !efs.isEmpty, efs.allSatisfy({ $0 >= 1 }) else { throw BenchError("--efs expects positive integers") }
        let repeats = try args.int("repeats", default: 5)
        let m = try args.int("m", default: 16)
        let efConstruction = try args.int("ef-construction", default: 200)
        let name = args.string("name") ?? (dataDir as NSString).lastPathComponent
        let outPath = args.string("out")
        let pq = args.flag("pq")
        let fullTraversal = args.flag("full-traversal")
        let maxQueries = try args.int("max-queries", default: 0)
        let buildThreads = try args.int("build-threads", default: ProcessInfo.processInfo.activeProcessorCount)
        let onlyFilters = args.string("filters").map { $0.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) } }
        let onlyModes = args.list("modes")
        let interleave = args.flag("interleave")
        guard buildThreads >= 1 else { throw BenchError("--build-threads expects a positive integer") }
        guard let basePath = try findDataFile(dataDir, "base.fvecs"), let queryPath = try findDataFile(dataDir, "query.fvecs") else {
            throw BenchError("no base/query .fvecs in \(dataDir)")
        }
        let base = try readVecs(basePath, as: Float.self)
        var queries = try readVecs(queryPath, as: Float.self)
        if maxQueries > 0, queries.rows > maxQueries {
            queries = Matrix(rows: maxQueries, dimension: queries.dimension,
                             values: Array(queries.values[0..<(maxQueries * queries.dimension)]))
        }
        let n = base.rows, d = base.dimension, nq = queries.rows

        // --store DIR keeps the built store there and reuses it on the next run (same data and options).
        let keptStore = args.string("store")
        let scratch = try keptStore ?? makeScratchDirectory(root: args.string("work"), prefix: "quiver-filter")
        defer { if keptStore == nil { try? FileManager.default.removeItem(atPath: scratch) } }
        if let keptStore { try FileManager.default.createDirectory(atPath: keptStore, withIntermediateDirectories: true) }
        let storePath = (scratch as NSString).appendingPathComponent("store")
        let reuse = keptStore != nil && FileManager.default.fileExists(atPath: (storePath as NSString).appendingPathComponent("data.mdb"))
        var options = StoreOptions(
            encoder: try HashingEncoder(dimension: d), metric: metric,
            graph: GraphParameters(m: m, efConstruction: efConstruction, efSearch: ef), skipSync: true)
        options.indexingThreads = buildThreads
        options.quantizedTraversal = !fullTraversal
        options.fieldTypes = ["bucket": .int, "label": .int, "cat": .string, "price": .double]
        let store = try Store.open(at: storePath, options: options)
        let buildStart = wallSeconds()
        for start in stride(from: 0, to: reuse ? 0 : n, by: 10_000) {
            let range = start..<min(n, start + 10_000)
            try store.upsert(
                range.map { i -> Document in
                    Document(id: String(i), text: "", metadata: [
                        "bucket": .int(Int64(i % 1000)), "label": .int(Int64(i % 100)), "cat": .string("c\(i % 100)"),
                        "price": .double(Double((Int64(i) &* 2_654_435_761) % 10_007) / 10_007),
                    ])
                },
                vectors: range.map { Array(base.row($0)) })
        }
        // A reused store reports the build time of the run that built it (kept beside it).
        let buildRecord = (scratch as NSString).appendingPathComponent("build-seconds")
        var buildSeconds = wallSeconds() - buildStart
        if reuse, let kept = try? String(contentsOfFile: buildRecord, encoding: .utf8), let seconds = Double(kept) {
            buildSeconds = seconds
        } else if keptStore != nil, !reuse {
            try String(buildSeconds).write(toFile: buildRecord, atomically: true, encoding: .utf8)
        }
        if reuse { log("[quiver-filter] reusing the store in \(storePath)") }
        log("[quiver-filter] \(name): n=\(n) d=\(d) nq=\(nq) built with \(buildThreads) thread(s) in \(rounded(buildSeconds, 2)) s")
        if pq && !reuse {
            let trained = try store.trainQuantizer(QuantizationOptions(m: max(1, d / 4), trainingThreshold: nil))
            log("[quiver-filter] PQ m=\(trained.m) trained and encoded in \(rounded(trained.trainingSeconds, 2)) s (training)")
        }
        let queryRows: [[Float]] = (0..<nq).map { Array(queries.row($0)) }
        _ = try store.search(vector: queryRows[0], k: k)

        var filters: [(String, Filter, Double)] = [
            ("bucket < 1", Filter.field("bucket") < 1, 0.001),
            ("label < 1", Filter.field("label") < 1, 0.01),
            (#"cat = "c7""#, Filter.field("cat") == "c7", 0.01),
            ("label < 10", Filter.field("label") < 10, 0.1),
            ("label < 50", Filter.field("label") < 50, 0.5),
            ("label < 100", Filter.field("label") < 100, 1.0),
            ("price >= 0.25 AND price < 0.3", Filter.field("price") >= 0.25 && Filter.field("price") < 0.3, 0.05),
        ]
        // More `label < p` points for selectivity sweeps (p% of the rows; the peers' script does not run them).
        for p in (args.list("extra-labels") ?? []).compactMap(Int.init) where (1...100).contains(p) {
            filters.append(("label < \(p)", Filter.field("label") < .int(Int64(p)), Double(p) / 100))
        }
        if let onlyFilters, let unknown = onlyFilters.first(where: { name in !filters.contains { $0.0 == name } }) {
            throw BenchError("--filters: no filter named '\(unknown)' (known: \(filters.map(\.0).joined(separator: "; ")))")
        }
        for (text, filter, nominal) in filters where onlyFilters?.contains(text) ?? true {
            // The first search compiles the filter (posting walks); later ones reuse the snapshot's cached candidates.
            let firstPlan = try store.searchWithPlan(vector: queryRows[0], k: 1, filter: filter).plan
            let matching = firstPlan.candidates
            let truth: [[String]] = try queryRows.map { try store.search(vector: $0, k: k, filter: filter, exact: true).map(\.id) }
            let selectivity = Double(matching) / Double(n)
            func recall(_ found: [[String]]) -> Double {
                var total = 0.0
                for (f, t) in zip(found, truth) where !t.isEmpty {
                    total += Double(Set(f).intersection(t).count) / Double(t.count)
                }
                return total / Double(truth.filter { !$0.isEmpty }.count)
            }
            let kPrime = min(n, Int((2.0 * Double(k) / max(selectivity, 1e-9)).rounded(.up)))
            var modes: [(String, Int, (Int) throws -> ([String], SearchPlan?))] = efs.flatMap { beam in
                [("planner", SearchResult.Contents.all), ("planner-ids", .idsOnly)].map { mode, contents in
                    (mode, beam, { i in
                        let r = try store.searchWithPlan(vector: queryRows[i], k: k, filter: filter, ef: beam, returning: contents)
                        return (r.results.map(\.id), r.plan)
                    })
                }
            }
            // The two traversals forced, at --ef, or at every --efs with --traversals-at-efs.
            for beam in (args.flag("traversals-at-efs") ? efs : [ef]) {
                modes += [("graph", SearchPlan.Strategy.graph), ("routed", .routedGraph)].map { mode, strategy in
                    (mode, beam, { i in
                        let r = try store.searchWithPlan(vector: queryRows[i], k: k, filter: filter, ef: beam, strategy: strategy)
                        return (r.results.map(\.id), r.plan)
                    })
                }
            }
            modes += [
                ("scan", ef, { i in let r = try store.searchWithPlan(vector: queryRows[i], k: k, filter: filter, ef: ef, strategy: .scan); return (r.results.map(\.id), r.plan) }),
                ("postfilter", max(ef, kPrime), { i in
                    let hits = try store.search(vector: queryRows[i], k: kPrime, ef: max(ef, kPrime))
                    return (Array(hits.filter { filter.matches($0.metadata) }.prefix(k).map(\.id)), nil)
                }),
            ]
            modes = modes.filter { onlyModes?.contains($0.0) ?? true }
            let timings = interleave
                ? try timeQueriesInterleaved(count: nq, repeats: repeats, modes.map(\.2))
                : try modes.map { try timeQueries(count: nq, repeats: repeats, maxPassSeconds: 4, $0.2) }
            for ((mode, beam, _), (results, timing)) in zip(modes, timings) {
                let r = recall(results.map(\.0))
                let plans = results.compactMap(\.1)
                let meanDistances = plans.isEmpty ? 0 : Double(plans.map(\.distanceComputations).reduce(0, +)) / Double(plans.count)
                let strategies = Dictionary(grouping: plans, by: { "\($0.strategy)" }).mapValues(\.count)
                let fallbacks = plans.filter(\.fellBackToScan).count
                let distances = Dictionary(grouping: plans, by: { $0.distance.rawValue }).mapValues(\.count)
                let searchMicroseconds = plans.map(\.searchMicroseconds).sorted()
                let searchP50 = searchMicroseconds.isEmpty ? 0 : searchMicroseconds[searchMicroseconds.count / 2]
                log("[quiver-filter] \(text) (\(rounded(selectivity * 100, 2))%, compile \(Int(firstPlan.filterMicroseconds)) µs) \(mode) ef \(beam): recall@\(k) \(rounded(r, 4)), \(timing.qps) QPS, "
                    + "distances \(Int(meanDistances)), strategies \(strategies), fallbacks \(fallbacks), ranked by \(distances), search p50 \(rounded(searchP50, 1)) µs")
                emit(.object([
                    ("dataset", .string(name)),
                    ("peer", .string("quiver-filter-\(pq ? "pq-" : "")\(mode)")),
                    ("pq", .bool(pq)),
                    ("traversal", .string(fullTraversal ? "full" : "sq8")),
                    ("ranked_by", .object(distances.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
                    ("filter", .string(text)),
                    ("selectivity", .double(rounded(selectivity, 5))),
                    ("nominal_selectivity", .double(nominal)),
                    ("params", .object([("M", .int(m)), ("efConstruction", .int(efConstruction)), ("ef", .int(beam)), ("k", .int(k)),
                                        ("k_prime", .int(mode == "postfilter" ? kPrime : k))])),
                    ("recall_at_10", .double(rounded(r, 4))),
                    ("qps_1thread", .double(timing.qps)),
                    ("p50_ms", .double(timing.p50ms)),
                    ("p99_ms", .double(timing.p99ms)),
                    ("mean_distance_computations", .double(rounded(meanDistances, 1))),
                    ("strategies", .object(strategies.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
                    ("fallbacks", .int(fallbacks)),
                    ("plan_search_us_p50", .double(rounded(searchP50, 1))),
                    ("filter_compile_us_first", .double(rounded(firstPlan.filterMicroseconds, 1))),
                    ("posting_keys", .int(firstPlan.postingKeysVisited)),
                    ("build_s", .double(rounded(buildSeconds, 3))),
                    ("n", .int(n)), ("d", .int(d)), ("nq", .int(nq)), ("metric", .string(metric.rawValue)),
                ] + timing.jsonFields), to: outPath)
            }
        }
    }
}
