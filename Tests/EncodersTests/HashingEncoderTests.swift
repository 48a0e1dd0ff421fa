import XCTest
import Encoders

final class HashingEncoderTests: XCTestCase {
    /// A wide encoder: with 65,536 buckets the few features of a short text practically never
    /// collide, so each feature shows up as its own nonzero entry.
    private func wideEncoder() throws -> HashingEncoder {
        try HashingEncoder(dimension: 65_536)
    }

    func testDefaultDimensionIs256() throws {
        let encoder = try HashingEncoder()
        XCTAssertEqual(encoder.dimension, 256)
        XCTAssertEqual(try encoder.encode("hello world", role: .document).count, 256)
    }

    func testVectorsHaveUnitNorm() throws {
        let encoder = try HashingEncoder()
        for text in ["cat", "The quick brown fox", "上海市", "iPhone手机", "naïve café", String(repeating: "word ", count: 500)] {
            let vector = try encoder.encode(text, role: .document)
            XCTAssertEqual(norm(vector), 1, accuracy: 1e-5, text)
        }
    }

    func testTextsWithoutFeaturesGiveTheZeroVector() throws {
        let encoder = try HashingEncoder(dimension: 64)
        for text in ["", "!!!", "   \n\t", "—…“”", "+-*/ = ?"] {
            let vector = try encoder.encode(text, role: .query)
            XCTAssertEqual(vector, [Float](repeating: 0, count: 64), "\(text.debugDescription)")
            XCTAssertFalse(vector.contains { $0.isNaN })
        }
    }

    func testCaseAndCompatibilityFormsAreFolded() throws {
        let encoder = try HashingEncoder()
        let cat = try encoder.encode("cat", role: .document)
        XCTAssertEqual(try encoder.encode("Cat", role: .document), cat)
        XCTAssertEqual(try encoder.encode("ＣＡＴ", role: .document), cat)
        XCTAssertEqual(try encoder.encode("CAT!", role: .document), cat)
        XCTAssertEqual(try encoder.encode("ﬁne", role: .document), try encoder.encode("fine", role: .document))
        XCTAssertEqual(try encoder.encode("ＡＢＣ１", role: .document), try encoder.encode("abc1", role: .document))
        // A decomposed accent composes under NFKC.
        XCTAssertEqual(try encoder.encode("cafe\u{301}", role: .document), try encoder.encode("café", role: .document))
        XCTAssertEqual(try encoder.encode("ΕΛΛΗΝΙΚΆ", role: .document), try encoder.encode("ελληνικά", role: .document))
    }

    func testWordFeaturesAreWholeWordPlusTrigrams() throws {
        let encoder = try wideEncoder()
        // "cat": w:cat, #ca, cat, at#.
        XCTAssertEqual(support(try encoder.encode("cat", role: .document)).count, 4)
        // "a": w:a, #a#.
        XCTAssertEqual(support(try encoder.encode("a", role: .document)).count, 2)
        // "iphone": w:iphone + 6 trigrams.
        XCTAssertEqual(support(try encoder.encode("iphone", role: .document)).count, 7)
        // Combining marks stay inside the word: "naïve" with a decomposed diaeresis is one word.
        let composed = try encoder.encode("naïve", role: .document)
        XCTAssertEqual(support(composed).count, 6)
        XCTAssertEqual(try encoder.encode("nai\u{308}ve", role: .document), composed)
    }

    func testPunctuationAndWhitespaceSeparateWords() throws {
        let encoder = try HashingEncoder()
        let expected = try encoder.encode("state of the art", role: .document)
        XCTAssertEqual(try encoder.encode("state-of-the-art", role: .document), expected)
        XCTAssertEqual(try encoder.encode("  State, of (the) ART! ", role: .document), expected)
    }

    func testRepeatedFeaturesAreWeightedSublinearly() throws {
        let encoder = try wideEncoder()
        // Every feature doubled: all weights equal, so normalization gives the same vector.
        XCTAssertEqual(try encoder.encode("cat cat", role: .document), try encoder.encode("cat", role: .document))
        // "cat" twice and "dog" once: cat's features weigh 1 + ln 2 against dog's 1.
        let vector = try encoder.encode("cat dog cat", role: .document)
        let catSupport = support(try encoder.encode("cat", role: .document))
        let dogSupport = support(try encoder.encode("dog", role: .document))
        XCTAssertTrue(catSupport.isDisjoint(with: dogSupport))
        for catIndex in catSupport {
            for dogIndex in dogSupport {
                XCTAssertEqual(Double(abs(vector[catIndex]) / abs(vector[dogIndex])), 1 + log(2.0), accuracy: 1e-5)
            }
        }
    }

