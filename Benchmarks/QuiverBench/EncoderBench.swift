import Encoders
import Foundation

/// `QuiverBench encoder-speed`: sentences per second of `MiniLMEncoder` or `E5Encoder` (`--encoder e5`,
/// texts encoded as documents, i.e. `"passage: " + sentence`), timed the way the PyTorch
/// peer (`../shared/bench/encoder/bench_oracle.py`) times `SentenceTransformer.encode`: for every
/// thread budget (outer loop) and batch size (inner loop), one warm-up over the first 64 sentences,
/// then `--repeats` (3) passes over all sentences; best and median pass. A pass with batch size B
/// makes one `encode` call per B sentences (B = 1: one sentence per call).
///
/// For a thread budget T there are two ways to use it, and both are measured (T > 1):
/// - `blas1-encoderT`: `LinearAlgebra.setThreadCount(1)`, `MiniLMEncoder(threadCount: T)`; the encoder
///   runs up to T batches of one call at once (nothing to split when a call holds one batch);
/// - `blasT-encoder1`: `LinearAlgebra.setThreadCount(T)`, `MiniLMEncoder(threadCount: 1)`; OpenBLAS
///   splits each matrix product over T threads.
/// Each line says which; `best_config: true` marks the faster of the two for (T, B).
enum EncoderBench {
    static let usage = """
        QuiverBench encoder-speed --sentences FILE [--batch-sizes 32,1] [--threads 1,2] [--repeats 3]
                                  [--n 1000] [--encoder minilm|e5] [--model DIR] [--configs both|blas1|blasT]
                                  [--out FILE.jsonl]
          MiniLMEncoder or E5Encoder (as documents: "passage: " + sentence) sentences/s, and the RSS of
          the loaded model; source tools/openblas-env first.
        """

