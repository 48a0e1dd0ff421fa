import ArgumentParser
import Quiver

/// `quiver verify`: checks every invariant of a store.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every invariant of a store and list each violation.",
        discussion: """
            Checks the key index, documents, vector chunks and their live bitmaps, tombstones, \
            counters and the HNSW graph on one snapshot (it can run while the store is in use). \
            Exit status: 0 when the store is sound, 1 when problems were found, 66 when the \
            store does not exist, 65 when the path is not a store, 74 on a storage error.
            """)

    @OptionGroup var store: StoreOptionGroup

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        let opened = try store.openExisting(readOnly: true)
        let report = try CLIError.run { try opened.verify() }
        if json {
            print(try JSONOutput.string(report, pretty: true))
        } else {
            let summary = report.checked.keys.sorted().map { "\($0) \(report.checked[$0] ?? 0)" }.joined(separator: ", ")
            print("checked: \(summary)")
            for problem in report.problems {
                let ids = problem.internalIDs.isEmpty ? "" : " [internal ids \(problem.internalIDs.map(String.init).joined(separator: ","))]"
                print("problem: \(problem)\(ids)")
            }
            print(report.isSound ? "ok: \(opened.path) is sound" : "FAILED: \(report.problems.count) problem(s)")
        }
        if !report.isSound { throw ExitCode(1) }
    }
}
