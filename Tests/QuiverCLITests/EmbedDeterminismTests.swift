import Encoders
import Foundation
import XCTest

/// `quiver embed` prints the same digits in every process, equal bit for bit to the in-process encoder.
final class EmbedDeterminismTests: CLITestCase {
    private func parseVector(_ output: String, file: StaticString = #filePath, line: UInt = #line) throws -> [Float] {
        XCTAssertTrue(output.hasPrefix("[") && output.hasSuffix("]\n"), output, file: file, line: line)
        let body = output.dropFirst().dropLast(2)
        return try body.split(separator: ",").map { token in
            try XCTUnwrap(Float(String(token)), "not a Float: \(token)", file: file, line: line)
        }
    }

    func testEmbedIsIdenticalAcrossProcessesAndEqualsTheLibrary() throws {
        let texts = [
            "How to brew green tea: water at 80 degrees, two minutes.",
            "麻婆豆腐是四川的传统名菜，味道麻辣鲜香。",
        ]
        let encoder = try HashingEncoder(dimension: 64)
        var outputs: [Data] = []
        for text in texts {
            let first = try quiver("embed", text, "--dimension", "64")
            let second = try quiver("embed", text, "--dimension", "64")
            XCTAssertTrue(first.exited(0), first.summary)
            XCTAssertTrue(second.exited(0), second.summary)
            XCTAssertEqual(first.stdoutData, second.stdoutData, "two processes printed different bytes for \(text)")
            outputs.append(first.stdoutData)

            let printed = try parseVector(first.stdout)
            let expected = try encoder.encode(text, role: .document)
            XCTAssertEqual(printed.count, 64)
            XCTAssertEqual(printed.map(\.bitPattern), expected.map(\.bitPattern), text)
            // The printed form is Swift's shortest round-trip description of each Float.
            XCTAssertEqual(first.stdout, "[" + expected.map { "\($0)" }.joined(separator: ",") + "]\n")
            XCTAssertGreaterThan(printed.filter { $0 != 0 }.count, 4, "a real vector, not zeros")
            let norm = printed.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
            XCTAssertEqual(norm, 1, accuracy: 1e-5)

            // The query role gives the same vector (the hashing encoder is symmetric).
            let query = try quiver("embed", text, "--dimension", "64", "--role", "query")
            XCTAssertEqual(query.stdoutData, first.stdoutData)
        }
        // Different texts give different vectors (the comparison above can tell them apart).
        XCTAssertNotEqual(outputs[0], outputs[1])
    }
}
