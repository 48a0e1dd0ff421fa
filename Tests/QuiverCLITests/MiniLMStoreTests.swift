import Foundation
import Quiver
import XCTest

/// A store built with the MiniLM encoder through the CLI: semantic search, reopening by the
/// recorded encoder, and refusing another encoder. Needs the model (`tools/fetch-model`).
final class MiniLMStoreTests: CLITestCase {
    private static let rows = [
        "id\ttext",
        "cat\tThe cat is sleeping on the warm windowsill.",
        "bank\tThe central bank raised interest rates to fight inflation.",
        "rain\tHeavy rain is expected across the region tomorrow.",
        "code\tThe compiler reported a type error on line twelve.",
    ]

    func testImportWithMiniLMThenSearchByMeaning() throws {
        let db = path("minilm")
        let file = try writeFile("docs.tsv", Self.rows.joined(separator: "\n") + "\n")
        let imported = try quiver("import", file, "--db", db, "--encoder", "minilm")
        XCTAssertTrue(imported.exited(0), imported.summary)

        // No shared words with the answer: only a semantic encoder finds it.
        let search = try quiver("search", "a kitten napping", "--db", db, "-k", "1", "--json")
        XCTAssertTrue(search.exited(0), search.summary)
        XCTAssertEqual(try JSON.parse(search.stdout)["results"]?.array?.first?["id"], .string("cat"))
        let money = try quiver("search", "monetary policy and loans", "--db", db, "-k", "1", "--json")
        XCTAssertEqual(try JSON.parse(money.stdout)["results"]?.array?.first?["id"], .string("bank"))

        // Re-importing without --encoder uses the store's own encoder: nothing changes.
        let again = try quiver("import", file, "--db", db)
        XCTAssertTrue(again.exited(0), again.summary)
        XCTAssertTrue(again.stdout.contains("(0 new, 0 replaced, 4 unchanged)"), again.stdout)

        let stats = try quiver("stats", "--db", db, "--json")
        XCTAssertEqual(try JSON.parse(stats.stdout)["encoder"]?["kind"], .string("minilm"))
        XCTAssertEqual(try JSON.parse(stats.stdout)["dimension"], .int(384))

        // Asking for another encoder on this store is refused.
        let wrong = try quiver("import", file, "--db", db, "--encoder", "hashing")
        XCTAssertFalse(wrong.exited(0), wrong.summary)
        XCTAssertTrue(wrong.stderr.contains("encoder"), wrong.stderr)
    }
}
