import Foundation
import XCTest

@testable import Quiver

final class TSVReaderTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("quiver-tsv-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: directory)
    }

    // MARK: - Helpers

    /// Writes `bytes` to a new file and returns its path.
    private func file(_ bytes: [UInt8]) throws -> String {
        let url = directory.appendingPathComponent("\(UUID().uuidString).tsv")
        try Data(bytes).write(to: url)
        return url.path
    }

    /// Writes `text` (UTF-8) to a new file and returns its path.
    private func file(_ text: String) throws -> String {
        try file(Array(text.utf8))
    }

    private func readAll(_ reader: TSVReader) throws -> [Result<TSVRecord, TSVRowError>] {
        var rows: [Result<TSVRecord, TSVRowError>] = []
        while let row = try reader.next() { rows.append(row) }
        return rows
    }

    private func records(_ reader: TSVReader) throws -> [TSVRecord] {
        try readAll(reader).map { try $0.get() }
    }

    /// The row errors in `text`, read with explicit columns `id, text`.
    private func rowErrors(_ bytes: [UInt8], columns: [String] = ["id", "text"],
                           fieldTypes: [String: ValueType] = [:],
                           maximumLineLength: Int = TSVReader.defaultMaximumLineLength) throws -> [TSVRowError] {
        let reader = try TSVReader(path: file(bytes),
                                   schema: TSVSchema(columns: columns, fieldTypes: fieldTypes),
                                   maximumLineLength: maximumLineLength)
        return try readAll(reader).compactMap { row in
            if case let .failure(error) = row { return error }
            return nil
        }
    }

    private func rowErrors(_ text: String, columns: [String] = ["id", "text"],
                           fieldTypes: [String: ValueType] = [:],
                           maximumLineLength: Int = TSVReader.defaultMaximumLineLength) throws -> [TSVRowError] {
        try rowErrors(Array(text.utf8), columns: columns, fieldTypes: fieldTypes,
                      maximumLineLength: maximumLineLength)
    }

    private func assertThrowsTSVError(_ expected: TSVError, _ body: () throws -> Void,
                                      file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual(error as? TSVError, expected, file: file, line: line)
        }
    }

    // MARK: - Schema and columns

    func testHeaderRowNamesColumns() throws {
        let path = try file("id\ttext\tcity\nd1\thello\tParis\nd2\tworld\t\n")
        let reader = try TSVReader(path: path)
        XCTAssertEqual(reader.columns, ["id", "text", "city"])
        let rows = try records(reader)
        XCTAssertEqual(rows.map(\.line), [2, 3])
        XCTAssertEqual(rows[0].document, Document(id: "d1", text: "hello", metadata: ["city": "Paris"]))
        XCTAssertEqual(rows[1].document, Document(id: "d2", text: "world"))
        XCTAssertEqual(rows[0].rawLine, "d1\thello\tParis")
    }

    func testHeaderNamesAreTrimmed() throws {
        let reader = try TSVReader(path: file(" id \ttext\n1\tx\n"))
        XCTAssertEqual(reader.columns, ["id", "text"])
        XCTAssertEqual(try records(reader).map(\.document.id), ["1"])
    }

    func testExplicitColumnsWithoutHeader() throws {
        let path = try file("4983\tA title\tSome text.\n5836\tOther\tMore text.\n")
        let reader = try TSVReader(path: path, schema: TSVSchema(columns: ["id", "title", "text"],
                                                                 textColumns: ["text"]))
        let rows = try records(reader)
        XCTAssertEqual(rows.map(\.line), [1, 2])
        XCTAssertEqual(rows[0].document, Document(id: "4983", text: "Some text.", metadata: ["title": "A title"]))
    }

    func testTitleAndTextAreJoinedSkippingEmptyCells() throws {
        let path = try file("1\tTitle\tBody\n2\t\tOnly body\n3\tOnly title\t\n4\t\t\n")
        let schema = TSVSchema(columns: ["id", "title", "text"], textColumns: ["title", "text"])
        let texts = try records(TSVReader(path: path, schema: schema)).map(\.document.text)
        XCTAssertEqual(texts, ["Title\nBody", "Only body", "Only title", ""])

        var custom = schema
        custom.textSeparator = ". "
        let joined = try records(TSVReader(path: path, schema: custom)).map(\.document.text)
        XCTAssertEqual(joined.first, "Title. Body")
    }

    func testTextColumnsFollowSchemaOrder() throws {
        let path = try file("1\tbody\ttitle\n")
        let schema = TSVSchema(columns: ["id", "text", "title"], textColumns: ["title", "text"])
        XCTAssertEqual(try records(TSVReader(path: path, schema: schema)).first?.document.text, "title\nbody")
    }

    func testUnknownColumnNamesAreRejectedBeforeReadingRows() throws {
        let path = try file("id\ttext\tyear\n1\tx\t2020\n")
        let available = ["id", "text", "year"]
        assertThrowsTSVError(.unknownColumn(name: "key", option: "idColumn", available: available)) {
            _ = try TSVReader(path: path, schema: TSVSchema(idColumn: "key"))
        }
        assertThrowsTSVError(.unknownColumn(name: "title", option: "textColumns", available: available)) {
            _ = try TSVReader(path: path, schema: TSVSchema(textColumns: ["title", "text"]))
        }
        assertThrowsTSVError(.unknownColumn(name: "price", option: "fieldTypes", available: available)) {
            _ = try TSVReader(path: path, schema: TSVSchema(fieldTypes: ["year": .int, "price": .double]))
        }
        assertThrowsTSVError(.unknownColumn(name: "text", option: "textColumns", available: ["id", "body"])) {
            _ = try TSVReader(path: path, schema: TSVSchema(columns: ["id", "body"]))
        }
        let error = TSVError.unknownColumn(name: "price", option: "fieldTypes", available: available)
        XCTAssertEqual(error.description,
                       "fieldTypes names column 'price', which does not exist; the columns are 'id', 'text', 'year'")
    }

    func testInconsistentSchemasAreRejected() throws {
        let path = try file("id\ttitle\ttext\n")
        XCTAssertThrowsError(try TSVReader(path: path, schema: TSVSchema(fieldTypes: ["text": .int]))) { error in
            guard case .invalidSchema = error as? TSVError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try TSVReader(path: path, schema: TSVSchema(textColumns: ["id"]))) { error in
            guard case .invalidSchema = error as? TSVError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try TSVReader(path: path, schema: TSVSchema(textColumns: []))) { error in
            guard case .invalidSchema = error as? TSVError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try TSVReader(path: path, schema: TSVSchema(textColumns: ["text", "text"]))) { error in
            guard case .invalidSchema = error as? TSVError else { return XCTFail("\(error)") }
        }
    }

    func testDuplicateAndEmptyColumnNamesAreRejected() throws {
        let duplicate = try file("id\ttext\ttext\n")
        assertThrowsTSVError(.duplicateColumn(name: "text")) { _ = try TSVReader(path: duplicate) }
        let unnamed = try file("id\t\ttext\n")
        assertThrowsTSVError(.emptyColumnName(position: 2)) { _ = try TSVReader(path: unnamed) }
        let empty = try file("")
        assertThrowsTSVError(.duplicateColumn(name: "id")) {
            _ = try TSVReader(path: empty, schema: TSVSchema(columns: ["id", "text", "id"]))
        }
    }

    // MARK: - Typed fields

    func testTypedFieldsAndEmptyCells() throws {
        let header = "id\ttext\tyear\tprice\tin_stock\ttags\tcolor\n"
        let rows = [
            "a\tfirst\t2021\t9.5\ttrue\tspicy, vegetarian,\tred",
            "b\tsecond\t-7\t1e3\tNO\t , ,\t",
            "c\tthird\t\t\t\t\t",
            "d\tfourth\t 42 \t3\tYes\tone\t blue ",
            "e\tfifth\t0\t-0.25\t0\ta,b\tgreen",
            "f\tsixth\t1\t2\t1\tx\ty",
        ]
        let path = try file(header + rows.joined(separator: "\n") + "\n")
        let schema = TSVSchema(fieldTypes: ["year": .int, "price": .double, "in_stock": .bool, "tags": .strings])
        let documents = try records(TSVReader(path: path, schema: schema)).map(\.document)
        XCTAssertEqual(documents.map(\.metadata), [
            ["year": .int(2021), "price": .double(9.5), "in_stock": .bool(true),
             "tags": .strings(["spicy", "vegetarian"]), "color": .string("red")],
            ["year": .int(-7), "price": .double(1000), "in_stock": .bool(false)],
            [:],
            ["year": .int(42), "price": .double(3), "in_stock": .bool(true),
             "tags": .strings(["one"]), "color": .string(" blue ")],
            ["year": .int(0), "price": .double(-0.25), "in_stock": .bool(false),
             "tags": .strings(["a", "b"]), "color": .string("green")],
            ["year": .int(1), "price": .double(2), "in_stock": .bool(true),
             "tags": .strings(["x"]), "color": .string("y")],
        ])
    }

    func testBadTypedValuesReportLineColumnAndText() throws {
        let types: [String: ValueType] = ["year": .int, "price": .double, "ok": .bool]
        let columns = ["id", "text", "year", "price", "ok"]
        let text = """
            a\tx\t12x\t1\ttrue
            b\tx\t2020\t1.2.3\ttrue
            c\tx\t2020\t1\tmaybe
            d\tx\t1.5\t1\ttrue
            e\tx\t1\tnan\ttrue
            f\tx\t99999999999999999999\t1\ttrue
            g\tx\t1\t1\t1

            """
        let errors = try rowErrors(text, columns: columns, fieldTypes: types)
        XCTAssertEqual(errors.map(\.line), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(errors.map(\.reason), [
            .invalidValue(column: "year", type: .int, text: "12x"),
            .invalidValue(column: "price", type: .double, text: "1.2.3"),
            .invalidValue(column: "ok", type: .bool, text: "maybe"),
            .invalidValue(column: "year", type: .int, text: "1.5"),
            .invalidValue(column: "price", type: .double, text: "nan"),
            .invalidValue(column: "year", type: .int, text: "99999999999999999999"),
        ])
        XCTAssertEqual(errors[0].description, "line 1: column 'year' expects an int (64-bit integer), got '12x'")
        XCTAssertEqual(errors[0].rawLine, "a\tx\t12x\t1\ttrue")
    }

    // MARK: - Row errors

    func testWrongColumnCount() throws {
        let errors = try rowErrors("a\tx\nb\nc\tx\ty\nd\tx\n")
        XCTAssertEqual(errors.map(\.line), [2, 3])
        XCTAssertEqual(errors.map(\.reason), [
            .wrongColumnCount(expected: 2, actual: 1),
            .wrongColumnCount(expected: 2, actual: 3),
        ])
        XCTAssertTrue(errors[0].description.hasPrefix("line 2: expected 2 columns, got 1"))
    }

    func testWrongColumnCountAfterHeader() throws {
        let reader = try TSVReader(path: file("id\ttext\na\tx\nb\tx\textra\n"))
        let rows = try readAll(reader)
        XCTAssertEqual(rows.count, 2)
        guard case let .failure(error) = rows[1] else { return XCTFail("expected a row error") }
        XCTAssertEqual(error.line, 3)
        XCTAssertEqual(error.reason, .wrongColumnCount(expected: 2, actual: 3))
    }

    func testBlankLineIsRejectedAndLaterLinesKeepTheirNumbers() throws {
        let reader = try TSVReader(path: file("a\tx\n\nb\tx\n\nc\t\t\n"),
                                   schema: TSVSchema(columns: ["id", "text"]))
        let rows = try readAll(reader)
        XCTAssertEqual(rows.count, 5)
        XCTAssertEqual(try rows[0].get().line, 1)
        XCTAssertEqual(rows[1].failureReason, .blankLine)
        XCTAssertEqual(rows[1].failureLine, 2)
        XCTAssertEqual(try rows[2].get().line, 3)
        XCTAssertEqual(rows[3].failureLine, 4)
        XCTAssertEqual(rows[4].failureLine, 5)
        XCTAssertEqual(rows[4].failureReason, .wrongColumnCount(expected: 2, actual: 3))
    }

    func testTrailingBlankLineIsRejected() throws {
        let errors = try rowErrors("a\tx\n\n")
        XCTAssertEqual(errors, [TSVRowError(line: 2, reason: .blankLine, rawLine: "")])
    }

    func testCRLFLineEndingIsRejected() throws {
        let errors = try rowErrors("a\tx\nb\tx\r\nc\tx\n")
        XCTAssertEqual(errors, [TSVRowError(line: 2, reason: .crlfLineEnding, rawLine: "b\tx\r")])
        XCTAssertTrue(errors[0].description.contains("sed -i 's/\\r$//'"))
    }

    func testCRLFHeaderIsRejected() throws {
        XCTAssertThrowsError(try TSVReader(path: file("id\ttext\r\na\tx\r\n"))) { error in
            guard case let .badHeader(rowError) = error as? TSVError else { return XCTFail("\(error)") }
            XCTAssertEqual(rowError.line, 1)
            XCTAssertEqual(rowError.reason, .crlfLineEnding)
        }
    }

    func testInvalidUTF8IsRejectedWithColumn() throws {
        let bytes = Array("a\tok\n".utf8) + Array("b\tbad ".utf8) + [0xFF] + Array(" byte\nc\tfine\n".utf8)
        let errors = try rowErrors(bytes)
        XCTAssertEqual(errors.map(\.line), [2])
        XCTAssertEqual(errors.first?.reason, .invalidUTF8(column: "text"))
        XCTAssertEqual(errors.first?.rawLine, "b\tbad \u{FFFD} byte")
        XCTAssertEqual(errors.first?.isRawLineExact, false)

        // A truncated multi-byte sequence in the id column.
        let truncated = Array("x".utf8) + [0xE4, 0xB8] + Array("\ttext\n".utf8)
        XCTAssertEqual(try rowErrors(truncated).map(\.reason), [.invalidUTF8(column: "id")])
    }

    func testByteOrderMarkIsRejected() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let errors = try rowErrors(bom + Array("a\tx\nb\tx\n".utf8))
        XCTAssertEqual(errors.map(\.line), [1])
        XCTAssertEqual(errors.first?.reason, .byteOrderMark)

        XCTAssertThrowsError(try TSVReader(path: file(bom + Array("id\ttext\na\tx\n".utf8)))) { error in
            guard case let .badHeader(rowError) = error as? TSVError else { return XCTFail("\(error)") }
            XCTAssertEqual(rowError.line, 1)
            XCTAssertEqual(rowError.reason, .byteOrderMark)
            XCTAssertTrue((error as? TSVError)?.description.contains("byte order mark") ?? false)
        }
    }

    func testByteOrderMarkCharacterLaterInFileIsText() throws {
        let reader = try TSVReader(path: file("a\tx\nb\t\u{FEFF}y\n"), schema: TSVSchema(columns: ["id", "text"]))
        XCTAssertEqual(try records(reader).map(\.document.text), ["x", "\u{FEFF}y"])
    }

    func testEmptyIDIsRejected() throws {
        let errors = try rowErrors("a\tx\n\tno id\n")
        XCTAssertEqual(errors, [TSVRowError(line: 2, reason: .emptyID(column: "id"), rawLine: "\tno id")])
    }

    func testOverlongIDIsRejected() throws {
        let longest = String(repeating: "é", count: Document.maximumIDLength / 2)  // 2 bytes each
        let tooLong = longest + "x"
        let errors = try rowErrors("\(longest)\tok\n\(tooLong)\tno\n")
        XCTAssertEqual(errors.map(\.line), [2])
        XCTAssertEqual(errors.first?.reason, .idTooLong(length: Document.maximumIDLength + 1,
                                                        limit: Document.maximumIDLength))
    }

    func testNULByteIsRejected() throws {
        let bytes = Array("a\tx\nb\tnul".utf8) + [0] + Array("here\n".utf8)
        let errors = try rowErrors(bytes)
        XCTAssertEqual(errors.map(\.line), [2])
        XCTAssertEqual(errors.first?.reason, .nulByte(column: "text"))
    }

    func testOverlongLineIsSkippedAndReadingContinues() throws {
        let long = "b\t" + String(repeating: "z", count: 5_000)
        let path = try file("a\tshort\n\(long)\nc\tafter\n")
        let reader = try TSVReader(path: path, schema: TSVSchema(columns: ["id", "text"]),
                                   maximumLineLength: 100, chunkSize: 64)
        let rows = try readAll(reader)
        XCTAssertEqual(rows.count, 3)
        XCTAssertEqual(rows[1].failureLine, 2)
        XCTAssertEqual(rows[1].failureReason, .lineTooLong(length: long.utf8.count, limit: 100))
        guard case let .failure(error) = rows[1] else { return XCTFail("expected a row error") }
        XCTAssertEqual(error.rawLine.utf8.count, TSVRowError.rawLinePrefixLimit)
        XCTAssertEqual(try rows[2].get().document, Document(id: "c", text: "after"))
        XCTAssertEqual(reader.bytesRead, reader.fileSize)
    }

    func testOverlongLastLineWithoutNewline() throws {
        let long = "b\t" + String(repeating: "z", count: 300)
        for chunkSize in [7, 1 << 20] {
            let reader = try TSVReader(path: file("a\tx\n\(long)"), schema: TSVSchema(columns: ["id", "text"]),
                                       maximumLineLength: 100, chunkSize: chunkSize)
            let rows = try readAll(reader)
            XCTAssertEqual(rows.count, 2)
            XCTAssertEqual(rows[1].failureReason, .lineTooLong(length: long.utf8.count, limit: 100))
            XCTAssertEqual(reader.bytesRead, reader.fileSize)
        }
    }

    func testLineAtTheLengthLimitIsAccepted() throws {
        let line = "a\t" + String(repeating: "y", count: 98)  // 100 bytes
        let reader = try TSVReader(path: file(line + "\n"), schema: TSVSchema(columns: ["id", "text"]),
                                   maximumLineLength: 100, chunkSize: 16)
        XCTAssertEqual(try records(reader).count, 1)
    }

    func testDuplicateIDsAreAllReturned() throws {
        let reader = try TSVReader(path: file("id\ttext\na\tfirst\na\tsecond\n"))
        XCTAssertEqual(try records(reader).map(\.document.text), ["first", "second"])
    }

    // MARK: - Text and file shape

    func testChineseTextRoundTrip() throws {
        let path = try file("id\ttext\tcity\ttags\n上海-1\t上海的天气\t上海\t天气, 城市\n")
        let reader = try TSVReader(path: path, schema: TSVSchema(fieldTypes: ["tags": .strings]))
        let document = try XCTUnwrap(records(reader).first?.document)
        XCTAssertEqual(document.id, "上海-1")
        XCTAssertEqual(document.text, "上海的天气")
        XCTAssertEqual(document.metadata, ["city": .string("上海"), "tags": .strings(["天气", "城市"])])
    }

    func testLastLineWithoutTrailingNewline() throws {
        let path = try file("id\ttext\na\tx\nb\ty")
        let reader = try TSVReader(path: path)
        XCTAssertEqual(try records(reader).map(\.document), [Document(id: "a", text: "x"), Document(id: "b", text: "y")])
        XCTAssertNil(try reader.next())
        XCTAssertEqual(reader.bytesRead, reader.fileSize)
    }

    func testHeaderOnlyFile() throws {
        for text in ["id\ttext\n", "id\ttext"] {
            let reader = try TSVReader(path: file(text))
            XCTAssertEqual(reader.columns, ["id", "text"])
            XCTAssertNil(try reader.next())
            XCTAssertEqual(reader.bytesRead, reader.fileSize)
        }
    }

    func testEmptyFile() throws {
        let path = try file("")
        assertThrowsTSVError(.missingHeader(path: path)) { _ = try TSVReader(path: path) }
        let reader = try TSVReader(path: path, schema: TSVSchema(columns: ["id", "text"]))
        XCTAssertNil(try reader.next())
        XCTAssertEqual(reader.fileSize, 0)
    }

    func testUnreadablePaths() throws {
        let missing = directory.appendingPathComponent("missing.tsv").path
        assertThrowsTSVError(.cannotOpen(path: missing, reason: "no such file")) {
            _ = try TSVReader(path: missing)
        }
        assertThrowsTSVError(.cannotOpen(path: directory.path, reason: "is a directory")) {
            _ = try TSVReader(path: directory.path)
        }
    }

    func testBytesReadReachesFileSize() throws {
        let lines = (1...500).map { "doc-\($0)\tText number \($0) with some words" }
        let path = try file("id\ttext\n" + lines.joined(separator: "\n") + "\n")
        let reader = try TSVReader(path: path, schema: TSVSchema(), maximumLineLength: 1_000, chunkSize: 100)
        XCTAssertGreaterThan(reader.fileSize, 0)
        XCTAssertEqual(reader.bytesRead, "id\ttext\n".utf8.count)
        var previous = reader.bytesRead
        var count = 0
        while let row = try reader.next() {
            _ = try row.get()
            XCTAssertGreaterThan(reader.bytesRead, previous)
            previous = reader.bytesRead
            count += 1
        }
        XCTAssertEqual(count, 500)
        XCTAssertEqual(reader.bytesRead, reader.fileSize)
    }

    func testResultsDoNotDependOnChunkSize() throws {
        var text = "id\ttitle\ttext\tyear\n"
        for index in 1...60 {
            let body = String(repeating: "上海 word \(index) ", count: index % 7 + 1)
            text += "d\(index)\tTitle \(index)\t\(body)\t\(2000 + index)\n"
            if index % 13 == 0 { text += "\n" }
            if index % 17 == 0 { text += "bad\trow\n" }
        }
        text += "last\tno\tnewline\t1"
        let path = try file(text)
        let schema = TSVSchema(textColumns: ["title", "text"], fieldTypes: ["year": .int])

        func summary(chunkSize: Int) throws -> [String] {
            let reader = try TSVReader(path: path, schema: schema, maximumLineLength: 1 << 20, chunkSize: chunkSize)
            let rows = try readAll(reader).map { row -> String in
                switch row {
                case let .success(record): "\(record.line) \(record.document) \(record.rawLine)"
                case let .failure(error): "\(error) \(error.rawLine)"
                }
            }
            XCTAssertEqual(reader.bytesRead, reader.fileSize)
            return rows
        }
        let expected = try summary(chunkSize: 1 << 20)
        XCTAssertEqual(expected.count, 60 + 4 + 3 + 1)
        for chunkSize in [1, 2, 3, 5, 16, 100] {
            XCTAssertEqual(try summary(chunkSize: chunkSize), expected, "chunk size \(chunkSize)")
        }
    }

    // MARK: - Side file

    func testRejectedRowFormatting() throws {
        let error = TSVRowError(line: 7, reason: .wrongColumnCount(expected: 3, actual: 4), rawLine: "a\tb\tc\td")
        let entry = TSVRejectedRow(error).description
        XCTAssertTrue(entry.hasPrefix("7\texpected 3 columns, got 4"))
        let parts = entry.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
        XCTAssertEqual(parts.count, 3)
        XCTAssertEqual(parts[2], "a\tb\tc\td")

        let lossy = TSVRowError(line: 2, reason: .invalidUTF8(column: "text"), rawLine: "b\t\u{FFFD}")
        XCTAssertTrue(TSVRejectedRow(lossy).description.contains("replaced by U+FFFD"))

        let record = TSVRecord(line: 9, document: Document(id: "x", text: "y"), rawLine: "x\ty")
        XCTAssertEqual(TSVRejectedRow(record, reason: "field 'year'\nhas type\tint").description,
                       "9\tfield 'year' has type int\tx\ty")
    }
}

private extension Result where Failure == TSVRowError {
    var failureReason: TSVRowError.Reason? {
        if case let .failure(error) = self { return error.reason }
        return nil
    }

    var failureLine: Int? {
        if case let .failure(error) = self { return error.line }
        return nil
    }
}
