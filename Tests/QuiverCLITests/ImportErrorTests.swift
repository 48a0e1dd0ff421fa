import Foundation
import Quiver
import XCTest

/// Malformed TSV input: the line number and reason on stderr, exit status 65, whole batches only;
/// with --skip-bad-rows, a rejects file instead.
final class ImportErrorTests: CLITestCase {
    private static let header = "id\ttext\tyear"

    /// `count` good rows named `prefix1`, `prefix2`, ….
    private func goodRows(_ prefix: String, _ count: Int) -> [[UInt8]] {
        (1...max(count, 1)).prefix(count).map { Array("\(prefix)\($0)\tgood row \(prefix) \($0)\t\(2000 + $0)".utf8) }
    }

    private func lines(_ lines: [[UInt8]]) -> [UInt8] {
        lines.flatMap { $0 + [0x0A] }
    }

    /// Whether a line of `text` starts with `prefix` (stderr may begin with a progress line).
    private func hasLine(_ text: String, startingWith prefix: String) -> Bool {
        text.split(separator: "\n").contains { $0.hasPrefix(prefix) }
    }

    private func storeCount(_ db: String) throws -> Int {
        try Store.open(at: db, options: StoreOptions(creation: .openExisting, readOnly: true)).count()
    }

    private struct Case {
        var name: String
        var badLine: [UInt8]
        var goodBefore: Int
        var reason: String
    }

    func testEachKindOfBadRowStopsTheImportWithItsLineNumber() throws {
        let cases = [
            Case(name: "columns", badLine: Array("bad\tonly two".utf8), goodBefore: 5,
                 reason: "expected 3 columns, got 2"),
            Case(name: "number", badLine: Array("bad\ttext\t20x1".utf8), goodBefore: 4,
                 reason: "column 'year' expects an int (64-bit integer), got '20x1'"),
            Case(name: "utf8", badLine: Array("bad\tbroken ".utf8) + [0xFF, 0xFE] + Array(" text\t2001".utf8), goodBefore: 3,
                 reason: "column 'text' is not valid UTF-8"),
            Case(name: "emptyid", badLine: Array("\tno id here\t2001".utf8), goodBefore: 2,
                 reason: "empty id (column 'id')"),
            Case(name: "crlf", badLine: Array("bad\twindows line\t2001\r".utf8), goodBefore: 7,
                 reason: "line ends with CR LF (Windows line ending)"),
            Case(name: "blank", badLine: [], goodBefore: 1,
                 reason: "blank line"),
        ]
        for c in cases {
            let file = try writeFile("\(c.name).tsv", lines(
                [Array(Self.header.utf8)] + goodRows("a", c.goodBefore) + [c.badLine] + goodRows("b", 3)))
            let db = path("store-\(c.name)")
            let result = try quiver("import", file, "--db", db, "--batch-size", "2", "--field", "year:int")
            let line = 1 + c.goodBefore + 1
            let committed = c.goodBefore / 2 * 2
            XCTAssertTrue(result.exited(65), "\(c.name): \(result.summary)")
            XCTAssertTrue(hasLine(result.stderr, startingWith: "quiver: line \(line): \(c.reason)"),
                          "\(c.name): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(
                "\(committed) rows in \(committed / 2) batches were committed"), "\(c.name): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("--skip-bad-rows"), "suggests the way out: \(result.stderr)")
            XCTAssertEqual(result.stdout, "", c.name)
            XCTAssertEqual(try storeCount(db), committed, c.name)
        }
    }