    func testSimilarTextsAreCloserThanUnrelatedOnes() throws {
        let encoder = try HashingEncoder()
        let query = try encoder.encode("protein folding structure prediction", role: .query)
        let related = try encoder.encode("predicting the folded structure of proteins", role: .document)
        let unrelated = try encoder.encode("stock market interest rates and inflation", role: .document)
        XCTAssertGreaterThan(cosine(query, related), cosine(query, unrelated) + 0.2)

        // Morphological variants share trigrams.
        let cells = try encoder.encode("cells", role: .document)
        XCTAssertGreaterThan(cosine(try encoder.encode("cell", role: .document), cells), 0.3)
    }

    func testCJKRunsBecomeUnigramsAndBigrams() throws {
        let wide = try wideEncoder()
        // 上, 海, 市, 上海, 海市.
        XCTAssertEqual(support(try wide.encode("上海市", role: .document)).count, 5)
        // 上, 海, 上海 are shared.
        let shanghai = try wide.encode("上海", role: .document)
        XCTAssertEqual(support(shanghai).count, 3)
        XCTAssertTrue(support(shanghai).isSubset(of: support(try wide.encode("上海市", role: .document))))

        let encoder = try HashingEncoder()
        let city = try encoder.encode("上海", role: .query)
        let cityFull = try encoder.encode("上海市", role: .document)
        let unrelated = try encoder.encode("我喜欢吃苹果", role: .document)
        XCTAssertGreaterThan(cosine(city, cityFull), 0.5)
        XCTAssertGreaterThan(cosine(city, cityFull), cosine(city, unrelated) + 0.3)
    }

    func testKanaAndHangulAreCJK() throws {
        let wide = try wideEncoder()
        // Three distinct characters: three unigrams and two bigrams each.
        XCTAssertEqual(support(try wide.encode("カタナ", role: .document)).count, 5)
        XCTAssertEqual(support(try wide.encode("한국어", role: .document)).count, 5)
        // Half-width katakana is folded to full-width.
        XCTAssertEqual(try wide.encode("ｶﾀｶﾅ", role: .document), try wide.encode("カタカナ", role: .document))
    }

    func testMixedLatinAndCJKSplitsIntoWordAndRun() throws {
        let wide = try wideEncoder()
        let mixed = try wide.encode("iPhone手机", role: .document)
        XCTAssertEqual(try wide.encode("iphone 手机", role: .document), mixed)
        let word = support(try wide.encode("iphone", role: .document))
        let run = support(try wide.encode("手机", role: .document))
        XCTAssertEqual(word.count, 7)
        XCTAssertEqual(run.count, 3)
        XCTAssertEqual(support(mixed), word.union(run))
    }

    func testEncodingIsSymmetricInRole() throws {
        let encoder = try HashingEncoder()
        for text in ["symmetric encoder", "上海市", ""] {
            XCTAssertEqual(try encoder.encode(text, role: .query), try encoder.encode(text, role: .document))
        }
    }

    func testEncodingIsDeterministicAcrossRepeats() throws {
        let encoder = try HashingEncoder()
        let text = "Déterminisme: the same TEXT, 同じ結果, 100 times — every time."
        let first = try encoder.encode(text, role: .document)
        for _ in 0..<100 {
            XCTAssertEqual(try encoder.encode(text, role: .document), first)
        }
        XCTAssertEqual(try HashingEncoder().encode(text, role: .document), first)
    }

    func testParallelBatchEqualsSequentialEncoding() throws {
        let encoder = try HashingEncoder(dimension: 384)
        let vocabulary = ["protein", "Cell", "gene", "expression", "tumour", "上海", "数据", "naïve", "ΔG", "p<0.05", "mRNA", "β-catenin", "！", "ＡＢＣ"]
        // Texts of uneven lengths (0 to 80 words) so that chunks finish at different times.
        let texts = (0..<600).map { index in
            (0..<((index * 37) % 81)).map { word in vocabulary[(index * 7 + word * 13) % vocabulary.count] }
                .joined(separator: index % 3 == 0 ? " " : ", ")
        }
        XCTAssertGreaterThan(texts.reduce(0) { $0 + $1.utf8.count }, 64 * 1024, "the batch must be large enough to run in parallel")
        let batch = try encoder.encode(texts, role: .document)
        XCTAssertEqual(batch.count, texts.count)
        for (index, text) in texts.enumerated() {
            XCTAssertEqual(batch[index], try encoder.encode(text, role: .document), "text \(index)")
        }
        XCTAssertEqual(try encoder.encode([], role: .document), [])
    }

