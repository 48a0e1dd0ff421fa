import Foundation
import Quiver
import XCTest

/// A store built with the multilingual-e5-small encoder through the CLI: Chinese semantic
/// search after reopening, the recorded encoder, and `quiver embed --role`. Needs the model
/// (`tools/fetch-model e5`).
final class E5StoreTests: CLITestCase {
    private static let rows = [
        "id\ttext",
        "panda\t大熊猫主要生活在四川的竹林里，每天要吃很多竹子。",
        "rate\t中国人民银行宣布下调存款准备金率，以支持实体经济。",
        "rain\t气象台预报明天华南地区将有大到暴雨。",
        "code\t编译器在第十二行报告了一个类型错误。",
        "cat\tThe cat is sleeping on the warm windowsill.",
    ]

    func testChineseStoreReopensAndFindsByMeaning() throws {
        let db = path("e5")
        let file = try writeFile("docs.tsv", Self.rows.joined(separator: "\n") + "\n")
        let imported = try quiver("import", file, "--db", db, "--encoder", "e5")
        XCTAssertTrue(imported.exited(0), imported.summary)

        // Each command reopens the store and rebuilds e5 from its descriptor.
        // Few shared characters with the answers: "国宝" / "吃什么", "央行" / "降准", "下雨".
        for (query, expected) in [("国宝熊猫吃什么？", "panda"), ("央行降准了吗", "rate"), ("明天会下雨吗", "rain"), ("程序编译出错", "code")] {
            let search = try quiver("search", query, "--db", db, "-k", "1", "--json")
            XCTAssertTrue(search.exited(0), search.summary)
            XCTAssertEqual(try JSON.parse(search.stdout)["results"]?.array?.first?["id"], .string(expected), query)
        }

        let stats = try quiver("stats", "--db", db, "--json")
        XCTAssertEqual(try JSON.parse(stats.stdout)["encoder"]?["kind"], .string("e5"))
        XCTAssertEqual(try JSON.parse(stats.stdout)["dimension"], .int(384))

        // Re-importing without --encoder keeps the store's encoder; another encoder is refused.
        let again = try quiver("import", file, "--db", db)
        XCTAssertTrue(again.stdout.contains("(0 new, 0 replaced, 5 unchanged)"), again.summary)
        let wrong = try quiver("import", file, "--db", db, "--encoder", "minilm")
        XCTAssertFalse(wrong.exited(0), wrong.summary)
    }

    func testEmbedRolesUseTheE5Prefixes() throws {
        let query = try quiver(["embed", "--encoder", "e5", "--role", "query", "-"], stdin: "你好\n")
        XCTAssertTrue(query.exited(0), query.summary)
        let passage = try quiver(["embed", "--encoder", "e5", "--role", "passage", "-"], stdin: "你好\n")
        XCTAssertTrue(passage.exited(0), passage.summary)
        let queryIDs = try JSON.parse(query.stdout)["token_ids"]?.array ?? []
        let passageIDs = try JSON.parse(passage.stdout)["token_ids"]?.array ?? []
        // <s> ▁que ry : … </s> against <s> ▁passage : … </s>
        XCTAssertEqual(Array(queryIDs.prefix(4)), [.int(0), .int(41), .int(1294), .int(12)])
        XCTAssertEqual(Array(passageIDs.prefix(3)), [.int(0), .int(46692), .int(12)])
        XCTAssertNotEqual(try JSON.parse(query.stdout)["embedding"], try JSON.parse(passage.stdout)["embedding"])

        let bad = try quiver("embed", "x", "--role", "answer")
        XCTAssertFalse(bad.exited(0), bad.summary)
    }
}
