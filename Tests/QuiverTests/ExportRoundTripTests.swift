import Encoders
import Foundation
import XCTest
@testable import Quiver

/// `exportTSV` then an import with escapes gives back the same documents and metadata types.
final class ExportRoundTripTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        directory.remove()
    }

    /// Characters that stress TSV: separators, escapes, CJK, emoji, combining marks.
    private static let alphabet: [String] = [
        "a", "Z", "7", " ", "\t", "\n", "\r", "\\", ",", ":", "\"", "上", "海", "茶", "é", "e\u{301}", "😀", "👩‍👩‍👧", "\u{3000}", "ß",
    ]

    private func randomText(_ rng: inout SeededGenerator, maxLength: Int) -> String {
        let length = Int.random(in: 0...maxLength, using: &rng)
        return (0..<length).map { _ in Self.alphabet[Int.random(in: 0..<Self.alphabet.count, using: &rng)] }.joined()
    }

    /// A random non-empty value that TSV can carry (no empty strings or tags, no spaces around tags).
    private func randomValue(_ type: ValueType, _ rng: inout SeededGenerator) -> Value? {
        switch type {
        case .string:
            let text = randomText(&rng, maxLength: 12)
            return text.isEmpty ? nil : .string(text)
        case .int: return .int(Int64.random(in: Int64.min...Int64.max, using: &rng))
        case .double:
            let choices: [Double] = [0, -0.5, 1e-300, 6.02e23, .pi, -.ulpOfOne, Double.greatestFiniteMagnitude]
            return .double(Bool.random(using: &rng) ? choices[Int.random(in: 0..<choices.count, using: &rng)]
                : Double.random(in: -1e6...1e6, using: &rng))
        case .bool: return .bool(Bool.random(using: &rng))
        case .strings:
            let tags = (0..<Int.random(in: 1...4, using: &rng)).compactMap { _ -> String? in
                let tag = randomText(&rng, maxLength: 6).trimmingCharacters(in: .whitespacesAndNewlines)
                return tag.isEmpty ? nil : tag
            }
            return tags.isEmpty ? nil : .strings(tags)
        }
    }

    func testExportThenImportGivesBackTheSameDocuments() throws {
        var rng = SeededGenerator(seed: 808)
        let fields: [(String, ValueType)] = [
            ("city", .string), ("year", .int), ("price", .double), ("in_stock", .bool), ("tags", .strings), ("名前", .string),
        ]
        var documents: [Document] = []
        for i in 0..<400 {
            var metadata: [String: Value] = [:]
            for (name, type) in fields where Bool.random(using: &rng) {
                metadata[name] = randomValue(type, &rng)
            }
            var id = "doc-\(i)-" + randomText(&rng, maxLength: 4)
            id = id.trimmingCharacters(in: .whitespaces).isEmpty ? "doc-\(i)" : id
            documents.append(Document(id: id, text: randomText(&rng, maxLength: 40), metadata: metadata))
        }
        // Ids must be unique for the comparison; random suffixes make collisions unlikely but possible.
        var seen = Set<String>()
        documents = documents.filter { seen.insert($0.id).inserted }

        let source = try Store.open(at: directory.child("source"), options: StoreOptions(skipSync: true))
        try source.upsert(documents)
        var lines: [String] = []
        let written = try source.exportTSV(to: { lines.append($0) })
        XCTAssertEqual(written, documents.count)
        XCTAssertEqual(lines.count, documents.count + 1)
        XCTAssertEqual(lines[0], "id\ttext\tcity:string\tin_stock:bool\tprice:double\ttags:strings\tyear:int\t名前:string")
        for line in lines { XCTAssertFalse(line.contains("\n") || line.contains("\r"), "a line break inside a line") }

        let file = directory.child("export.tsv")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: file))
        let copy = try Store.open(at: directory.child("copy"), options: StoreOptions(skipSync: true))
        let report = try copy.importTSV(at: file, schema: TSVSchema(escapes: true))
        XCTAssertEqual(report.rowsCommitted, documents.count)
        for document in documents {
            XCTAssertEqual(try copy.document(id: document.id), document)
        }
        // And the copy exports to the same bytes.
        var again: [String] = []
        try copy.exportTSV(to: { again.append($0) })
        XCTAssertEqual(again, lines)
    }

    func testAFieldKeepsOneTypeSoItsColumnHasOne() throws {
        let store = try Store.open(at: directory.child("mixed"), options: StoreOptions(skipSync: true))
        try store.upsert([Document(id: "a", text: "x", metadata: ["year": 2020])])
        // The store refuses a second type for a field, so an export column always has one type.
        XCTAssertThrowsError(try store.upsert([Document(id: "b", text: "y", metadata: ["year": "2021"])]))
        var lines: [String] = []
        try store.exportTSV(to: { lines.append($0) })
        XCTAssertEqual(lines, ["id\ttext\tyear:int", "a\tx\t2020"])
    }

    func testEscapingRoundTripsEveryString() {
        var rng = SeededGenerator(seed: 99)
        for _ in 0..<5_000 {
            let text = randomText(&rng, maxLength: 30)
            let escaped = TSVEscaping.escape(text)
            XCTAssertFalse(escaped.contains("\t") || escaped.contains("\n") || escaped.contains("\r"))
            XCTAssertEqual(TSVEscaping.unescape(Substring(escaped)), text)
            let tags = (0..<3).map { _ in randomText(&rng, maxLength: 5).trimmingCharacters(in: .whitespacesAndNewlines) }
                .filter { !$0.isEmpty }
            let cell = tags.map { TSVEscaping.escape($0, tag: true) }.joined(separator: ",")
            XCTAssertEqual(TSVEscaping.tags(Substring(cell)), tags, cell)
        }
        XCTAssertNil(TSVEscaping.unescape("bad \\x escape"))
        XCTAssertNil(TSVEscaping.unescape("trailing \\"))
        XCTAssertNil(TSVEscaping.tags("a,b\\q"))
    }
}
