import ArgumentParser
import Foundation
import Quiver

/// `quiver export`: every document as TSV, ready for `quiver import --escapes`.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every document as TSV (to standard output or a file).",
        discussion: """
            The header is id, text, then each metadata field as name:type; cells use backslash \
            escapes (\\t \\n \\r \\\\, and \\, inside tags). Re-import with \
            `quiver import FILE --db DIR --escapes`: the same documents and metadata types come \
            back (vectors are encoded again). The export reads one snapshot: writes that commit \
            meanwhile are not in it.
            """)

    @OptionGroup var store: StoreOptionGroup

    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
    var output: String?

    func run() throws {
        let opened = try store.openExisting(readOnly: true)
        let sink = try TSVSink(path: output)
        let start = Date()
        let count = try CLIError.run {
            do {
                return try opened.exportTSV(to: { try sink.write($0) }) { written in
                    StandardError.write("exported \(written) documents\n")
                }
            } catch let error as ExportError {
                throw CLIError.fail("\(error)", code: CLIError.dataError)
            }
        }
        try sink.close()
        let seconds = Date().timeIntervalSince(start)
        StandardError.write("exported \(count) documents in \(String(format: "%.1f", seconds)) s\n")
    }
}

/// Buffered line output to a file or standard output.
private final class TSVSink {
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    init(path: String?) throws {
        if let path {
            guard FileManager.default.createFile(atPath: path, contents: nil),
                  let handle = FileHandle(forWritingAtPath: path)
            else { throw CLIError.fail("cannot write \(path)", code: CLIError.noInput) }
            self.handle = handle
        } else {
            handle = .standardOutput
        }
        buffer.reserveCapacity(1 << 20)
    }

    func write(_ line: String) throws {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 20 { try flush() }
    }

    func flush() throws {
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        try flush()
        if handle !== FileHandle.standardOutput { try handle.close() }
    }
}
