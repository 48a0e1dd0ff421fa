import Foundation
import Quiver
import XCTest

/// import → search → get → delete → stats through the `quiver` binary.
final class RoundTripTests: CLITestCase {
    private static let header = "id\ttitle\ttext\tyear\trating\tvegan\ttags\tcuisine"
    private static let rows = [
        "mapo\tMapo tofu\t麻婆豆腐是四川的传统名菜，豆腐麻辣鲜香。\t2019\t4.5\ttrue\tspicy, tofu\tsichuan",
        "宫保鸡丁\tKung Pao chicken\t宫保鸡丁用鸡肉、花生和干辣椒炒制。\t2018\t4.25\tno\tspicy,chicken,peanut,\tsichuan",
        "pasta\tPasta carbonara\tSpaghetti with eggs, cheese, guanciale and black pepper.\t2020\t4\tfalse\titalian\titaly",
        "salad\tGreen salad\tFresh lettuce, cucumber and olive oil.\t\t3.5\tyes\t\t",
        "tea\tGreen tea\tHow to brew green tea: water at 80 degrees for two minutes.\t2021\t5\t1\tdrink, hot\tchina",
    ]
    private static let typeOptions = [
        "--text-column", "title,text",
        "--field", "year:int", "--field", "rating:double", "--field", "vegan:bool", "--field", "tags:strings",
    ]

    private func importSample(db: String) throws -> String {
        let file = try writeFile("recipes.tsv", ([Self.header] + Self.rows).joined(separator: "\n") + "\n")
        let result = try quiver(["import", file, "--db", db, "--batch-size", "2"] + Self.typeOptions)
        XCTAssertTrue(result.exited(0), result.summary)
        XCTAssertTrue(result.stdout.hasPrefix("imported 5 rows in 3 batches (5 new, 0 replaced, 0 unchanged) in "),
                      result.stdout)
        return file
    }

