// QuiverBench: release-build benchmarks of the Quiver store, emitting JSON lines in the schema of
// the peers' scripts (../shared/bench/peers). Run it through tools/bench-store, which builds it in
// release mode and runs it alternately with faiss; see docs/benchmarks.md.
import Foundation

let usage = """
    usage: QuiverBench <command> [options]

    commands:
    \(ExactBench.usage)

    \(ImportBench.usage)

    \(HNSWBench.usage)

    \(IncrementalBench.usage)

    \(RetrievalBench.usage)

    \(EncoderBench.usage)

    \(FilterBench.usage)

    \(PQBench.usage)

    JSON lines go to stdout (and are appended to --out FILE when given); progress goes to stderr.
    """

let argv = CommandLine.arguments
guard argv.count >= 2, !["-h", "--help", "help"].contains(argv[1]) else {
    print(usage)
    exit(argv.count >= 2 ? 0 : 2)
}

do {
    let flags: Set<String> = ["no-diag", "keep", "headline-only", "exact", "hnsw", "encode-pass", "no-compressed", "pq", "interleave", "traversals-at-efs", "full-traversal"]
    let arguments = try Arguments(argv.dropFirst(2), flags: flags)
    switch argv[1] {
    case "exact":
        try ExactBench.run(arguments)
    case "import-tsv":
        try ImportBench.run(arguments)
    case "hnsw":
        try HNSWBench.run(arguments)
    case "upsert-incremental":
        try IncrementalBench.run(arguments)
    case "retrieval":
        try RetrievalBench.run(arguments)
    case "pq":
        try PQBench.run(arguments)
    case "encoder-speed":
        try EncoderBench.run(arguments)
    case "filtered":
        try FilterBench.run(arguments)
    default:
        throw BenchError("unknown command '\(argv[1])'\n\n\(usage)")
    }
} catch {
    log("QuiverBench: \(error)")
    exit(1)
}