    func testDescriptorRoundTrips() throws {
        let encoder = try HashingEncoder(dimension: 300)
        let descriptor = encoder.descriptor
        XCTAssertEqual(descriptor.kind, "hashing")
        XCTAssertEqual(descriptor.dimension, 300)
        XCTAssertEqual(descriptor.parameters, ["version": "1"])
        XCTAssertEqual(descriptor.fingerprint, "hashing-v1-d300-fnv1a64fmix")
        XCTAssertEqual(try HashingEncoder().descriptor.fingerprint, "hashing-v1-d256-fnv1a64fmix")

        let rebuilt = try HashingEncoder(descriptor: descriptor)
        XCTAssertEqual(rebuilt.dimension, 300)
        XCTAssertEqual(rebuilt.descriptor, descriptor)
        XCTAssertEqual(try rebuilt.encode("round trip", role: .query), try encoder.encode("round trip", role: .query))
    }

    func testDescriptorOfAnotherKindOrVersionIsRefused() throws {
        let good = try HashingEncoder().descriptor

        var otherKind = good
        otherKind.kind = "minilm"
        XCTAssertThrowsError(try HashingEncoder(descriptor: otherKind)) { error in
            XCTAssertEqual(error as? EncoderError, .kindMismatch(expected: "hashing", found: "minilm"))
        }

        var newerVersion = good
        newerVersion.parameters["version"] = "2"
        XCTAssertThrowsError(try HashingEncoder(descriptor: newerVersion)) { error in
            XCTAssertEqual(error as? EncoderError, .unsupportedVersion(kind: "hashing", version: "2"))
        }

        var noVersion = good
        noVersion.parameters = [:]
        XCTAssertThrowsError(try HashingEncoder(descriptor: noVersion)) { error in
            XCTAssertEqual(error as? EncoderError, .unsupportedVersion(kind: "hashing", version: nil))
        }

        var wrongFingerprint = good
        wrongFingerprint.fingerprint = "hashing-v1-d256-sip"
        XCTAssertThrowsError(try HashingEncoder(descriptor: wrongFingerprint)) { error in
            XCTAssertEqual(
                error as? EncoderError,
                .fingerprintMismatch(expected: "hashing-v1-d256-fnv1a64fmix", found: "hashing-v1-d256-sip")
            )
        }

        var badDimension = good
        badDimension.dimension = 0
        XCTAssertThrowsError(try HashingEncoder(descriptor: badDimension)) { error in
            XCTAssertEqual(error as? EncoderError, .invalidDimension(0))
        }
    }

    func testInvalidDimensionsAreRefused() throws {
        for dimension in [-1, 0, 1, 65_537, Int.max] {
            XCTAssertThrowsError(try HashingEncoder(dimension: dimension)) { error in
                XCTAssertEqual(error as? EncoderError, .invalidDimension(dimension))
            }
        }
        XCTAssertEqual(try HashingEncoder(dimension: 2).dimension, 2)
        XCTAssertEqual(try HashingEncoder(dimension: 65_536).dimension, 65_536)
    }

    func testTooLongTextIsRefusedWithATypedError() throws {
        let encoder = try HashingEncoder()
        XCTAssertEqual(HashingEncoder.maximumTextLength, 1_000_000)
        let atLimit = String(repeating: "ab ", count: 333_333) + "a"
        XCTAssertEqual(atLimit.utf8.count, 1_000_000)
        XCTAssertEqual(norm(try encoder.encode(atLimit, role: .document)), 1, accuracy: 1e-5)

        let overLimit = atLimit + "b"
        XCTAssertThrowsError(try encoder.encode(["short", overLimit], role: .document)) { error in
            XCTAssertEqual(error as? EncoderError, .textTooLong(length: 1_000_001, limit: 1_000_000))
        }
        // Multi-byte characters count in UTF-8 bytes.
        let wide = String(repeating: "海", count: 333_334)
        XCTAssertThrowsError(try encoder.encode(wide, role: .query)) { error in
            XCTAssertEqual(error as? EncoderError, .textTooLong(length: 1_000_002, limit: 1_000_000))
        }
    }

    func testErrorDescriptionsSayWhatWentWrong() {
        XCTAssertTrue(EncoderError.invalidDimension(1).description.contains("1"))
        XCTAssertTrue(EncoderError.invalidDimension(1).description.contains("65536"))
        let tooLong = EncoderError.textTooLong(length: 1_000_001, limit: 1_000_000).description
        XCTAssertTrue(tooLong.contains("1000001") && tooLong.contains("1000000"))
        XCTAssertTrue(EncoderError.kindMismatch(expected: "hashing", found: "minilm").description.contains("minilm"))
    }
}
