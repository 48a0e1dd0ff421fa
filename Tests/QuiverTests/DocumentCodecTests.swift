import XCTest
@testable import Quiver

/// The `docs` record format: every value round-trips byte for byte, and a string whose bytes are
/// not valid UTF-8 is refused, including damage that keeps the string's length (the decoder
/// checks validity by decoding with repair and comparing, so this is the case that could slip by).
final class DocumentCodecTests: XCTestCase {
    private let document = Document(
        id: "文档-1 🚀", text: "上海的天气 — naïve café, 𝄞 and e\u{301}", metadata: [
            "city": .string("上海"), "empty": .string(""), "n": .int(-42), "price": .double(0.25),
            "ok": .bool(true), "tags": .strings(["红", "", "blue", "🙂"]),
        ])

    func testRoundTripsUnicodeAndEveryValueType() throws {
        let bytes = DocumentCodec.encode(document)
        let decoded = try bytes.withUnsafeBytes { try DocumentCodec.decode($0) }
        XCTAssertEqual(decoded, document)
        // Equal strings, not merely canonically equivalent ones: the bytes are kept as written.
        XCTAssertEqual(Array(decoded.text.utf8), Array(document.text.utf8))
        XCTAssertEqual(DocumentCodec.encode(decoded), bytes)
    }

    func testRefusesInvalidUTF8OfEveryShape() throws {
        let marker = Array("naïve".utf8)  // 6 bytes inside the text
        let encoded = DocumentCodec.encode(document)
        let at = try XCTUnwrap(encoded.indices.first { Array(encoded[$0..<min(encoded.count, $0 + marker.count)]) == marker })
        // Each replacement has the marker's length, so only the bytes' validity can give it away.
        let invalid: [[UInt8]] = [
            [0xFF, 0x61, 0x61, 0x61, 0x61, 0x61],  // a byte that never occurs in UTF-8
            [0xF0, 0x9F, 0x98, 0x41, 0x41, 0x41],  // a 4-byte sequence cut short: one U+FFFD, same length
            [0xE2, 0x82, 0x41, 0x41, 0x41, 0x41],  // a 3-byte sequence cut short
            [0xC0, 0xAF, 0x41, 0x41, 0x41, 0x41],  // an overlong "/"
            [0xED, 0xA0, 0x80, 0x41, 0x41, 0x41],  // a UTF-16 surrogate
            [0x41, 0x41, 0x41, 0x41, 0x41, 0xC3],  // a lead byte with its continuation missing
            [0x80, 0x41, 0x41, 0x41, 0x41, 0x41],  // a stray continuation byte
        ]
        for replacement in invalid {
            var damaged = encoded
            damaged.replaceSubrange(at..<(at + marker.count), with: replacement)
            XCTAssertThrowsError(try damaged.withUnsafeBytes { try DocumentCodec.decode($0) }, "\(replacement)") { error in
                XCTAssertEqual((error as? DocumentCodec.DecodingError)?.reason, "invalid UTF-8 in string")
            }
        }
    }
}
