import Foundation
import XCTest
@testable import Quiver

/// Property-based fuzzing of the TSV reader: thousands of generated files, valid and mangled.
/// No input may crash it; every line comes back as a record or a typed ``TSVRowError``; lines
/// generated valid come back as exactly the documents they encode.
final class TSVFuzzTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        directory.remove()
    }

    /// Fragments that make TSV lines interesting.
    private static let pieces: [[UInt8]] = [
        Array("a".utf8), Array("Tea".utf8), Array(" ".utf8), [0x09], [0x0D], [0x00], [0x5C], Array("\\t".utf8),
        Array("\\n".utf8), Array("\\,".utf8), Array("\\q".utf8), Array(",".utf8), Array("上海".utf8), Array("😀".utf8),
        Array("12".utf8), Array("-3".utf8), Array("1e9".utf8), Array("nan".utf8), Array("true".utf8), Array("yes".utf8),
        [0xC3], [0xFF], [0xE4, 0xB8], [0xEF, 0xBB, 0xBF], Array("é".utf8),
    ]

    private func randomBytes(_ rng: inout SeededGenerator) -> [UInt8] {
        var line: [UInt8] = []
        for _ in 0..<Int.random(in: 0...12, using: &rng) {
            line += Self.pieces[Int.random(in: 0..<Self.pieces.count, using: &rng)]
        }
        return line
    }

    /// A valid line for the header `id text year:int price:double ok:bool tags:strings city`, and its document.
    private func validLine(_ rng: inout SeededGenerator, index: Int, escapes: Bool) -> ([UInt8], Document) {
        let texts = ["tea", "green tea", "上海 小笼包", "a\\b", "tab\there", "line\nbreak", "😀 emoji", ""]
        var text = texts[Int.random(in: 0..<texts.count, using: &rng)]
        if !escapes { text = text.replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "\n", with: " ") }
        var metadata: [String: Value] = [:]
        var cells = ["id\(index)", escapes ? TSVEscaping.escape(text) : text]
        let year = Int64.random(in: -5_000...5_000, using: &rng)
        if Bool.random(using: &rng) { metadata["year"] = .int(year); cells.append(" \(year) ") } else { cells.append("") }
        let price = Double(Int.random(in: 0...10_000, using: &rng)) / 8
        if Bool.random(using: &rng) { metadata["price"] = .double(price); cells.append("\(price)") } else { cells.append("") }
        let ok = Bool.random(using: &rng)
        if Bool.random(using: &rng) { metadata["ok"] = .bool(ok); cells.append(ok ? "YES" : "0") } else { cells.append("") }
        if Bool.random(using: &rng) {
            metadata["tags"] = .strings(["red", "绿"])
            cells.append(escapes ? "red, 绿 ," : " red,绿")
        } else {
            cells.append("")
        }
        let city = ["上海", "Paris", " spaced "][Int.random(in: 0..<3, using: &rng)]
        if Bool.random(using: &rng) { metadata["city"] = .string(city); cells.append(city) } else { cells.append("") }
        return (Array(cells.joined(separator: "\t").utf8), Document(id: "id\(index)", text: text, metadata: metadata))
    }

    func testTheReaderSurvivesThousandsOfGeneratedFiles() throws {
        var rng = SeededGenerator(seed: 0xF022)
        let header = Array("id\ttext\tyear:int\tprice:double\tok:bool\ttags:strings\tcity".utf8)
        var lines = 0, records = 0, rowErrors = 0, fileErrors = 0, validChecked = 0
        for fileIndex in 0..<1_500 {
            let escapes = fileIndex % 2 == 0
            let randomHeader = fileIndex % 10 == 0  // some files have a random header
            var bytes = randomHeader ? randomBytes(&rng) : header
            var expected: [Int: Document] = [:]
            let count = Int.random(in: 1...10, using: &rng)
            for line in 0..<count {
                bytes.append(0x0A)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0:
                    bytes += randomBytes(&rng)
                case 1:
                    var (valid, _) = validLine(&rng, index: line, escapes: escapes)
                    // Mangle: flip, drop or insert a byte.
                    if !valid.isEmpty {
                        let at = Int.random(in: 0..<valid.count, using: &rng)
                        switch Int.random(in: 0..<3, using: &rng) {
                        case 0:
                            valid[at] ^= UInt8.random(in: 1...255, using: &rng)
                            if valid[at] == 0x0A { valid[at] = 0x0B }  // keep the line one line
                        case 1: valid.remove(at: at)
                        default: valid.insert(Self.pieces[Int.random(in: 0..<Self.pieces.count, using: &rng)][0], at: at)
                        }
                    }
                    bytes += valid
                default:
                    let (valid, document) = validLine(&rng, index: line, escapes: escapes)
                    bytes += valid
                    if !randomHeader { expected[line + 2] = document }
                }
            }
            if Bool.random(using: &rng) { bytes.append(0x0A) }
            lines += count
            let path = directory.child("f\(fileIndex).tsv")
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let reader: TSVReader
            do {
                reader = try TSVReader(path: path, schema: TSVSchema(escapes: escapes))
            } catch {
                fileErrors += 1  // a typed TSVError (the header is unusable)
                continue
            }
            do {
                while let row = try reader.next() {
                    switch row {
                    case .success(let record):
                        records += 1
                        if let document = expected[record.line] {
                            XCTAssertEqual(record.document, document, "file \(fileIndex) line \(record.line)")
                            validChecked += 1
                        }
                    case .failure(let error):
                        rowErrors += 1
                        XCTAssertNil(expected[error.line], "file \(fileIndex): valid line \(error.line) rejected: \(error)")
                        XCTAssertFalse(error.description.isEmpty)
                    }
                }
            } catch {
                fileErrors += 1
            }
        }
        print("TSV fuzz: 1,500 files, \(lines) generated lines: \(records) records (\(validChecked) checked against their documents), \(rowErrors) typed row errors, \(fileErrors) typed file errors")
        XCTAssertGreaterThan(validChecked, 2_000)
        XCTAssertGreaterThan(rowErrors, 2_000)
    }
}
