import Foundation
import XCTest

import Quiver

/// Checks that the bundled sample data set, Examples/sample/docs.tsv, imports cleanly.
final class TSVSampleDataTests: XCTestCase {
    private static let schema = TSVSchema(
        textColumns: ["title", "text"],
        fieldTypes: ["year": .int, "price": .double, "in_stock": .bool, "tags": .strings]
    )

    private var samplePath: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // QuiverTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // package root
            .appendingPathComponent("Examples/sample/docs.tsv")
            .path
    }

    func testSampleFileImportsWithoutErrors() throws {
        let reader = try TSVReader(path: samplePath, schema: Self.schema)
        XCTAssertEqual(reader.columns, ["id", "title", "text", "category", "year", "price", "in_stock", "tags"])

        var documents: [Document] = []
        while let row = try reader.next() {
            documents.append(try row.get().document)
        }
        XCTAssertEqual(reader.bytesRead, reader.fileSize)
        XCTAssertGreaterThanOrEqual(documents.count, 250)
        XCTAssertEqual(Set(documents.map(\.id)).count, documents.count, "ids are unique")

        for document in documents {
            XCTAssertFalse(document.text.isEmpty, document.id)
            XCTAssertEqual(document.metadata["category"]?.type, .string, document.id)
            XCTAssertEqual(document.metadata["year"]?.type, .int, document.id)
            XCTAssertEqual(document.metadata["in_stock"]?.type, .bool, document.id)
            XCTAssertEqual(document.metadata["tags"]?.type, .strings, document.id)
        }
        let chinese = documents.filter { $0.text.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) } }
        XCTAssertGreaterThan(chinese.count, documents.count / 5)
        XCTAssertTrue(documents.contains { $0.metadata["price"] == nil })
        XCTAssertTrue(documents.contains { $0.metadata["price"]?.type == .double })
    }
}
