import Foundation
import XCTest

/// `quiver search --filter … --explain` through the binary.
final class FilterCLITests: CLITestCase {
    private static let rows = [
        "id\ttitle\ttext\tyear\tcity\ttags",
        "mapo\tMapo tofu\t麻婆豆腐是四川的传统名菜。\t2019\t成都\tspicy, tofu",
        "xlb\tXiaolongbao\t小笼包是上海的点心。\t2021\t上海\tsteamed",
        "shj\tShengjian\t生煎包是上海的早餐。\t2015\t上海\tfried",
        "pasta\tPasta\tSpaghetti with eggs and cheese.\t2020\tRoma\titalian",
    ]

    private func importSample() throws -> String {
        let db = path("store")
        let file = try writeFile("food.tsv", Self.rows.joined(separator: "\n") + "\n")
        let result = try quiver(["import", file, "--db", db, "--text-column", "title,text", "--field", "year:int", "--field", "tags:strings"])
        XCTAssertTrue(result.exited(0), result.summary)
        return db
    }

    func testFilteredSearchWithExplain() throws {
        let db = try importSample()
        let search = try quiver("search", "上海的点心", "--db", db, "--filter", #"city = "上海" AND year >= 2020"#, "--explain")
        XCTAssertTrue(search.exited(0), search.summary)
        XCTAssertTrue(search.stdout.contains(#"filter:      city = "上海" AND year >= 2020"#), search.stdout)
        XCTAssertTrue(search.stdout.contains("candidates:  1 of 4 live documents (25%)"), search.stdout)
        XCTAssertTrue(search.stdout.contains("plan:        exact scan of the candidates"), search.stdout)
        XCTAssertTrue(search.stdout.contains("distances:   1 computed"), search.stdout)
        XCTAssertTrue(search.stdout.contains(" 1. xlb  score"), search.stdout)
        XCTAssertFalse(search.stdout.contains("shj"), search.stdout)

        let json = try quiver("search", "tofu", "--db", db, "--filter", #"tags CONTAINS "spicy" OR city = "Roma""#, "--explain", "--json")
        XCTAssertTrue(json.exited(0), json.summary)
        let parsed = try JSON.parse(json.stdout)
        XCTAssertEqual(parsed.keys, ["results", "plan"])
        XCTAssertEqual(Set(try XCTUnwrap(parsed["results"]?.array).compactMap { $0["id"]?.string }), ["mapo", "pasta"])
        XCTAssertEqual(parsed["plan"]?["candidates"], .int(2))
        XCTAssertEqual(parsed["plan"]?["strategy"], .string("scan"))
        XCTAssertEqual(parsed["plan"]?["distance"], .string("full"))
        XCTAssertEqual(parsed["plan"]?["rerank"], .int(0))

        let none = try quiver("search", "tofu", "--db", db, "--filter", "year < 2000")
        XCTAssertTrue(none.exited(0), none.summary)
        XCTAssertTrue(none.stdout.contains("no document matches the filter"), none.stdout)
    }

    /// `--ids-only`: the same results, without the documents (text lines, JSON text/metadata).
    func testIdsOnlyPrintsTheSameResultsWithoutDocuments() throws {
        let db = try importSample()
        for filter in [[], ["--filter", "year >= 2015"]] {
            let full = try JSON.parse(try quiver(["search", "包子", "--db", db, "-k", "3", "--json"] + filter).stdout)
            let bare = try quiver(["search", "包子", "--db", db, "-k", "3", "--json", "--ids-only"] + filter)
            XCTAssertTrue(bare.exited(0), bare.summary)
            let results = try XCTUnwrap(try JSON.parse(bare.stdout)["results"]?.array)
            XCTAssertEqual(results.map { $0["id"] }, try XCTUnwrap(full["results"]?.array).map { $0["id"] })
            XCTAssertEqual(results.count, 3)
            for result in results {
                XCTAssertEqual(Set(result.keys), ["id", "score", "distance"], bare.stdout)
            }
            let text = try quiver(["search", "包子", "--db", db, "-k", "3", "--ids-only"] + filter)
            XCTAssertTrue(text.exited(0), text.summary)
            XCTAssertEqual(text.stdout.split(separator: "\n").count, 3, text.stdout)
            XCTAssertFalse(text.stdout.contains("上海"), text.stdout)
        }
    }

    func testBadFiltersExitWithUsageErrorAndPosition() throws {
        let db = try importSample()
        let syntax = try quiver("search", "x", "--db", db, "--filter", #"city = "上海" AND"#)
        XCTAssertTrue(syntax.exited(64), syntax.summary)
        XCTAssertTrue(syntax.stderr.contains("at character 15: expected a field name"), syntax.stderr)
        let unknown = try quiver("search", "x", "--db", db, "--filter", "price > 3")
        XCTAssertTrue(unknown.exited(64), unknown.summary)
        XCTAssertTrue(unknown.stderr.contains("unknown field price"), unknown.stderr)
        XCTAssertTrue(unknown.stderr.contains("city, tags, year"), unknown.stderr)
        let type = try quiver("search", "x", "--db", db, "--filter", #"year = "2020""#)
        XCTAssertTrue(type.exited(64), type.summary)
        let explainAlone = try quiver("search", "x", "--db", db, "--explain")
        XCTAssertTrue(explainAlone.exited(64), explainAlone.summary)
    }
}
