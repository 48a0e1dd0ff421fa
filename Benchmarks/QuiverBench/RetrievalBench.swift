import Encoders
import Foundation
import Quiver

#if canImport(Glibc)
import Glibc
#endif

/// Wraps an encoder and adds up the wall time spent in `encode`, so that an import can be split
/// into "time in the encoder" and "everything else" within one run.
final class TimedEncoder: TextEncoder, @unchecked Sendable {
    let base: any TextEncoder
    private let lock = NSLock()
    private var seconds = 0.0
    private var texts = 0

    init(_ base: any TextEncoder) { self.base = base }
    var dimension: Int { base.dimension }
    var descriptor: EncoderDescriptor { base.descriptor }

    func encode(_ texts: [String], role: EncodingRole) throws -> [[Float]] {
        let t0 = wallSeconds()
        let out = try base.encode(texts, role: role)
        let dt = wallSeconds() - t0
        lock.lock(); seconds += dt; self.texts += texts.count; lock.unlock()
        return out
    }

    /// Seconds and texts since the last call, then resets both.
    func take() -> (seconds: Double, texts: Int) {
        lock.lock(); defer { lock.unlock() }
        let r = (seconds, texts)
        seconds = 0; texts = 0
        return r
    }
}

/// Builds the encoder named on the command line. For MiniLM, `blasThreads` is set process-wide
/// (`LinearAlgebra.setThreadCount`) and `threads` is the encoder's own batch parallelism.
func makeBenchEncoder(_ name: String, dimension: Int, threads: Int, blasThreads: Int) throws -> any TextEncoder {
    switch name {
    case "hashing":
        return try HashingEncoder(dimension: dimension)
    case "minilm":
        LinearAlgebra.setThreadCount(blasThreads)
        return try MiniLMEncoder(threadCount: threads)
    case "e5":
        LinearAlgebra.setThreadCount(blasThreads)
        return try E5Encoder(threadCount: threads)
    default:
        throw BenchError("--encoder must be hashing, minilm or e5, got '\(name)'")
    }
}

/// `QuiverBench retrieval`: retrieval quality and import speed of a text encoder on a BEIR-style
/// folder (corpus.tsv id/title/text, queries.tsv id/text, qrels.tsv query/doc/score).
///
/// The corpus goes into a fresh store with `Store.importTSV` (title and text joined with "\n", as
/// `quiver import` does; batches of `--batch`, fsync on commit, HNSW graph built as usual). The
/// encoder is wrapped so that the time spent encoding inside the import is known. Every query is
/// then encoded (`role: .query`) and searched with `search(vector:k:exact:)`, k = `--k` (100);
/// nDCG@10 (gain 2^rel − 1, log2 discount, as BEIR), Recall@100 and MRR@10 are averaged over the
/// queries that have qrels. `--encode-pass` adds a separate encode-only pass over the corpus texts
/// (no store), timed on its own.
enum RetrievalBench {
    static let usage = """
        QuiverBench retrieval --data DIR --encoder hashing|minilm|e5 [--exact | --hnsw] [--k 100]
                              [--batch 1000] [--dimension 256] [--threads N] [--blas-threads 1]
                              [--encode-pass] [--name NAME] [--out FILE.jsonl] [--work DIR]
          DIR holds corpus.tsv (id, title, text), queries.tsv (id, text) and qrels.tsv (query, doc, score).
          Exact search is the default; --hnsw searches the graph (store's default efSearch) instead.
        """

