import Encoders
import Foundation
import XCTest

/// `quiver embed` reading texts from stdin and writing JSON Lines.
final class EmbedJSONLTests: CLITestCase {
    /// The JSON Lines objects printed, one per output line.
    private func objects(_ result: QuiverResult, file: StaticString = #filePath, line: UInt = #line) throws -> [JSON] {
        XCTAssertTrue(result.stdout.isEmpty || result.stdout.hasSuffix("\n"), result.summary, file: file, line: line)
        return try result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map {
            try JSON.parse(String($0))
        }
    }

    /// The embedding in `object`, each number re-read from its printed digits (as `Float`, not via `Double`).
    private func embedding(_ object: JSON) throws -> [Float] {
        try XCTUnwrap(object["embedding"]?.array).map { value in
            try XCTUnwrap(Float(value.description), "not a Float: \(value)")
        }
    }

    func testLinesFromStdinMatchTheLibraryInOrder() throws {
        // More texts than one batch, including an empty line.
        let texts = (0..<70).map { "text number \($0) about tea" } + ["", "麻婆豆腐是四川的传统名菜。"]
        let encoder = try HashingEncoder(dimension: 32)
        for arguments in [["embed", "--dimension", "32"], ["embed", "-", "--dimension", "32", "--role", "query"]] {
            let result = try quiver(arguments, stdin: texts.joined(separator: "\n") + "\n")
            XCTAssertTrue(result.exited(0), result.summary)
            let printed = try objects(result)
            XCTAssertEqual(printed.count, texts.count)
            for (object, text) in zip(printed, texts) {
                XCTAssertEqual(object.keys, ["embedding"], "no token ids from the hashing encoder")
                let expected = try encoder.encode(text, role: .document)
                XCTAssertEqual(try embedding(object).map(\.bitPattern), expected.map(\.bitPattern), text)
            }
        }
        // Each object prints its floats exactly as `quiver embed TEXT` does.
        let single = try quiver(["embed", texts[0], "--dimension", "32"], stdin: "")
        let streamed = try quiver(["embed", "--dimension", "32"], stdin: texts[0] + "\n")
        XCTAssertEqual(streamed.stdout, "{\"embedding\":" + single.stdout.dropLast() + "}\n")
    }

    func testJSONLinesTextsMayHoldTabsAndNewlines() throws {
        let texts = ["a tab\there", "two\nlines", "plain"]
        let input = try texts.map { String(decoding: try JSONEncoder().encode(["text": $0, "id": "x"]), as: UTF8.self) }
            .joined(separator: "\n") + "\n\n"
        let result = try quiver(["embed", "--jsonl", "--dimension", "48"], stdin: input)
        XCTAssertTrue(result.exited(0), result.summary)
        let printed = try objects(result)
        XCTAssertEqual(printed.count, 3, "the blank line is skipped")
        let encoder = try HashingEncoder(dimension: 48)
        for (object, text) in zip(printed, texts) {
            XCTAssertEqual(try embedding(object).map(\.bitPattern), try encoder.encode(text, role: .document).map(\.bitPattern))
        }
        XCTAssertNotEqual(try embedding(printed[0]), try encoder.encode("a tab", role: .document))
    }

    func testMalformedJSONLineIsADataErrorNamingTheLine() throws {
        let input = "{\"text\": \"fine\"}\n{\"text\": \"also fine\"}\n{\"text\": 12}\n{\"text\": \"never read\"}\n"
        let result = try quiver(["embed", "--jsonl"], stdin: input)
        XCTAssertTrue(result.exited(65), result.summary)
        XCTAssertTrue(result.stderr.contains("line 3"), result.stderr)
        XCTAssertEqual(try objects(result).count, 2, "texts before the bad line are printed")

        let broken = try quiver(["embed", "--jsonl"], stdin: "{\"text\": \"ok\"}\nnot json\n")
        XCTAssertTrue(broken.exited(65), broken.summary)
        XCTAssertTrue(broken.stderr.contains("line 2"), broken.stderr)

        let misuse = try quiver(["embed", "some text", "--jsonl"], stdin: "")
        XCTAssertFalse(misuse.exited(0), misuse.summary)
    }

    func testMiniLMPrintsTokenIDs() throws {
        let model = ModelLocation.miniLM
        guard FileManager.default.fileExists(atPath: model.path) else {
            return XCTFail("the MiniLM model is not in \(model.path): run tools/fetch-model")
        }
        let text = "The quick brown fox jumps over the lazy dog."
        let result = try quiver(["embed", "--jsonl", "--encoder", "minilm"], stdin: "{\"text\": \"\(text)\"}\n")
        XCTAssertTrue(result.exited(0), result.summary)
        let printed = try objects(result)
        XCTAssertEqual(printed.count, 1)
        let ids = try XCTUnwrap(printed.first?["token_ids"]?.array).compactMap(\.number).map { Int($0) }
        XCTAssertEqual(ids, [101, 1996, 4248, 2829, 4419, 14523, 2058, 1996, 13971, 3899, 1012, 102])
        XCTAssertEqual(try embedding(try XCTUnwrap(printed.first)).count, 384)
    }
}
