import ArgumentParser

/// The `quiver` command: administer and query Quiver stores.
@main
struct QuiverCLI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quiver",
        abstract: "Administer and query Quiver vector stores.",
        discussion: """
            A store is a directory. Exit status: 0 success, 1 other failure, 64 bad usage, \
            65 malformed input data (or a path that is not a Quiver store), 66 store or input \
            file not found, 74 storage error, 75 store busy (compaction running, or open for writing elsewhere), 77 no permission to open the store's files.
            """,
        version: "0.1.0",
        subcommands: [
            ImportCommand.self, SearchCommand.self, GetCommand.self, DeleteCommand.self,
            StatsCommand.self, VerifyCommand.self, CompactCommand.self, ReindexCommand.self, ExportCommand.self,
            EmbedCommand.self,
        ]
    )
}
