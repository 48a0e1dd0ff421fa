import ArgumentParser
import Quiver

/// `quiver delete`: remove documents by id, in one transaction.
struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete documents by id (all in one transaction).")

    @Argument(help: "The ids to delete.")
    var ids: [String]

    @OptionGroup var store: StoreOptionGroup

    func run() throws {
        let opened = try store.openExisting()
        let removed = try CLIError.run { try opened.delete(ids: ids) }
        print("deleted \(removed) of \(Set(ids).count) ids")
    }
}
