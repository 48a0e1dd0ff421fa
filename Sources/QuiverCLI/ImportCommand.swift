import ArgumentParser
import Encoders
import Foundation
import Quiver

/// `quiver import`: bulk-load a TSV file into a store, one transaction per batch.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import documents from a TSV file (created if the store is missing).",
        discussion: """
            The first row names the columns unless --columns is given. One column is the id, \
            the text columns form the document text (joined with a newline), every other column \
            becomes a metadata field (string unless typed with --field NAME:TYPE, TYPE one of \
            string, int, double, bool, strings). Each batch is one transaction: an interrupted \
            import leaves whole batches only, and re-importing is idempotent.
            """
    )

    @Argument(help: "The TSV file (UTF-8, tab-separated, LF line endings).")
    var file: String

    @OptionGroup var store: StoreOptionGroup

    @Option(help: "Comma-separated column names, for a file without a header row.")
    var columns: String?

    @Option(help: "The id column.")
    var idColumn = "id"

    @Option(help: "The text column(s), comma-separated (e.g. title,text).")
    var textColumn = "text"

    @Option(name: .customLong("field"), help: "A metadata column's type, NAME:TYPE (repeatable).")
    var fields: [String] = []

    @Option(help: "Rows per transaction.")
    var batchSize = 1_000

    @Flag(help: "Set malformed rows aside (with reasons, in --rejects) and keep going.")
    var skipBadRows = false

    @Flag(help: "Cells hold backslash escapes (\\t \\n \\r \\\\, \\, inside tags), as `quiver export` writes them.")
    var escapes = false

    @Option(help: "Where --skip-bad-rows writes rejected rows (default: FILE.rejected.tsv).")
    var rejects: String?

    @Option(help: "For a new store: hashing (the default; no download), minilm (all-MiniLM-L6-v2, English) or e5 (multilingual-e5-small: Chinese and ~100 languages); run tools/fetch-model for the last two. An existing store keeps its own.")
    var encoder: String?

    @Option(help: "For a new store with the hashing encoder: its dimension (default 256).")
    var dimension: Int?

    @Option(help: "For a new store: cosine (the default), dot or l2. An existing store keeps its own.")
    var metric: String?

    @Option(name: .customLong("m"), help: "For a new store: HNSW neighbours per node (level 0 keeps twice as many).")
    var m = 16

    @Option(help: "For a new store: the HNSW beam width while inserting.")
    var efConstruction = 200

    @Option(help: "For a new store: the default HNSW beam width of a search.")
    var efSearch = 64

    func validate() throws {
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        if let metric, Metric(rawValue: metric) == nil { throw ValidationError("--metric must be cosine, dot or l2") }
        if let encoder, !EncoderChoice.names.contains(encoder) {
            throw ValidationError("--encoder must be hashing, minilm or e5")
        }
        guard (2...256).contains(m) else { throw ValidationError("--m must be 2…256") }
        guard efConstruction >= 1, efSearch >= 1 else { throw ValidationError("--ef-construction and --ef-search must be at least 1") }
        for field in fields { _ = try parseField(field) }
    }

    private func parseField(_ spec: String) throws -> (String, ValueType) {
        let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, let type = ValueType(rawValue: parts[1]) else {
            throw ValidationError(
                "--field \(spec): expected NAME:TYPE with TYPE one of \(ValueType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return (parts[0], type)
    }

    func run() throws {
        guard FileManager.default.isReadableFile(atPath: file) else {
            throw CLIError.fail("cannot read \(file)", code: CLIError.noInput)
        }
        var fieldTypes: [String: ValueType] = [:]
        for field in fields {
            let (name, type) = try parseField(field)
            fieldTypes[name] = type
        }
        let schema = TSVSchema(
            columns: columns.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } },
            idColumn: idColumn,
            textColumns: textColumn.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
            fieldTypes: fieldTypes,
            escapes: escapes)
        // Check the file's header and the schema before a new store is created for it.
        var headerProblem: TSVError?
        do {
            _ = try TSVReader(path: file, schema: schema)
        } catch {
            headerProblem = error
        }
        if let headerProblem {
            let _: Void = try CLIError.run { throw ImportError.file(headerProblem) }
        }
        let chosen = try CLIError.run { try encoder.map { try EncoderChoice.make($0, dimension: dimension ?? 256) } }
        let target = try CLIError.run {
            try Store.open(
                at: store.db,
                options: StoreOptions(
                    encoder: chosen, dimension: encoder == nil ? dimension : nil, metric: metric.flatMap(Metric.init(rawValue:)),
                    graph: GraphParameters(m: m, efConstruction: efConstruction, efSearch: efSearch)))
        }
        let rejectsPath = rejects ?? file + ".rejected.tsv"
        var rejectsHandle: FileHandle?
        defer { try? rejectsHandle?.close() }
        let reporter = ProgressReporter(label: "import")
        let report = try CLIError.run {
            try target.importTSV(
                at: file, schema: schema,
                options: ImportOptions(batchSize: batchSize, skipsBadRows: skipBadRows),
                rejected: { row in
                    if rejectsHandle == nil {
                        _ = FileManager.default.createFile(atPath: rejectsPath, contents: Data((TSVRejectedRow.header + "\n").utf8))
                        rejectsHandle = FileHandle(forWritingAtPath: rejectsPath)
                        _ = try rejectsHandle?.seekToEnd()
                    }
                    rejectsHandle?.write(Data((row.description + "\n").utf8))
                },
                progress: { reporter.update($0) })
        }
        reporter.finish()
        var summary = "imported \(report.rowsCommitted) rows in \(report.batchesCommitted) batches "
            + "(\(report.inserted) new, \(report.replaced) replaced, \(report.unchanged) unchanged) "
            + "in \(reporter.elapsedDescription)"
        if report.rowsRejected > 0 {
            summary += "; \(report.rowsRejected) bad rows set aside in \(rejectsPath)"
        }
        print(summary)
    }
}
