import Encoders
import Foundation
import Quiver

/// `QuiverBench import-tsv`: `Store.importTSV` throughput into a fresh store (default options: the
/// 256-dimensional hashing encoder, cosine, fsync on commit), median over repeats, plus a breakdown
/// of where the time goes, each stage timed on its own over the same rows:
///
/// - `import`: the whole `Store.importTSV` call (the headline figure);
/// - `parse-only`: `TSVReader` over the file, documents collected, nothing encoded or stored;
/// - `encode-only`: `HashingEncoder.encode` of all texts in batches of `--batch` (as `importTSV`
///   does, so the encoder's own parallelism over cores applies);
/// - `encode-only-serial`: the same texts encoded one call per text (one thread);
/// - `write-only`: `upsert(_:vectors:)` of the pre-encoded vectors in batches (LMDB writes, HNSW graph
///   insertion, fsync);
/// - `import-skipsync`: `importTSV` into a store opened with `skipSync: true`.
///
/// Stages are interleaved within every repeat so that machine noise hits them alike.
enum ImportBench {
    static let usage = """
        QuiverBench import-tsv --file FILE.tsv [--columns id,title,text] [--id-column id]
                               [--text-columns title,text] [--batch 1000] [--dimension 256] [--repeats 3]
                               [--name NAME] [--out FILE.jsonl] [--work DIR] [--headline-only]
          Without --columns the file's first row must name the columns.
        """

    static func run(_ args: Arguments) throws {
        let file = try args.required("file")
        let schema = TSVSchema(
            columns: args.list("columns"),
            idColumn: args.string("id-column", default: "id"),
            textColumns: args.list("text-columns") ?? ["text"])
        let batchSize = max(1, try args.int("batch", default: 1000))
        let dimension = try args.int("dimension", default: 256)
        let repeats = max(1, try args.int("repeats", default: 3))
        let outPath = args.string("out")
        let name = args.string("name")
            ?? ((file as NSString).deletingLastPathComponent as NSString).lastPathComponent
        let headlineOnly = args.flag("headline-only")
        let fileBytes = (try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        let encoder = try HashingEncoder(dimension: dimension)
        let scratch = try makeScratchDirectory(root: args.string("work"), prefix: "quiver-import")
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        var seconds: [String: [Double]] = [:]
        var cpuUtil: [String: [Double]] = [:]
        var rows = 0
        var storeBytes = 0
        var storeCounter = 0

        func freshStore(skipSync: Bool) throws -> (Store, String) {
            storeCounter += 1
            let path = (scratch as NSString).appendingPathComponent("store-\(storeCounter)")
            return (try Store.open(at: path, options: StoreOptions(encoder: encoder, skipSync: skipSync)), path)
        }
        func timed(_ stage: String, _ body: () throws -> Void) rethrows {
            let cpu0 = processCPUSeconds()
            let t0 = wallSeconds()
            try body()
            let s = wallSeconds() - t0
            seconds[stage, default: []].append(s)
            cpuUtil[stage, default: []].append((processCPUSeconds() - cpu0) / max(1e-9, s))
        }
        func importOnce(skipSync: Bool, stage: String) throws {
            let (store, path) = try freshStore(skipSync: skipSync)
            var report: ImportReport?
            try timed(stage) {
                report = try store.importTSV(at: file, schema: schema, options: ImportOptions(batchSize: batchSize))
            }
            guard let report, report.rowsRejected == 0 else { throw BenchError("import rejected rows") }
            rows = report.rowsCommitted
            if stage == "import" { storeBytes = directoryBytes(path) }
            try FileManager.default.removeItem(atPath: path)
        }

        log("[quiver-import] \(file): \(fileBytes) bytes, batch \(batchSize), hashing d=\(dimension), \(repeats) repeats")
        for r in 0..<repeats {
            try importOnce(skipSync: false, stage: "import")
            if headlineOnly { continue }

            var documents: [Document] = []
            try timed("parse-only") {
                let reader = try TSVReader(path: file, schema: schema)
                while let row = try reader.next() {
                    guard case .success(let record) = row else { throw BenchError("bad row in \(file)") }
                    documents.append(record.document)
                }
            }
            let texts = documents.map(\.text)
            var vectors: [[Float]] = []
            vectors.reserveCapacity(texts.count)
            try timed("encode-only") {
                var start = 0
                while start < texts.count {
                    let end = min(texts.count, start + batchSize)
                    vectors += try encoder.encode(Array(texts[start..<end]), role: .document)
                    start = end
                }
            }
            var serialChecksum: Float = 0
            try timed("encode-only-serial") {
                for text in texts { serialChecksum += try encoder.encode(text, role: .document)[0] }
            }
            let (store, path) = try freshStore(skipSync: false)
            try timed("write-only") {
                var start = 0
                while start < documents.count {
                    let end = min(documents.count, start + batchSize)
                    try store.upsert(Array(documents[start..<end]), vectors: Array(vectors[start..<end]))
                    start = end
                }
            }
            try FileManager.default.removeItem(atPath: path)
            try importOnce(skipSync: true, stage: "import-skipsync")
            log("[quiver-import] repeat \(r + 1)/\(repeats): import \(rounded(seconds["import"]!.last!, 3)) s (checksum \(serialChecksum))")
        }

        let stages = ["import", "parse-only", "encode-only", "encode-only-serial", "write-only", "import-skipsync"]
        let descriptions = [
            "import": "Store.importTSV into a fresh store (fsync on commit)",
            "parse-only": "TSVReader only: rows parsed into Documents",
            "encode-only": "HashingEncoder.encode in batches (encoder's own parallelism), no storage",
            "encode-only-serial": "HashingEncoder.encode one text per call (one thread), no storage",
            "write-only": "upsert(_:vectors:) of pre-encoded vectors in batches (LMDB, HNSW graph insertion, fsync), no parsing or encoding",
            "import-skipsync": "Store.importTSV into a fresh store opened with skipSync: true",
        ]
        for stage in stages {
            guard let runs = seconds[stage] else { continue }
            let med = median(runs)
            var fields: [(String, JSON)] = [
                ("dataset", .string(name)),
                ("peer", "quiver-import"),
                ("stage", .string(stage)),
                ("params", .object([
                    ("what", .string(descriptions[stage] ?? stage)),
                    ("batch", .int(batchSize)), ("encoder", .string(encoder.fingerprint)),
                    ("id_column", .string(schema.idColumn)),
                    ("text_columns", .array(schema.textColumns.map { .string($0) })),
                ])),
                ("rows", .int(rows)),
                ("file_bytes", .int(fileBytes)),
                ("seconds", .double(rounded(med, 4))),
                ("rows_per_s", .double(rounded(Double(rows) / med, 1))),
                ("mb_per_s", .double(rounded(Double(fileBytes) / 1_048_576 / med, 2))),
                ("seconds_runs", .array(runs.map { .double(rounded($0, 4)) })),
                ("cpu_util", .double(rounded(median(cpuUtil[stage]!), 2))),
                ("loadavg_1m", .double(loadAverage1m())),
                ("peak_rss_mb", .double(peakRSSMB())),
                ("cores", .int(ProcessInfo.processInfo.activeProcessorCount)),
            ]
            if stage == "import" { fields.append(("store_bytes", .int(storeBytes))) }
            emit(.object(fields), to: outPath)
        }
    }
}
