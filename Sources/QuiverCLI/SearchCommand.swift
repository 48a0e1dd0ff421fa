import ArgumentParser
import Foundation
import Quiver

/// `quiver search`: the k nearest documents to a text.
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search", abstract: "Find the documents nearest to a text.")

    @Argument(help: "The query text.")
    var text: String

    @OptionGroup var store: StoreOptionGroup

    @Option(name: .short, help: "How many results.")
    var k = 10

    @Option(help: "The HNSW beam width (default: the store's; larger is slower and more exact).")
    var ef: Int?

    @Flag(help: "Scan every document instead of searching the graph (the exact reference).")
    var exact = false

    @Flag(help: "Print JSON: {\"results\": [{id, score, distance, text, metadata}]}.")
    var json = false

    func validate() throws {
        guard k >= 1 else { throw ValidationError("-k must be at least 1") }
        if let ef, ef < 1 { throw ValidationError("--ef must be at least 1") }
    }

    func run() throws {
        let opened = try store.openExisting(readOnly: true)
        let results = try CLIError.run { try opened.search(text: text, k: k, ef: ef, exact: exact) }
        if json {
            print(try JSONOutput.string(SearchOutput(results: results.map(ResultOutput.init))))
        } else if results.isEmpty {
            print("no results (the store is empty)")
        } else {
            for (rank, result) in results.enumerated() {
                print(String(format: "%2d. %@  score %.4f", rank + 1, result.id, result.score))
                print("    " + TextPreview.oneLine(result.text, limit: 160))
                if !result.metadata.isEmpty {
                    print("    " + TextPreview.metadata(result.metadata))
                }
            }
        }
    }
}

/// The JSON form of search results; its field names are a stable interface.
struct SearchOutput: Encodable {
    var results: [ResultOutput]
}

/// One result in JSON.
struct ResultOutput: Encodable {
    var id: String
    var score: Float
    var distance: Float
    var text: String
    var metadata: [String: Value]

    init(_ result: SearchResult) {
        id = result.id
        score = result.score
        distance = result.distance
        text = result.text
        metadata = result.metadata
    }
}
