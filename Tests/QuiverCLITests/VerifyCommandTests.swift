import Foundation
import LMDB
import Quiver
import XCTest

/// `quiver verify`: exit 0 on a sound store, 1 with each problem listed on a damaged one.
final class VerifyCommandTests: CLITestCase {
    func testVerifyPassesASoundStoreAndFailsADamagedOne() throws {
        let db = path("db")
        let rows = (0..<120).map { "k\($0)\ttext number \($0) about tea and cups" }.joined(separator: "\n")
        let tsv = try writeFile("docs.tsv", "id\ttext\n" + rows + "\n")
        XCTAssertTrue(try quiver("import", tsv, "--db", db).exited(0))
        XCTAssertTrue(try quiver("delete", "k3", "k4", "--db", db).exited(0))

        let sound = try quiver("verify", "--db", db)
        XCTAssertTrue(sound.exited(0), sound.summary)
        XCTAssertTrue(sound.stdout.contains("documents 118"), sound.stdout)
        XCTAssertTrue(sound.stdout.contains("ok: "), sound.stdout)
        let json = try JSON.parse(try quiver("verify", "--db", db, "--json").stdout)
        XCTAssertEqual(json["problems"], .array([]))
        XCTAssertEqual(json["checked"]?["tombstones"], .int(2))

        // Remove one key mapping behind the store's back.
        let env = try Environment(path: db)
        let keys = try env.openDatabase("keys", create: false)
        try env.write { txn in try txn.delete(keys, key: "k7") }

        let damaged = try quiver("verify", "--db", db)
        XCTAssertTrue(damaged.exited(1), damaged.summary)
        XCTAssertTrue(damaged.stdout.contains("problem: vectors: slot"), damaged.stdout)
        XCTAssertTrue(damaged.stdout.contains("no key maps to it"), damaged.stdout)
        XCTAssertTrue(damaged.stdout.contains("FAILED: "), damaged.stdout)
        let damagedJSON = try JSON.parse(try quiver("verify", "--db", db, "--json").stdout)
        guard case .array(let problems)? = damagedJSON["problems"] else { return XCTFail("no problems array") }
        XCTAssertFalse(problems.isEmpty)
    }
}
