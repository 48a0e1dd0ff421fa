import Encoders
import Foundation

/// Embeds texts read from stdin in batches, writing one JSON Lines object per text to stdout.
struct StreamEmbedder {
    /// How stdin holds the texts.
    enum InputFormat {
        /// One text per line.
        case lines
        /// JSON Lines: one object with a string `"text"` field per line; blank lines are skipped.
        case jsonLines
    }

    /// A JSON Lines input line that is not an object with a string `"text"` field.
    struct MalformedLine: Error, CustomStringConvertible {
        /// The 1-based line number on stdin.
        var line: Int
        /// What is wrong with it.
        var reason: String
        var description: String { "stdin line \(line): \(reason)" }
    }

    private struct Input: Decodable {
        var text: String
    }

    var encoder: any TextEncoder
    var role: EncodingRole
    var batchSize: Int

    /// Reads stdin to the end. Texts before a malformed line are embedded and printed first,
    /// then ``MalformedLine`` is thrown as a data error (exit status 65).
    func run(format: InputFormat) throws {
        var batch: [String] = []
        batch.reserveCapacity(batchSize)
        var lineNumber = 0
        while let line = readLine(strippingNewline: true) {
            lineNumber += 1
            switch format {
            case .lines:
                batch.append(line)
            case .jsonLines:
                if line.allSatisfy(\.isWhitespace) { continue }
                do {
                    batch.append(try JSONDecoder().decode(Input.self, from: Data(line.utf8)).text)
                } catch {
                    try flush(batch)
                    throw CLIError.fail(
                        "\(MalformedLine(line: lineNumber, reason: "not a JSON object with a string \"text\" field"))",
                        code: CLIError.dataError)
                }
            }
            if batch.count >= batchSize {
                try flush(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        try flush(batch)
    }

    /// The token ids a BERT encoder feeds its network for `text` (with the role's prefix for e5), or `nil`.
    private func tokenIDs(_ text: String) -> [Int32]? {
        if let miniLM = encoder as? MiniLMEncoder { return miniLM.tokenIDs(text) }
        if let e5 = encoder as? E5Encoder { return e5.tokenIDs(text, role: role) }
        return nil
    }

    /// Encodes `texts` and prints their JSON Lines objects.
    private func flush(_ texts: [String]) throws {
        guard !texts.isEmpty else { return }
        let vectors = try encoder.encode(texts, role: role)
        var output = ""
        for (text, vector) in zip(texts, vectors) {
            // Shortest round-trip decimal form, as `quiver embed TEXT` prints.
            output += "{\"embedding\":[" + vector.map { "\($0)" }.joined(separator: ",") + "]"
            if let ids = tokenIDs(text) {
                output += ",\"token_ids\":[" + ids.map { "\($0)" }.joined(separator: ",") + "]"
            }
            output += "}\n"
        }
        FileHandle.standardOutput.write(Data(output.utf8))
    }
}
