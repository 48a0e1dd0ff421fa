import ArgumentParser
import Foundation
import Quiver

/// `quiver reindex --pq`: trains (or retrains) a store's product quantizer and encodes every vector.
struct ReindexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reindex",
        abstract: "Rebuild a store's indexes: --graph rebuilds the HNSW graph (new parameters), --pq trains the product quantizer.",
        discussion: """
            --graph writes a new copy of the store with the graph built again (compacting it \
            too) and swaps it in atomically, like `quiver compact`: a reindex killed at any moment \
            leaves the old store or the new one, whole. It refuses (exit 75) while another process \
            has the store open for writing. --pq trains in place, in batched transactions.
            """)

    @OptionGroup var store: StoreOptionGroup

    @Flag(help: "Train the product quantizer (PQ codes for compressed search) and encode every vector.")
    var pq = false

    @Flag(help: "Rebuild the HNSW graph, with the parameters below (unset ones keep the store's).")
    var graph = false

    @Option(name: .customLong("graph-m"), help: "With --graph: neighbours per node (level 0 keeps twice as many).")
    var graphM: Int?

    @Option(help: "With --graph: the beam width while inserting.")
    var efConstruction: Int?

    @Option(help: "With --graph: the default beam width of a search.")
    var efSearch: Int?

    @Option(help: "Bytes per PQ code (sub-spaces, 1...dimension; default dimension/4).")
    var m: Int?

    @Option(help: "Largest training sample.")
    var sample = 65_536

    @Option(help: "Lloyd iterations per sub-space.")
    var iterations = 25

    @Flag(help: "Delete the full vectors afterwards (a compressed-only store; cannot be undone).")
    var dropFullVectors = false

    @Flag(help: "Print the quantizer's statistics as JSON.")
    var json = false

    func validate() throws {
        guard pq || graph else { throw ValidationError("nothing to rebuild: pass --graph and/or --pq") }
        if !graph && (graphM != nil || efConstruction != nil || efSearch != nil) {
            throw ValidationError("--graph-m, --ef-construction and --ef-search need --graph")
        }
        if let m, m < 1 { throw ValidationError("--m must be at least 1") }
        guard sample >= 256 else { throw ValidationError("--sample must be at least 256") }
        guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1") }
    }

    func run() throws {
        if graph {
            let current = try store.openExisting(readOnly: true).graphParameters
            var parameters = current
            parameters.m = graphM ?? current.m
            parameters.efConstruction = efConstruction ?? current.efConstruction
            parameters.efSearch = efSearch ?? current.efSearch
            let reporter = CompactionReporter(quiet: json)
            // A new M always rebuilds; the same M rebuilds too when efConstruction changes.
            let rebuild = parameters.m != current.m || parameters.efConstruction != current.efConstruction
            let report = try CLIError.run {
                try Store.compact(
                    at: store.db, options: CompactionOptions(graph: parameters, rebuildGraph: rebuild),
                    progress: reporter.report)
            }
            if !json { print(CompactionReporter.summary(report)) }
            if !pq {
                if json { print(try JSONOutput.string(report, pretty: true)) }
                return
            }
        }
        let opened = try store.openExisting()
        let options = QuantizationOptions(
            m: m, trainingThreshold: nil, sampleSize: sample, iterations: iterations,
            keepsFullVectors: !dropFullVectors)
        let started = Date()
        let stats = try CLIError.run { try opened.trainQuantizer(options) }
        if json {
            print(try JSONOutput.string(stats, pretty: true))
            return
        }
        print(String(format: "trained m=%d on %d vectors in %.1f s (%.1f s including encoding); %d vectors encoded",
                     stats.m, stats.trainingVectors, stats.trainingSeconds, Date().timeIntervalSince(started), stats.encodedVectors))
        print(String(format: "quantization MSE %.6g per vector (%.2f%% of the mean squared norm)",
                     stats.meanSquaredError, 100 * stats.relativeError))
        if !stats.keepsFullVectors { print("full vectors deleted: the store is compressed-only") }
    }
}