    func testImportSearchGetDeleteStatsRoundTrip() throws {
        let db = path("store")
        try importSample(db: db)
        XCTAssertEqual(contents(of: db), ["data.mdb", "lock.mdb", "quiver.lock"])

        // search --json with a Chinese query.
        let search = try quiver("search", "四川麻辣豆腐", "--db", db, "--json", "-k", "3")
        XCTAssertTrue(search.exited(0), search.summary)
        let json = try JSON.parse(search.stdout)
        XCTAssertEqual(json.keys, ["results"])
        let results = try XCTUnwrap(json["results"]?.array)
        XCTAssertEqual(results.count, 3)
        for result in results {
            XCTAssertEqual(result.keys, ["id", "score", "distance", "text", "metadata"], "\(result)")
            let score = try XCTUnwrap(result["score"]?.number, "\(result)")
            let distance = try XCTUnwrap(result["distance"]?.number, "\(result)")
            XCTAssertEqual(distance, 1 - score, accuracy: 1e-5, "cosine: distance = 1 − score")
            XCTAssertNotNil(result["text"]?.string)
        }
        let scores = results.compactMap { $0["score"]?.number }
        XCTAssertEqual(scores, scores.sorted(by: >), "nearest first")
        let top = results[0]
        XCTAssertEqual(top["id"], .string("mapo"), search.stdout)
        XCTAssertEqual(top["text"], .string("Mapo tofu\n麻婆豆腐是四川的传统名菜，豆腐麻辣鲜香。"))
        XCTAssertEqual(top["metadata"], .object([
            "year": .int(2019), "rating": .double(4.5), "vegan": .bool(true),
            "tags": .array([.string("spicy"), .string("tofu")]), "cuisine": .string("sichuan"),
        ]))
        // The literal JSON: typed values are JSON numbers, booleans and arrays, not strings.
        XCTAssertTrue(search.stdout.contains(
            #""metadata":{"cuisine":"sichuan","rating":4.5,"tags":["spicy","tofu"],"vegan":true,"year":2019}"#),
            search.stdout)
        XCTAssertTrue(search.stdout.contains("麻婆豆腐"), "Unicode is not escaped")

        // An English query; -k larger than the store returns everything.
        let english = try quiver("search", "how do I brew green tea", "--db", db, "--json", "-k", "10")
        XCTAssertTrue(english.exited(0), english.summary)
        let all = try XCTUnwrap(JSON.parse(english.stdout)["results"]?.array)
        XCTAssertEqual(all.count, 5)
        XCTAssertEqual(all.first?["id"], .string("tea"))
        XCTAssertEqual(all.first?["metadata"], .object([
            "year": .int(2021), "rating": .int(5), "vegan": .bool(true),
            "tags": .array([.string("drink"), .string("hot")]), "cuisine": .string("china"),
        ]))
        let salad = try XCTUnwrap(all.first { $0["id"] == .string("salad") })
        XCTAssertEqual(salad["metadata"], .object(["rating": .double(3.5), "vegan": .bool(true)]),
                       "empty cells leave fields absent")

        // Plain-text search output.
        let plain = try quiver("search", "Kung Pao chicken peanuts", "--db", db, "-k", "1")
        XCTAssertTrue(plain.exited(0), plain.summary)
        XCTAssertTrue(plain.stdout.hasPrefix(" 1. 宫保鸡丁  score "), plain.stdout)

        // get --json by a Chinese id.
        let get = try quiver("get", "宫保鸡丁", "--db", db, "--json")
        XCTAssertTrue(get.exited(0), get.summary)
        XCTAssertEqual(try JSON.parse(get.stdout), .object([
            "id": .string("宫保鸡丁"),
            "text": .string("Kung Pao chicken\n宫保鸡丁用鸡肉、花生和干辣椒炒制。"),
            "metadata": .object([
                "year": .int(2018), "rating": .double(4.25), "vegan": .bool(false),
                "tags": .array([.string("spicy"), .string("chicken"), .string("peanut")]), "cuisine": .string("sichuan"),
            ]),
        ]))
        let getPlain = try quiver("get", "pasta", "--db", db)
        XCTAssertTrue(getPlain.exited(0), getPlain.summary)
        XCTAssertEqual(getPlain.stdout, """
            id: pasta
            metadata: cuisine=italy  rating=4.0  tags=[italian]  vegan=false  year=2020
            Pasta carbonara
            Spaghetti with eggs, cheese, guanciale and black pepper.

            """)

        // delete: one existing id and one missing id.
        let delete = try quiver("delete", "mapo", "nonexistent", "--db", db)
        XCTAssertTrue(delete.exited(0), delete.summary)
        XCTAssertEqual(delete.stdout, "deleted 1 of 2 ids\n")
        let gone = try quiver("get", "mapo", "--db", db)
        XCTAssertTrue(gone.exited(1), gone.summary)
        XCTAssertTrue(gone.stderr.contains("no document with id \"mapo\""), gone.stderr)
        XCTAssertEqual(gone.stdout, "")
        let after = try quiver("search", "四川麻辣豆腐", "--db", db, "--json", "-k", "10")
        let remaining = try XCTUnwrap(JSON.parse(after.stdout)["results"]?.array).compactMap { $0["id"]?.string }
        XCTAssertEqual(Set(remaining), ["宫保鸡丁", "pasta", "salad", "tea"])

        // stats, JSON and text.
        let stats = try quiver("stats", "--db", db, "--json")
        XCTAssertTrue(stats.exited(0), stats.summary)
        let statsJSON = try JSON.parse(stats.stdout)
        XCTAssertEqual(statsJSON["documents"], .int(4))
        XCTAssertEqual(statsJSON["deleted"], .int(1))
        XCTAssertEqual(statsJSON["dimension"], .int(256))
        XCTAssertEqual(statsJSON["metric"], .string("cosine"))
        XCTAssertEqual(statsJSON["encoder"]?["kind"], .string("hashing"))
        XCTAssertGreaterThan(statsJSON["bytesOnDisk"]?.number ?? 0, 0)
        let statsText = try quiver("stats", "--db", db)
        XCTAssertTrue(statsText.exited(0), statsText.summary)
        XCTAssertTrue(statsText.stdout.contains("documents:  4 (1 deleted, 20.0% of ids"), statsText.stdout)
        XCTAssertTrue(statsText.stdout.contains("graph:      HNSW M=16"), statsText.stdout)
        XCTAssertTrue(statsText.stdout.contains("dimension:  256"), statsText.stdout)

        // The library sees the same store.
        let store = try Store.open(at: db, options: StoreOptions(creation: .openExisting, readOnly: true))
        XCTAssertEqual(try store.count(), 4)
        XCTAssertEqual(try store.document(id: "tea")?.metadata["year"], .int(2021))
        XCTAssertNil(try store.document(id: "mapo"))
    }

    func testReimportingTheSameFileIsIdempotent() throws {
        let db = path("store")
        let file = try importSample(db: db)
        let statsBefore = try quiver("stats", "--db", db, "--json")

        let again = try quiver(["import", file, "--db", db, "--batch-size", "2"] + Self.typeOptions)
        XCTAssertTrue(again.exited(0), again.summary)
        XCTAssertTrue(again.stdout.hasPrefix("imported 5 rows in 3 batches (0 new, 0 replaced, 5 unchanged) in "),
                      again.stdout)
        let statsAfter = try quiver("stats", "--db", db, "--json")
        XCTAssertEqual(try JSON.parse(statsAfter.stdout)["documents"], .int(5))
        XCTAssertEqual(try JSON.parse(statsAfter.stdout)["deleted"], .int(0), "unchanged rows are not rewritten")
        XCTAssertEqual(try JSON.parse(statsBefore.stdout)["databaseBytes"], try JSON.parse(statsAfter.stdout)["databaseBytes"])

        // One changed row: replaced, the rest unchanged, the count the same.
        var rows = Self.rows
        rows[2] = "pasta\tPasta carbonara\tThe Roman way: no cream.\t2020\t4\tfalse\titalian\titaly"
        let changed = try writeFile("changed.tsv", ([Self.header] + rows).joined(separator: "\n") + "\n")
        let third = try quiver(["import", changed, "--db", db, "--batch-size", "2"] + Self.typeOptions)
        XCTAssertTrue(third.exited(0), third.summary)
        XCTAssertTrue(third.stdout.hasPrefix("imported 5 rows in 3 batches (0 new, 1 replaced, 4 unchanged) in "),
                      third.stdout)
        let get = try quiver("get", "pasta", "--db", db, "--json")
        XCTAssertEqual(try JSON.parse(get.stdout)["text"], .string("Pasta carbonara\nThe Roman way: no cream."))
        let stats = try JSON.parse(try quiver("stats", "--db", db, "--json").stdout)
        XCTAssertEqual(stats["documents"], .int(5))
        XCTAssertEqual(stats["deleted"], .int(1))
    }
}
