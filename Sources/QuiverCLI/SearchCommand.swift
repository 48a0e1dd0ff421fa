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

    @Option(help: ArgumentHelp(
        "Only documents matching this filter, e.g. 'city = \"上海\" AND year >= 2020' (see docs/filters.md).",
        valueName: "filter"))
    var filter: String?

    @Flag(help: "With --filter: print the plan, the candidate count, and the distance computations.")
    var explain = false

    @Flag(help: "Rank with PQ codes (ADC), then re-rank the best --rerank with full vectors; needs a trained quantizer (quiver reindex --pq).")
    var pq = false

    @Option(help: "With --pq: how many candidates to re-rank exactly (default max(4k, 40)).")
    var rerank: Int?

    @Flag(help: "Print JSON: {\"results\": [{id, score, distance, text, metadata}]} (and \"plan\" with --explain).")
    var json = false

    @Flag(help: "Print only each result's id and score (JSON: no text or metadata); the documents are not loaded.")
    var idsOnly = false

    func validate() throws {
        guard k >= 1 else { throw ValidationError("-k must be at least 1") }
        if let ef, ef < 1 { throw ValidationError("--ef must be at least 1") }
        if explain && filter == nil { throw ValidationError("--explain describes a filtered search: add --filter") }
        if let rerank, rerank < 1 { throw ValidationError("--rerank must be at least 1") }
        if pq && filter != nil {
            throw ValidationError("--pq does not combine with --filter: the filter planner uses PQ codes by itself once the store has a quantizer (see --explain)")
        }
    }

    func run() throws {
        let opened = try store.openExisting(readOnly: true)
        var plan: SearchPlan?
        let results = try CLIError.run {
            let contents: SearchResult.Contents = idsOnly ? .idsOnly : .all
            guard let filter else {
                return pq ? try opened.search(text: text, k: k, ef: ef, exact: exact, distance: .pq, rerank: rerank, returning: contents)
                    : try opened.search(text: text, k: k, ef: ef, exact: exact, returning: contents)
            }
            let searched = try opened.searchWithPlan(
                text: text, k: k, filter: try Filter(parsing: filter), ef: ef, exact: exact, returning: contents)
            plan = searched.plan
            return searched.results
        }
        if json {
            let output = results.map { ResultOutput($0, withDocument: !idsOnly) }
            print(try JSONOutput.string(SearchOutput(results: output, plan: explain ? plan.map(PlanOutput.init) : nil)))
            return
        }
        if explain, let plan { print(plan.description + "\n") }
        if results.isEmpty {
            print(filter == nil ? "no results (the store is empty)" : "no results (no document matches the filter)")
        } else {
            for (rank, result) in results.enumerated() {
                print(String(format: "%2d. %@  score %.4f", rank + 1, result.id, result.score))
                if idsOnly { continue }
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
    var plan: PlanOutput?
}

/// A filtered search's plan in JSON.
struct PlanOutput: Encodable {
    var filter: String
    var strategy: String
    var reason: String
    var liveDocuments: Int
    var candidates: Int
    var scanLimit: Int
    var ef: Int
    var postingKeysVisited: Int
    var distanceComputations: Int
    /// "full" or "pq" (ADC on PQ codes).
    var distance: String
    /// Candidates re-ranked with full vectors after ADC or the 8-bit walk (0: none).
    var rerank: Int
    /// Whether the graph walk measured the 8-bit copies of the vectors.
    var walkedSQ8: Bool
    var fellBackToScan: Bool
    var filterMicroseconds: Double
    var searchMicroseconds: Double

    init(_ plan: SearchPlan) {
        filter = plan.filter
        strategy = "\(plan.strategy)"
        reason = plan.reason
        liveDocuments = plan.liveDocuments
        candidates = plan.candidates
        scanLimit = plan.scanLimit
        ef = plan.ef
        postingKeysVisited = plan.postingKeysVisited
        distanceComputations = plan.distanceComputations
        distance = plan.distance.rawValue
        rerank = plan.rerank
        walkedSQ8 = plan.walkedSQ8
        fellBackToScan = plan.fellBackToScan
        filterMicroseconds = plan.filterMicroseconds
        searchMicroseconds = plan.searchMicroseconds
    }
}

/// One result in JSON (`text` and `metadata` left out with `--ids-only`).
struct ResultOutput: Encodable {
    var id: String
    var score: Float
    var distance: Float
    var text: String?
    var metadata: [String: Value]?

    init(_ result: SearchResult, withDocument: Bool = true) {
        id = result.id
        score = result.score
        distance = result.distance
        text = withDocument ? result.text : nil
        metadata = withDocument ? result.metadata : nil
    }
}
