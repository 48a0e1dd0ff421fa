import ArgumentParser
import Encoders
import Quiver

/// `quiver embed`: print the vector an encoder gives a text.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed", abstract: "Print a text's vector as a JSON array.",
        discussion: "Uses the store's encoder with --db, otherwise the default hashing encoder.")

    @Argument(help: "The text.")
    var text: String

    @Option(help: "query or document.")
    var role: String = "document"

    @Option(help: "Use this store's encoder.")
    var db: String?

    @Option(help: "Without --db: hashing or minilm.")
    var encoder = "hashing"

    @Option(help: "Without --db: the hashing encoder's dimension.")
    var dimension = 256

    func validate() throws {
        guard EncodingRole(rawValue: role) != nil else { throw ValidationError("--role must be query or document") }
    }

    func run() throws {
        let selected: any TextEncoder = try CLIError.run {
            if let db {
                return try Store.open(at: db, options: StoreOptions(creation: .openExisting, readOnly: true)).encoder
            }
            return try EncoderChoice.make(encoder, dimension: dimension)
        }
        let vector = try selected.encode(text, role: EncodingRole(rawValue: role) ?? .document)
        // Shortest round-trip decimal form: the same text gives the same digits in every process.
        print("[" + vector.map { "\($0)" }.joined(separator: ",") + "]")
    }
}
