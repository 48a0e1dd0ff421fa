import XCTest
import Encoders

/// Pins exact output values so that any change to normalization, tokenization, the hash
/// function, weighting, or any accidental per-process seeding is caught, across processes
/// and platforms. If the algorithm changes on purpose, bump `HashingEncoder.version` (stores
/// built with the old vectors must then be re-encoded) and regenerate these values.
final class HashingEncoderGoldenTests: XCTestCase {
    func testEnglishSentenceGoldenVector() throws {
        let vector = try HashingEncoder().encode("The quick brown fox jumps over the lazy dog.", role: .document)
        XCTAssertEqual(support(vector), [
            0, 7, 21, 22, 23, 31, 32, 34, 44, 47, 49, 68, 71, 74, 80, 88, 93, 97, 111,
            112, 120, 128, 129, 141, 171, 177, 183, 189, 191, 194, 202, 203, 206, 209, 212, 214, 217, 252,
        ])
        // "the" occurs twice: its features weigh 1 + ln 2.
        XCTAssertEqual(vector[0], 0.25109994)
        XCTAssertEqual(vector[49], -0.25109994)
        XCTAssertEqual(vector[7], 0.14830367)
        XCTAssertEqual(vector[21], -0.14830367)
        XCTAssertEqual(vector[252], -0.14830367)
    }

    func testChineseSentenceGoldenVector() throws {
        let vector = try HashingEncoder().encode("上海市是中国的经济中心。", role: .document)
        XCTAssertEqual(support(vector), [10, 61, 65, 72, 75, 104, 106, 124, 125, 140, 171, 173, 178, 180, 194, 229, 241, 251])
        // 中 occurs twice.
        XCTAssertEqual(vector[65], -0.37986678)
        XCTAssertEqual(vector[10], -0.22435544)
        XCTAssertEqual(vector[61], 0.22435544)
        XCTAssertEqual(vector[251], 0.22435544)
    }
}
