import ArgumentParser
import Quiver

/// `quiver get`: print one document.
struct GetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Print a document by id.")

    @Argument(help: "The document id.")
    var id: String

    @OptionGroup var store: StoreOptionGroup

    @Flag(help: "Print JSON: {id, text, metadata}.")
    var json = false

    func run() throws {
        let opened = try store.openExisting(readOnly: true)
        guard let document = try CLIError.run({ try opened.document(id: id) }) else {
            throw CLIError.fail("no document with id \(id.debugDescription)", code: 1)
        }
        if json {
            print(try JSONOutput.string(DocumentOutput(id: document.id, text: document.text, metadata: document.metadata)))
        } else {
            print("id: \(document.id)")
            if !document.metadata.isEmpty { print("metadata: \(TextPreview.metadata(document.metadata))") }
            print(document.text)
        }
    }
}

/// A document in JSON.
struct DocumentOutput: Encodable {
    var id: String
    var text: String
    var metadata: [String: Value]
}
