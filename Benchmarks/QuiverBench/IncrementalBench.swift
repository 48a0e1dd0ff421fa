import Encoders
import Foundation
import Quiver

/// `QuiverBench upsert-incremental`: small upserts of new documents into a store that is already
/// large (issue 4's target: ≥ 1,000 docs/s in batches of 100 into a store of 100,000).
///
/// A store of `--size` documents is built with `upsert(_:)` (texts encoded by the default 256-d
/// `HashingEncoder`) in batches of `--import-batch` (5,000). Texts are deterministic: 20 words
/// drawn from a fixed synthetic vocabulary of 5,000 words with a seeded generator. Then
/// `--batches` upserts of `--batch` NEW documents are timed one by one (encoding, LMDB writes,
/// HNSW insertion and the commit), first with fsync on every commit (`stage: "sync"`), then, after
/// reopening the same store with `skipSync: true`, another `--batches` (`stage: "skipsync"`).
/// The second stage's store is larger by `batches × batch` documents (3,000 by default, 3%).
/// Reports the median docs/s over batches and the p90 batch latency.
enum IncrementalBench {
    static let usage = """
        QuiverBench upsert-incremental [--size 100000] [--batch 100] [--batches 30] [--import-batch 5000]
                                       [--words 20] [--vocabulary 5000] [--seed 42] [--out FILE.jsonl] [--work DIR] [--keep]
          Builds a store of --size synthetic documents, then times --batches upserts of --batch new documents,
          with fsync (stage sync) and then with skipSync: true (stage skipsync).
        """

    /// SplitMix64: a small seeded generator, so the texts are the same on every run.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// A fixed vocabulary of pronounceable synthetic words (3–10 letters).
    static func vocabulary(count: Int) -> [String] {
        var rng = SplitMix64(state: 0x766F_6361_6275)
        let consonants = Array("bcdfghklmnprstvz"), vowels = Array("aeiou")
        var seen = Set<String>(), words: [String] = []
        while words.count < count {
            let length = 3 + Int(rng.next() % 8)
            var word = ""
            for j in 0..<length {
                let pool = j % 2 == 0 ? consonants : vowels
                word.append(pool[Int(rng.next() % UInt64(pool.count))])
            }
            if seen.insert(word).inserted { words.append(word) }
        }
        return words
    }

    static func run(_ args: Arguments) throws {
        let size = try args.int("size", default: 100_000)
        let batch = max(1, try args.int("batch", default: 100))
        let batches = max(1, try args.int("batches", default: 30))
        let importBatch = max(1, try args.int("import-batch", default: 5_000))
        let wordsPerText = max(1, try args.int("words", default: 20))
        let vocabularySize = max(1, try args.int("vocabulary", default: 5_000))
        let seed = UInt64(try args.int("seed", default: 42))
        let outPath = args.string("out")

        let vocabulary = vocabulary(count: vocabularySize)
        var rng = SplitMix64(state: seed)
        var nextID = 0
        func makeDocuments(_ count: Int) -> [Document] {
            (0..<count).map { _ in
                var text = ""
                for w in 0..<wordsPerText {
                    if w > 0 { text += " " }
                    text += vocabulary[Int(rng.next() % UInt64(vocabularySize))]
                }
                defer { nextID += 1 }
                return Document(id: "doc-\(nextID)", text: text)
            }
        }

        let scratch = try makeScratchDirectory(root: args.string("work"), prefix: "quiver-incremental")
        defer { if !args.flag("keep") { try? FileManager.default.removeItem(atPath: scratch) } }
        let storePath = (scratch as NSString).appendingPathComponent("store")
        let encoder = try HashingEncoder(dimension: 256)
        let graph = GraphParameters()
        log("[quiver-incremental] building a store of \(size) documents (\(wordsPerText) words each) in batches of \(importBatch)")

        // ---- the initial store (fsync on, like a real import)
        let buildStart = wallSeconds()
        do {
            let store = try Store.open(at: storePath, options: StoreOptions(
                encoder: encoder, graph: graph, skipSync: false, quantization: QuantizationOptions(trainingThreshold: nil)))
            var done = 0
            while done < size {
                let count = min(importBatch, size - done)
                try store.upsert(makeDocuments(count))
                done += count
                if done % 20_000 == 0 || done == size {
                    log("[quiver-incremental]   \(done)/\(size) documents, \(rounded(wallSeconds() - buildStart, 1)) s")
                }
            }
        }
        let buildSeconds = wallSeconds() - buildStart

        // ---- timed small upserts of new documents
        for (stage, skipSync) in [("sync", false), ("skipsync", true)] {
            let store = try Store.open(at: storePath, options: StoreOptions(
                encoder: encoder, skipSync: skipSync, quantization: QuantizationOptions(trainingThreshold: nil)))
            let before = try store.count()
            let pending = (0..<batches).map { _ in makeDocuments(batch) }  // texts made outside the timing
            var seconds: [Double] = []
            let cpu0 = processCPUSeconds(), wall0 = wallSeconds()
            for documents in pending {
                let t0 = wallSeconds()
                let summary = try store.upsert(documents)
                seconds.append(wallSeconds() - t0)
                guard summary.inserted == batch else { throw BenchError("expected \(batch) inserts, got \(summary.inserted)") }
            }
            let cpuUtil = (processCPUSeconds() - cpu0) / max(1e-9, wallSeconds() - wall0)
            let rates = seconds.map { Double(batch) / $0 }
            let stats = try store.statistics()
            let medianRate = median(rates)
            log("[quiver-incremental] \(stage): \(batches) × \(batch) new docs into \(before): median \(rounded(medianRate, 0)) docs/s, "
                + "p90 batch \(rounded(percentile(seconds, 90) * 1e3, 2)) ms, cpu_util \(rounded(cpuUtil, 2))")
            emit(.object([
                ("dataset", .string("synthetic-text-\(size)")),
                ("peer", "quiver-upsert-incremental"),
                ("stage", .string(stage)),
                ("params", .object([
                    ("size", .int(size)), ("batch", .int(batch)), ("batches", .int(batches)), ("import_batch", .int(importBatch)),
                    ("words", .int(wordsPerText)), ("vocabulary", .int(vocabularySize)), ("skipSync", .bool(skipSync)),
                    ("encoder", "hashing-d256"), ("M", .int(graph.m)), ("efConstruction", .int(graph.efConstruction)),
                    ("note", .string("Store.upsert(_:) of \(batch) new documents per call (encode + LMDB + HNSW insertion + commit), "
                        + "one call at a time")),
                ])),
                ("store_documents_before", .int(before)),
                ("docs_per_s_median", .double(rounded(medianRate, 1))),
                ("docs_per_s_overall", .double(rounded(Double(batch * batches) / seconds.reduce(0, +), 1))),
                ("batch_ms_p50", .double(rounded(percentile(seconds, 50) * 1e3, 3))),
                ("batch_ms_p90", .double(rounded(percentile(seconds, 90) * 1e3, 3))),
                ("batch_ms_max", .double(rounded((seconds.max() ?? 0) * 1e3, 3))),
                ("batch_ms", .array(seconds.map { .double(rounded($0 * 1e3, 3)) })),
                ("cpu_util", .double(rounded(cpuUtil, 3))),
                ("loadavg_1m", .double(loadAverage1m())),
                ("build_s", .double(rounded(buildSeconds, 3))),
                ("index_bytes", .int(stats.bytesOnDisk)),
                ("peak_rss_mb", .double(peakRSSMB())),
            ]), to: outPath)
        }
    }
}
