import ArgumentParser
import Encoders
import Quiver

/// `quiver embed`: print the vector an encoder gives a text, or the vectors of many texts read from stdin.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed", abstract: "Print a text's vector as a JSON array, or embed stdin as JSON Lines.",
        discussion: """
            Uses the store's encoder with --db, otherwise the default hashing encoder.

            With TEXT, prints its vector as a JSON array. Without TEXT (or with -), reads texts from \
            stdin, one per line (with --jsonl: JSON Lines objects with a "text" field; blank lines are \
            skipped), and prints one JSON Lines object per text, in order: \
            {"embedding": [...], "token_ids": [...]} (token_ids only for BERT encoders: minilm, e5). \
            --role matters for asymmetric encoders: e5 encodes "query: " + TEXT or "passage: " + TEXT.
            """)

    @Argument(help: "The text; omit it or pass - to read texts from stdin.")
    var text: String?

    @Flag(help: "Read stdin as JSON Lines objects with a \"text\" field (texts may hold tabs and newlines).")
    var jsonl = false

    @Option(help: "query, or passage (also: document), the side a store encodes documents with.")
    var role: String = "passage"

    @Option(help: "Use this store's encoder.")
    var db: String?

    @Option(help: "Without --db: hashing, minilm or e5.")
    var encoder = "hashing"

    @Option(help: "Without --db: the hashing encoder's dimension.")
    var dimension = 256

    @Option(help: "Texts encoded together when reading stdin.")
    var batchSize = 64

    func validate() throws {
        guard EmbedCommand.encodingRole(role) != nil else { throw ValidationError("--role must be query or passage") }
        guard EncoderChoice.names.contains(encoder) else { throw ValidationError("--encoder must be hashing, minilm or e5") }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        if jsonl, let text, text != "-" {
            throw ValidationError("--jsonl reads texts from stdin: omit TEXT or pass -")
        }
    }

    func run() throws {
        let selected: any TextEncoder = try CLIError.run {
            if let db {
                return try Store.open(at: db, options: StoreOptions(creation: .openExisting, readOnly: true)).encoder
            }
            return try EncoderChoice.make(encoder, dimension: dimension)
        }
        let role = EmbedCommand.encodingRole(role) ?? .document
        guard let text, text != "-" else {
            let embedder = StreamEmbedder(encoder: selected, role: role, batchSize: batchSize)
            try CLIError.run { try embedder.run(format: jsonl ? .jsonLines : .lines) }
            return
        }
        let vector = try selected.encode(text, role: role)
        // Shortest round-trip decimal form: the same text gives the same digits in every process.
        print("[" + vector.map { "\($0)" }.joined(separator: ",") + "]")
    }

    /// The role a `--role` value names: `query`, or `passage`/`document`.
    static func encodingRole(_ name: String) -> EncodingRole? {
        name == "passage" ? .document : EncodingRole(rawValue: name)
    }
}