    static func readTSV(_ path: String) throws -> [[String]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: true).map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
    }

    static func run(_ args: Arguments) throws {
        let data = try args.required("data")
        let encoderName = args.string("encoder", default: "hashing")
        let exact = !args.flag("hnsw")
        let k = max(100, try args.int("k", default: 100))
        let batchSize = max(1, try args.int("batch", default: 1000))
        let dimension = try args.int("dimension", default: 256)
        let threads = try args.int("threads", default: ProcessInfo.processInfo.activeProcessorCount)
        let blasThreads = try args.int("blas-threads", default: 1)
        let outPath = args.string("out")
        let name = args.string("name") ?? (data as NSString).lastPathComponent
        let corpus = (data as NSString).appendingPathComponent("corpus.tsv")

        let loadT0 = wallSeconds()
        let base = try makeBenchEncoder(encoderName, dimension: dimension, threads: threads, blasThreads: blasThreads)
        let loadSeconds = wallSeconds() - loadT0
        let encoder = TimedEncoder(base)
        let blasDescription = "BLAS threads \(LinearAlgebra.threadCount.map(String.init) ?? "?") (\(LinearAlgebra.backend))"
        let config = switch encoderName {
        case "minilm": "MiniLMEncoder(threadCount: \(threads)), \(blasDescription)"
        case "e5": "E5Encoder(threadCount: \(threads)), \(blasDescription); documents \"passage: \", queries \"query: \""
        default: "HashingEncoder(dimension: \(dimension))"
        }

        // queries and qrels
        let queries = try readTSV((data as NSString).appendingPathComponent("queries.tsv")).compactMap { row -> (String, String)? in
            row.count >= 2 ? (row[0], row[1]) : nil
        }
        var qrels: [String: [String: Int]] = [:]
        for row in try readTSV((data as NSString).appendingPathComponent("qrels.tsv")) where row.count >= 3 {
            qrels[row[0], default: [:]][row[1]] = Int(row[2]) ?? 0
        }
        let fileBytes = (try FileManager.default.attributesOfItem(atPath: corpus)[.size] as? Int) ?? 0

        let scratch = try makeScratchDirectory(root: args.string("work"), prefix: "quiver-retrieval")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let storePath = (scratch as NSString).appendingPathComponent("store")
        let store = try Store.open(at: storePath, options: StoreOptions(encoder: encoder))
        let schema = TSVSchema(columns: ["id", "title", "text"], textColumns: ["title", "text"])
        log("[retrieval] \(name): importing \(corpus) with \(config)")

        // import
        _ = encoder.take()
        let cpu0 = processCPUSeconds()
        let t0 = wallSeconds()
        let report = try store.importTSV(at: corpus, schema: schema, options: ImportOptions(batchSize: batchSize))
        let importSeconds = wallSeconds() - t0
        let importCPU = (processCPUSeconds() - cpu0) / max(1e-9, importSeconds)
        let (encodeInImport, encodedInImport) = encoder.take()
        let rows = report.rowsCommitted
        log("[retrieval] \(name): imported \(rows) rows in \(rounded(importSeconds, 2)) s, \(rounded(encodeInImport, 2)) s of it in the encoder")

        // separate encode-only pass (no store)
        var encodeOnly: (seconds: Double, cpu: Double)?
        if args.flag("encode-pass") {
            var texts: [String] = []
            let reader = try TSVReader(path: corpus, schema: schema)
            while let row = try reader.next() {
                guard case .success(let record) = row else { throw BenchError("bad row in \(corpus)") }
                texts.append(record.document.text)
            }
            let c0 = processCPUSeconds()
            let e0 = wallSeconds()
            var start = 0
            var checksum: Float = 0
            while start < texts.count {
                let end = min(texts.count, start + batchSize)
                checksum += try base.encode(Array(texts[start..<end]), role: .document).reduce(0) { $0 + $1[0] }
                start = end
            }
            let s = wallSeconds() - e0
            encodeOnly = (s, (processCPUSeconds() - c0) / max(1e-9, s))
            log("[retrieval] \(name): encode-only \(rounded(s, 2)) s (checksum \(checksum))")
        }

        // queries
        var ndcg = 0.0, recall = 0.0, mrr = 0.0, judged = 0
        var queryEncodeSeconds = 0.0, searchSeconds = 0.0
        for (qid, text) in queries {
            guard let rels = qrels[qid], rels.values.contains(where: { $0 > 0 }) else { continue }
            let e0 = wallSeconds()
            let vector = try base.encode(text, role: .query)
            let s0 = wallSeconds()
            let results = try store.search(vector: vector, k: k, exact: exact)
            let s1 = wallSeconds()
            queryEncodeSeconds += s0 - e0
            searchSeconds += s1 - s0
            judged += 1
            let ids = results.map(\.id)
            var dcg = 0.0
            for (i, id) in ids.prefix(10).enumerated() {
                let rel = rels[id] ?? 0
                if rel > 0 { dcg += (pow(2.0, Double(rel)) - 1) / log2(Double(i) + 2) }
            }
            let ideal = rels.values.filter { $0 > 0 }.sorted(by: >).prefix(10).enumerated().reduce(0.0) {
                $0 + (pow(2.0, Double($1.element)) - 1) / log2(Double($1.offset) + 2)
            }
            ndcg += ideal > 0 ? dcg / ideal : 0
            let relevant = rels.filter { $0.value > 0 }
            recall += Double(ids.prefix(100).filter { (relevant[$0] ?? 0) > 0 }.count) / Double(relevant.count)
            if let rank = ids.prefix(10).firstIndex(where: { (rels[$0] ?? 0) > 0 }) { mrr += 1 / Double(rank + 1) }
        }
        guard judged > 0 else { throw BenchError("no query of \(name) has qrels") }
        let n = Double(judged)

        var fields: [(String, JSON)] = [
            ("dataset", .string(name)),
            ("peer", .string("quiver-retrieval-\(encoderName)")),
            ("params", .object([
                ("encoder", .string(encoder.descriptor.kind)), ("config", .string(config)),
                ("fingerprint", .string(base.descriptor.fingerprint)), ("exact", .bool(exact)), ("k", .int(k)),
                ("batch", .int(batchSize)), ("text", "title + \"\\n\" + text"),
            ])),
            ("rows", .int(rows)),
            ("queries", .int(judged)),
            ("ndcg_at_10", .double(rounded(ndcg / n, 4))),
            ("recall_at_100", .double(rounded(recall / n, 4))),
            ("mrr_at_10", .double(rounded(mrr / n, 4))),
            ("model_load_s", .double(rounded(loadSeconds, 3))),
            ("import_s", .double(rounded(importSeconds, 3))),
            ("import_rows_per_s", .double(rounded(Double(rows) / importSeconds, 1))),
            ("import_mb_per_s", .double(rounded(Double(fileBytes) / 1_048_576 / importSeconds, 3))),
            ("import_cpu_util", .double(rounded(importCPU, 2))),
            ("encode_in_import_s", .double(rounded(encodeInImport, 3))),
            ("encode_in_import_texts", .int(encodedInImport)),
            ("encode_in_import_rows_per_s", .double(rounded(Double(encodedInImport) / max(1e-9, encodeInImport), 1))),
            ("encoder_share_of_import", .double(rounded(encodeInImport / importSeconds, 3))),
        ]
        if let encodeOnly {
            fields.append(("encode_only_s", .double(rounded(encodeOnly.seconds, 3))))
            fields.append(("encode_only_rows_per_s", .double(rounded(Double(rows) / encodeOnly.seconds, 1))))
            fields.append(("encode_only_cpu_util", .double(rounded(encodeOnly.cpu, 2))))
        }
        fields += [
            ("query_encode_ms_mean", .double(rounded(queryEncodeSeconds / n * 1000, 3))),
            ("search_ms_mean", .double(rounded(searchSeconds / n * 1000, 3))),
            ("store_bytes", .int(directoryBytes(storePath))),
            ("loadavg_1m", .double(loadAverage1m())),
            ("peak_rss_mb", .double(peakRSSMB())),
        ]
        emit(.object(fields), to: outPath)
    }
}