    static func busySeconds() -> Double {
        guard let line = (try? String(contentsOfFile: "/proc/stat", encoding: .utf8))?.split(separator: "\n").first else { return 0 }
        let v = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard v.count >= 5 else { return 0 }
        let idle = v[3] + v[4]
        return (v.prefix(8).reduce(0, +) - idle) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static func run(_ args: Arguments) throws {
        let path = try args.required("sentences")
        let n = try args.int("n", default: 1000)
        let sentences = Array(try String(contentsOfFile: path, encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: true).map(String.init).prefix(n))
        let batchSizes = (args.list("batch-sizes") ?? ["32", "1"]).compactMap { Int($0) }
        let threadList = (args.list("threads") ?? ["1", "2"]).compactMap { Int($0) }
        let repeats = max(1, try args.int("repeats", default: 3))
        let configs = args.string("configs", default: "both")
        let outPath = args.string("out")
        let encoderName = args.string("encoder", default: "minilm")
        guard ["minilm", "e5"].contains(encoderName) else { throw BenchError("--encoder must be minilm or e5") }
        let modelDir = args.string("model").map { URL(fileURLWithPath: $0) }
            ?? (encoderName == "e5" ? ModelLocation.multilingualE5Small : ModelLocation.miniLM)
        let peer = "quiver-\(encoderName)"
        func load(threadCount: Int) throws -> any TextEncoder {
            encoderName == "e5"
                ? try E5Encoder(modelDirectory: modelDir, threadCount: threadCount)
                : try MiniLMEncoder(modelDirectory: modelDir, threadCount: threadCount)
        }

        // The model's own memory: RSS before and after loading it (the first load in this process).
        let rssBeforeLoad = currentRSSMB()
        var probe: (any TextEncoder)? = try load(threadCount: 1)
        let rssAfterLoad = currentRSSMB()
        let tokens = sentences.map { text -> Double in
            if let e5 = probe as? E5Encoder { return Double(e5.tokenIDs(text, role: .document).count) }
            if let miniLM = probe as? MiniLMEncoder { return Double(miniLM.tokenIDs(text).count) }
            return 0
        }
        _ = try probe?.encode(sentences, role: .document)
        let rssAfterEncode = currentRSSMB()
        let peakAfterEncode = peakRSSMB()
        probe = nil
        log("[encoder-speed] \(encoderName): \(sentences.count) sentences, tokens incl. special tokens mean \(rounded(tokens.reduce(0, +) / Double(tokens.count), 1)); BLAS \(LinearAlgebra.backend)")
        log("[encoder-speed] RSS \(rssBeforeLoad) MB before loading, \(rssAfterLoad) MB loaded, \(rssAfterEncode) MB after encoding all (batch 32, 1 thread); peak \(peakAfterEncode) MB")

        for threads in threadList {
            var variants: [(String, Int, Int)] = []  // (label, blas threads, encoder threads)
            if configs != "blasT" { variants.append(("blas1-encoder\(threads)", 1, threads)) }
            if threads > 1 && configs != "blas1" { variants.append(("blas\(threads)-encoder1", threads, 1)) }
            for batch in batchSizes {
                var lines: [(Double, [(String, JSON)])] = []
                for (label, blas, encThreads) in variants {
                    LinearAlgebra.setThreadCount(blas)
                    let encoder = try load(threadCount: encThreads)
                    func pass(_ texts: [String]) throws -> Float {
                        var checksum: Float = 0
                        var start = 0
                        while start < texts.count {
                            let end = min(texts.count, start + batch)
                            for v in try encoder.encode(Array(texts[start..<end]), role: .document) { checksum += v[0] }
                            start = end
                        }
                        return checksum
                    }
                    _ = try pass(Array(sentences.prefix(64)))  // warm-up, as bench_oracle.py
                    var times: [Double] = [], others: [Double] = [], cpus: [Double] = []
                    for _ in 0..<repeats {
                        let b0 = busySeconds(), c0 = processCPUSeconds()
                        let t0 = wallSeconds()
                        _ = try pass(sentences)
                        let dt = wallSeconds() - t0
                        let own = processCPUSeconds() - c0
                        times.append(dt)
                        cpus.append(own / dt)
                        others.append(max(0, (busySeconds() - b0) - own) / dt)
                    }
                    let best = times.min()!
                    let med = median(times)
                    log("[encoder-speed] threads \(threads) batch \(batch) \(label): \(rounded(Double(sentences.count) / best, 1)) sentences/s (best), \(rounded(Double(sentences.count) / med, 1)) (median)")
                    lines.append((best, [
                        ("peer", .string(peer)),
                        ("threads", .int(threads)),
                        ("batch_size", .int(batch)),
                        ("config", .string(label)),
                        ("blas_threads", .int(LinearAlgebra.threadCount ?? -1)),
                        ("encoder_thread_count", .int(encThreads)),
                        ("n", .int(sentences.count)),
                        ("best_s", .double(rounded(best, 3))),
                        ("median_s", .double(rounded(med, 3))),
                        ("sent_per_s", .double(rounded(Double(sentences.count) / best, 1))),
                        ("median_sent_per_s", .double(rounded(Double(sentences.count) / med, 1))),
                        ("runs_s", .array(times.map { .double(rounded($0, 3)) })),
                        ("cpu_util", .double(rounded(median(cpus), 2))),
                        ("other_procs_cores_max", .double(rounded(others.max()!, 2))),
                        ("peak_rss_mb", .double(peakRSSMB())),
                    ]))
                }
                let fastest = lines.map(\.0).min()!
                for (best, fields) in lines {
                    emit(.object(fields + [("best_config", .bool(best == fastest))]), to: outPath)
                }
            }
        }
        emit(.object([
            ("peer", .string(peer + "-meta")), ("blas", .string(LinearAlgebra.backend)),
            ("rss_before_load_mb", .double(rssBeforeLoad)), ("rss_loaded_mb", .double(rssAfterLoad)),
            ("rss_after_encode_mb", .double(rssAfterEncode)), ("peak_rss_single_model_mb", .double(peakAfterEncode)),
            ("openblas_coretype", .string(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "")),
            ("tokens_mean", .double(rounded(tokens.reduce(0, +) / Double(tokens.count), 1))),
            ("cores", .int(ProcessInfo.processInfo.activeProcessorCount)),
            ("peak_rss_mb", .double(peakRSSMB())),
        ]), to: outPath)
    }
}
