import ArgumentParser
import Foundation
import Quiver

/// `quiver compact`: drop tombstones, renumber densely, swap in a compact copy.
struct CompactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Reclaim the space of deleted and replaced documents.",
        discussion: """
            Writes a copy of the store without its tombstones and with dense ids beside it \
            (DIR/.compact-work, then LMDB's compacting copy in DIR/.compact-final), verifies the \
            copy, and renames it over data.mdb. Until that rename the store is untouched and \
            usable; a compaction killed at any moment leaves the old store or the new one, whole. \
            Search results do not change. Refuses (exit 75) while another process has the store \
            open for writing.
            """)

    @OptionGroup var store: StoreOptionGroup

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        let reporter = CompactionReporter(quiet: json)
        let report = try CLIError.run { try Store.compact(at: store.db, progress: reporter.report) }
        reporter.finish()
        if json {
            print(try JSONOutput.string(report, pretty: true))
        } else {
            print(CompactionReporter.summary(report))
        }
    }
}

/// Progress lines for compaction and reindexing on standard error.
final class CompactionReporter {
    private let quiet: Bool
    private var lastStep: CompactionProgress.Step?
    private var lastPrint = Date.distantPast

    init(quiet: Bool) {
        self.quiet = quiet
    }

    func report(_ progress: CompactionProgress) {
        guard !quiet else { return }
        let now = Date()
        if progress.step != lastStep || now.timeIntervalSince(lastPrint) >= 1 || progress.done == progress.total {
            let count = progress.total > 0 ? " \(progress.done)/\(progress.total)" : ""
            StandardError.write("\(progress.step.rawValue)\(count)\n")
            lastStep = progress.step
            lastPrint = now
        }
    }

    func finish() {}

    static func summary(_ report: CompactionReport) -> String {
        let saved = report.bytesBefore > 0 ? 100 * Double(report.bytesBefore - report.bytesAfter) / Double(report.bytesBefore) : 0
        return "compacted: \(report.documents) documents, \(report.tombstonesDropped) tombstones dropped"
            + (report.graphRebuilt ? ", graph rebuilt" : "")
            + "; \(ByteCount.describe(report.bytesBefore)) -> \(ByteCount.describe(report.bytesAfter))"
            + String(format: " (%.1f%% smaller) in %.1f s", saved, report.seconds)
    }
}
