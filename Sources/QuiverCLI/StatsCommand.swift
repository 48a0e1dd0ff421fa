import Foundation
import ArgumentParser
import Quiver

/// `quiver stats`: counts, sizes and settings.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Show a store's counts, sizes and settings.")

    @OptionGroup var store: StoreOptionGroup

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let opened = try store.openExisting(readOnly: true)
        let stats = try CLIError.run { try opened.statistics() }
        if json {
            print(try JSONOutput.string(stats, pretty: true))
            return
        }
        print("store:      \(opened.path)")
        let deletedPercent = 100 * stats.deletedFraction
        print("documents:  \(stats.documents) (\(stats.deleted) deleted, \(String(format: "%.1f", deletedPercent))% of ids, awaiting compaction)")
        print("dimension:  \(stats.dimension)")
        print("metric:     \(stats.metric.rawValue)")
        print("encoder:    \(stats.encoder.kind) (\(stats.encoder.fingerprint))")
        print("graph:      HNSW M=\(stats.graph.m) efConstruction=\(stats.graph.efConstruction) ef=\(stats.graph.efSearch), \(stats.graphNodes) nodes, top level \(stats.graphTopLevel)")
        print("levels:     " + stats.graphLevelCounts.enumerated().map { "L\($0.offset) \($0.element)" }.joined(separator: ", "))
        print("degrees:    level 0, \(DegreeSummary.describe(stats.graphDegreeHistogram))")
        print("pq:         \(PQSummary.describe(stats.quantization))")
        print("format:     version \(stats.formatVersion)")
        print("on disk:    \(ByteCount.describe(stats.bytesOnDisk))")
        print("map:        \(ByteCount.describe(stats.mapUsedBytes)) used of \(ByteCount.describe(stats.mapSizeBytes))")
        for name in stats.databaseBytes.keys.sorted() {
            print("  \(name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(ByteCount.describe(stats.databaseBytes[name] ?? 0))")
        }
    }
}

/// Human-readable byte counts.
enum ByteCount {
    static func describe(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}

/// A one-line summary of a degree histogram: min, median, mean, max and the count of isolated nodes.
enum DegreeSummary {
    static func describe(_ histogram: [Int]) -> String {
        let total = histogram.reduce(0, +)
        guard total > 0 else { return "no nodes" }
        let minimum = histogram.firstIndex { $0 > 0 } ?? 0
        let maximum = histogram.lastIndex { $0 > 0 } ?? 0
        let mean = Double(histogram.enumerated().reduce(0) { $0 + $1.offset * $1.element }) / Double(total)
        var seen = 0
        var median = 0
        for (degree, count) in histogram.enumerated() {
            seen += count
            if seen * 2 >= total {
                median = degree
                break
            }
        }
        let buckets = histogram.enumerated().filter { $0.element > 0 }.map { "\($0.offset):\($0.element)" }.joined(separator: " ")
        return "min \(minimum), median \(median), mean \(String(format: "%.1f", mean)), max \(maximum); histogram \(buckets)"
    }
}

/// One line on the product quantizer for `quiver stats`.
enum PQSummary {
    static func describe(_ q: QuantizationStatistics) -> String {
        guard q.trained else { return "not trained (searches use full vectors; quiver reindex --pq trains it)" }
        let rerank = q.reranksWithFullVectors ? "re-ranks with full vectors" : "compressed-only: no full vectors, re-ranks with codes"
        return String(
            format: "%@, m=%d (%d bytes per vector), trained on %d vectors, %d iterations, MSE %.4g (%.2f%% of mean squared norm), %d encoded; %@",
            q.phase, q.m, q.m, q.trainingVectors, q.iterations, q.meanSquaredError, 100 * q.relativeError, q.encodedVectors, rerank)
    }
}