    func testByteOrderMarkIsReportedOnLineOne() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        // In a header row: the import does not start.
        let withHeader = try writeFile("bom-header.tsv", lines([bom + Array(Self.header.utf8)] + goodRows("a", 3)))
        let db1 = path("store-bom-header")
        let first = try quiver("import", withHeader, "--db", db1, "--batch-size", "2", "--field", "year:int")
        XCTAssertTrue(first.exited(65), first.summary)
        XCTAssertTrue(first.stderr.contains("line 1: file starts with a UTF-8 byte order mark"), first.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: db1), "no store is created for an unreadable header")

        // In the first data row of a file without a header.
        let noHeader = try writeFile("bom-data.tsv", lines([bom + Array("x\tfirst\t1999".utf8)] + goodRows("a", 3)))
        let db2 = path("store-bom-data")
        let second = try quiver("import", noHeader, "--db", db2, "--batch-size", "2", "--columns", "id,text,year",
                                "--field", "year:int")
        XCTAssertTrue(second.exited(65), second.summary)
        XCTAssertTrue(hasLine(second.stderr, startingWith: "quiver: line 1: file starts with a UTF-8 byte order mark"),
                      second.stderr)
        XCTAssertTrue(second.stderr.contains("0 rows in 0 batches were committed"), second.stderr)
        XCTAssertEqual(try storeCount(db2), 0)

        // A CR LF header is refused the same way.
        let crlfHeader = try writeFile("crlf-header.tsv", lines([Array((Self.header + "\r").utf8)] + goodRows("a", 3)))
        let third = try quiver("import", crlfHeader, "--db", path("store-crlf-header"), "--field", "year:int")
        XCTAssertTrue(third.exited(65), third.summary)
        XCTAssertTrue(third.stderr.contains("line 1: line ends with CR LF"), third.stderr)
    }

    func testSkipBadRowsImportsTheGoodRowsAndListsTheRejects() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let input: [[UInt8]] = [
            bom + Array("bom\tmarked\t1990".utf8),                  // 1 BOM
            Array("g1\tgood one\t2001".utf8),                       // 2
            Array("x\tonly two".utf8),                              // 3 column count
            Array("g2\tgood two\t2002".utf8),                       // 4
            Array("bn\tbad number\t20x1".utf8),                     // 5 typed value
            Array("bu\tbad ".utf8) + [0xC3, 0x28] + Array("\t2005".utf8),  // 6 invalid UTF-8
            Array("\tno id\t2006".utf8),                            // 7 empty id
            Array("crlf\twindows\t2007\r".utf8),                    // 8 CR LF
            [],                                                     // 9 blank
            Array("g3\tgood three\t2003".utf8),                     // 10
            Array("g4\tgood four, no year\t".utf8),                 // 11
        ]
        let file = try writeFile("mixed.tsv", lines(input))
        let db = path("store")
        let rejects = path("rejects.tsv")
        let result = try quiver("import", file, "--db", db, "--columns", "id,text,year", "--field", "year:int",
                                "--batch-size", "2", "--skip-bad-rows", "--rejects", rejects)
        XCTAssertTrue(result.exited(0), result.summary)
        XCTAssertTrue(result.stdout.hasPrefix("imported 4 rows in 2 batches (4 new, 0 replaced, 0 unchanged) in "),
                      result.stdout)
        XCTAssertTrue(result.stdout.hasSuffix("; 7 bad rows set aside in \(rejects)\n"), result.stdout)

        let store = try Store.open(at: db, options: StoreOptions(creation: .openExisting, readOnly: true))
        XCTAssertEqual(try store.count(), 4)
        XCTAssertEqual(try store.document(id: "g1"), Document(id: "g1", text: "good one", metadata: ["year": 2001]))
        XCTAssertEqual(try store.document(id: "g4"), Document(id: "g4", text: "good four, no year"))
        for id in ["bom", "x", "bn", "bu", "crlf"] { XCTAssertNil(try store.document(id: id), id) }

        let text = try String(contentsOfFile: rejects, encoding: .utf8)
        // Split on LF bytes: as Characters, a CR LF pair is one grapheme and would not split.
        var entries = Array(text.utf8).split(separator: 0x0A, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        XCTAssertEqual(entries.last, "", "ends with a newline")
        entries.removeLast()
        XCTAssertEqual(entries.first, TSVRejectedRow.header)
        let rows = entries.dropFirst().map { $0.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(rows.map { $0.first ?? "" }, ["1", "3", "5", "6", "7", "8", "9"], text)
        let expected: [(reason: String, raw: String?)] = [
            ("file starts with a UTF-8 byte order mark", "\u{FEFF}bom\tmarked\t1990"),
            ("expected 3 columns, got 2", "x\tonly two"),
            ("column 'year' expects an int (64-bit integer), got '20x1'", "bn\tbad number\t20x1"),
            ("column 'text' is not valid UTF-8", nil),
            ("empty id (column 'id')", "\tno id\t2006"),
            ("line ends with CR LF", "crlf\twindows\t2007\r"),
            ("blank line", ""),
        ]
        XCTAssertEqual(rows.count, expected.count)
        for (row, want) in zip(rows, expected) {
            XCTAssertEqual(row.count, 3, "\(row)")
            guard row.count == 3 else { continue }
            XCTAssertTrue(row[1].hasPrefix(want.reason), "line \(row[0]): \(row[1])")
            if let raw = want.raw { XCTAssertEqual(row[2], raw, "line \(row[0])") }
        }
        XCTAssertTrue(rows[3][1].contains("U+FFFD"), "says the raw line is not exact: \(rows[3])")
        XCTAssertTrue(rows[3][2].hasPrefix("bu\tbad \u{FFFD}"), rows[3][2])

        // Without --rejects the rejects go next to the input.
        let second = try quiver("import", file, "--db", path("store2"), "--columns", "id,text,year",
                                "--field", "year:int", "--skip-bad-rows")
        XCTAssertTrue(second.exited(0), second.summary)
        XCTAssertTrue(second.stdout.contains("7 bad rows set aside in \(file).rejected.tsv"), second.stdout)
        XCTAssertEqual(try String(contentsOfFile: file + ".rejected.tsv", encoding: .utf8), text)
    }
}
