import ArgumentParser
import Quiver

/// The `--db` option every store command takes.
struct StoreOptionGroup: ParsableArguments {
    @Option(name: .long, help: "The store's directory.")
    var db: String

    /// Opens the existing store at `--db`, exiting with a clear message when it cannot be opened.
    func openExisting(readOnly: Bool = false) throws -> Store {
        try CLIError.run {
            try Store.open(at: db, options: StoreOptions(creation: .openExisting, readOnly: readOnly))
        }
    }
}
