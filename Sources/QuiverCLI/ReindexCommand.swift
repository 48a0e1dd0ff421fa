import ArgumentParser
import Foundation
import Quiver

/// `quiver reindex --pq`: trains (or retrains) a store's product quantizer and encodes every vector.
struct ReindexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reindex",
        abstract: "Rebuild a store's secondary indexes: with --pq, train the product quantizer and encode every vector.")

    @OptionGroup var store: StoreOptionGroup

    @Flag(help: "Train the product quantizer (PQ codes for compressed search) and encode every vector.")
    var pq = false

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
        guard pq else { throw ValidationError("nothing to rebuild: pass --pq") }
        if let m, m < 1 { throw ValidationError("--m must be at least 1") }
        guard sample >= 256 else { throw ValidationError("--sample must be at least 256") }
        guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1") }
    }

    func run() throws {
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
