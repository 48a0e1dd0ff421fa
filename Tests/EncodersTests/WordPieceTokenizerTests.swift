import Foundation
import XCTest
import Encoders

/// The WordPiece tokenizer against the all-MiniLM-L6-v2 reference token ids, plus unit cases.
///
/// Fixtures sit next to this file (found through `#filePath`, so the tests run from a clone
/// without resources): `minilm-vocab.txt` is the model's `vocab.txt` (the BERT uncased
/// vocabulary, Apache-2.0), `minilm-reference.jsonl` the ids the Hugging Face tokenizer gave.
final class WordPieceTokenizerTests: XCTestCase {
    /// One line of `minilm-reference.jsonl` (the embedding is not needed here).
    private struct ReferenceRecord: Decodable {
        let id: String
        let category: String
        let text: String
        let token_ids: [Int32]
    }

    private static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    private static let vocabularyURL = fixtures.appendingPathComponent("minilm-vocab.txt")
    private static let referenceURL = fixtures.appendingPathComponent("minilm-reference.jsonl")

    /// The fixture vocabulary, loaded once for all tests.
    private static let sharedVocabulary: Result<WordPieceVocabulary, WordPieceVocabularyError> = Result { () throws(WordPieceVocabularyError) in
        try WordPieceVocabulary(contentsOf: vocabularyURL)
    }

    private func vocabulary() throws -> WordPieceVocabulary {
        try WordPieceTokenizerTests.sharedVocabulary.get()
    }

    private func tokenizer(maximumLength: Int = 256) throws -> WordPieceTokenizer {
        WordPieceTokenizer(vocabulary: try vocabulary(), maximumLength: maximumLength)
    }

    /// Pieces without the `[CLS]` and `[SEP]` around them.
    private func innerPieces(_ text: String, _ tokenizer: WordPieceTokenizer) -> [String] {
        Array(tokenizer.pieces(text).dropFirst().dropLast())
    }

    private func temporaryFile(_ contents: [UInt8]) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("wordpiece-vocab-\(UUID().uuidString).txt")
        try Data(contents).write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    private func loadError(_ contents: String) throws -> WordPieceVocabularyError? {
        loadError(at: try temporaryFile(Array(contents.utf8)))
    }

    private func loadError(at url: URL) -> WordPieceVocabularyError? {
        do {
            _ = try WordPieceVocabulary(contentsOf: url)
            return nil
        } catch {
            return error
        }
    }

    private static let specials = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n"

    // MARK: - Reference records

    func testEveryReferenceRecordGivesTheReferenceIDs() throws {
        let tokenizer = try tokenizer()
        let data = try Data(contentsOf: WordPieceTokenizerTests.referenceURL)
        let decoder = JSONDecoder()
        var records: [ReferenceRecord] = []
        for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            records.append(try decoder.decode(ReferenceRecord.self, from: Data(line)))
        }
        XCTAssertEqual(records.count, 178)
        var matched = 0
        var mismatchesByCategory: [String: Int] = [:]
        for record in records {
            let ids = tokenizer.tokenize(record.text)
            if ids == record.token_ids {
                matched += 1
            } else {
                mismatchesByCategory[record.category, default: 0] += 1
                XCTFail("""
                    \(record.id) \(record.text.debugDescription)
                      expected \(record.token_ids)
                      got      \(ids)
                    """)
            }
            XCTAssertLessThanOrEqual(ids.count, 256, record.id)
            XCTAssertEqual(tokenizer.pieces(record.text).count, ids.count, record.id)
        }
        print("WordPiece reference records: \(matched)/\(records.count) match; mismatches by category: \(mismatchesByCategory)")
        XCTAssertEqual(matched, records.count)
    }

    func testTruncatedReferenceRecordsKeepTheirPrefix() throws {
        // A record's ids at a smaller limit are its full ids' first pieces, plus [SEP].
        let tokenizer = try tokenizer(maximumLength: 512)
        let short = try self.tokenizer(maximumLength: 20)
        for text in ["Die Straße ist naß und die Bücher liegen überall.", String(repeating: "tokenization wordpiece ", count: 30)] {
            let full = tokenizer.tokenize(text)
            let cut = short.tokenize(text)
            XCTAssertEqual(cut, Array(full.prefix(min(19, full.count - 1))) + [102])
        }
    }

    // MARK: - Hand cases

    func testAccentsAreStripped() throws {
        let tokenizer = try tokenizer()
        XCTAssertEqual(tokenizer.tokenize("é"), tokenizer.tokenize("e"))
        XCTAssertEqual(tokenizer.tokenize("café"), tokenizer.tokenize("cafe"))
        XCTAssertEqual(tokenizer.tokenize("cafe\u{301}"), tokenizer.tokenize("cafe"))
        XCTAssertEqual(tokenizer.tokenize("CAFÉ"), tokenizer.tokenize("cafe"))
        XCTAssertEqual(innerPieces("İstanbul", tokenizer), ["istanbul"])
        XCTAssertEqual(innerPieces("Straße", tokenizer), ["st", "##raße"])
    }

    func testGreekFinalSigmaIsLowercasedWithoutContext() throws {
        XCTAssertEqual(innerPieces("ΟΔΟΣ", try tokenizer()), ["ο", "##δ", "##ο", "##σ"])
    }

    func testSymbolsStayInsideWords() throws {
        let tokenizer = try tokenizer()
        XCTAssertEqual(innerPieces("25°C", tokenizer), ["25", "##°", "##c"])
        XCTAssertEqual(innerPieces("€17", tokenizer), ["€", "##17"])
    }

    func testWordWithAnUnknownPositionIsOneUnknownToken() throws {
        let tokenizer = try tokenizer()
        XCTAssertEqual(tokenizer.tokenize("hello😀world"), [101, 100, 102])
        XCTAssertEqual(innerPieces("hello 😀 world", tokenizer), ["hello", "[UNK]", "world"])
    }

    func testPiecesSplitWordsIntoContinuations() throws {
        let tokenizer = try tokenizer()
        XCTAssertEqual(tokenizer.pieces("unaffable"), ["[CLS]", "una", "##ffa", "##ble", "[SEP]"])
        XCTAssertEqual(tokenizer.tokenize("unaffable"), [101, 14477, 20961, 3468, 102])
        XCTAssertEqual(innerPieces("Tokenization", tokenizer), ["token", "##ization"])
        XCTAssertEqual(
            innerPieces("The quick brown fox.", tokenizer),
            ["the", "quick", "brown", "fox", "."]
        )
    }

    func testPunctuationIsSplitAfterNormalization() throws {
        // U+037E GREEK QUESTION MARK decomposes to ";" under NFD.
        XCTAssertEqual(innerPieces("a;b\u{37E}", try tokenizer()), ["a", ";", "b", ";"])
    }

    func testHangulSyllablesDecomposeToConjoiningJamo() throws {
        XCTAssertEqual(innerPieces("안녕", try tokenizer()), ["ᄋ", "##ᅡ", "##ᆫ", "##ᄂ", "##ᅧ", "##ᆼ"])
    }

    func testChineseIdeographsAreSingleWords() throws {
        let tokenizer = try tokenizer()
        XCTAssertEqual(innerPieces("中文abc", tokenizer), ["中", "文", "abc"])
    }

    func testCleaningGluesNeighboursAndWhitespaceSeparates() throws {
        let tokenizer = try tokenizer()
        XCTAssertEqual(tokenizer.tokenize("nul\u{0}byte"), tokenizer.tokenize("nulbyte"))
        XCTAssertEqual(tokenizer.tokenize("zero\u{200B}width"), tokenizer.tokenize("zerowidth"))
        XCTAssertEqual(tokenizer.tokenize("soft\u{AD}hyphen"), tokenizer.tokenize("softhyphen"))
        XCTAssertEqual(tokenizer.tokenize("non\u{A0}breaking"), tokenizer.tokenize("non breaking"))
        XCTAssertEqual(tokenizer.tokenize("line\u{2028}break\u{3000}x"), tokenizer.tokenize("line break x"))
    }

    func testCategoriesAreThoseOfUnicode8LikeTheHuggingFaceTokenizer() throws {
        // Expected values from `tokenizers` 0.23.3 with the model's tokenizer.json.
        let tokenizer = try tokenizer()
        // U+2E43 DASH WITH LEFT UPTURN (Po since Unicode 9.0) is not punctuation there.
        XCTAssertEqual(tokenizer.tokenize("a\u{2E43}b"), [101, 100, 102])
        // U+0D00 MALAYALAM SIGN COMBINING ANUSVARA ABOVE (Mn since 10.0) is not stripped.
        XCTAssertEqual(tokenizer.tokenize("a\u{D00}b"), [101, 100, 102])
        // U+166D CANADIAN SYLLABICS CHI SIGN was Po in 8.0 (So now).
        XCTAssertEqual(innerPieces("a\u{166D}b", tokenizer), ["a", "[UNK]", "b"])
        // U+13430 EGYPTIAN HIEROGLYPH VERTICAL JOINER (Cf since 12.0) is not cleaned away.
        XCTAssertEqual(tokenizer.tokenize("a\u{13430}b"), [101, 100, 102])
        // Unassigned code points are kept.
        XCTAssertEqual(tokenizer.tokenize("a\u{378}b"), [101, 100, 102])
    }

    func testIdeographRangesAreThoseOfTheHuggingFaceTokenizer() throws {
        let tokenizer = try tokenizer()
        // U+2B820–U+2B91F are not spaced out (Hugging Face starts that range at U+2B920).
        XCTAssertEqual(tokenizer.tokenize("x\u{2B820}y"), [101, 100, 102])
        XCTAssertEqual(innerPieces("x\u{2B920}y", tokenizer), ["x", "[UNK]", "y"])
    }

    func testEmptyAndWhitespaceOnlyTextGiveClsAndSep() throws {
        let tokenizer = try tokenizer()
        for text in ["", " ", "   ", "\t\n\r", "\u{0}\u{200B}", "\u{3000}"] {
            XCTAssertEqual(tokenizer.tokenize(text), [101, 102], text.debugDescription)
        }
    }

    func testLiteralSpecialTokensAreKept() throws {
        let tokenizer = try tokenizer()
        XCTAssertEqual(tokenizer.tokenize("x[CLS]y [mask]"), [101, 1060, 101, 1061, 1031, 7308, 1033, 102])
        XCTAssertEqual(tokenizer.tokenize("[PAD][UNK][SEP][MASK]"), [101, 0, 100, 102, 103, 102])
        XCTAssertEqual(innerPieces("a[MASK]b", tokenizer), ["a", "[MASK]", "b"])
        // Matching is on the raw text: a deleted character in between hides the token.
        XCTAssertEqual(innerPieces("[CL\u{200B}S]", tokenizer), ["[", "cl", "##s", "]"])
    }

    func testLongWordsBecomeUnknown() throws {
        let tokenizer = try tokenizer()
        XCTAssertNotEqual(tokenizer.tokenize(String(repeating: "x", count: 100)), [101, 100, 102])
        XCTAssertEqual(tokenizer.tokenize(String(repeating: "x", count: 101)), [101, 100, 102])
        // The limit counts scalars, not bytes: 100 two-byte letters are still split.
        XCTAssertNotEqual(tokenizer.tokenize(String(repeating: "ж", count: 100)), [101, 100, 102])
        XCTAssertEqual(tokenizer.tokenize(String(repeating: "ж", count: 101)), [101, 100, 102])
    }

    // MARK: - Truncation

    func testTruncationGivesExactlyMaximumLength() throws {
        let tokenizer = try tokenizer(maximumLength: 10)
        // "hello" is one piece: 7 words → 9 ids, 8 → 10 ids, 9 → still 10.
        XCTAssertEqual(tokenizer.tokenize(Array(repeating: "hello", count: 7).joined(separator: " ")).count, 9)
        XCTAssertEqual(tokenizer.tokenize(Array(repeating: "hello", count: 8).joined(separator: " ")).count, 10)
        let cut = tokenizer.tokenize(Array(repeating: "hello", count: 9).joined(separator: " "))
        XCTAssertEqual(cut.count, 10)
        XCTAssertEqual(cut.first, 101)
        XCTAssertEqual(cut.last, 102)
        XCTAssertEqual(tokenizer.maximumLength, 10)
    }

    func testTruncationMayCutInsideAWord() throws {
        let tokenizer = try tokenizer(maximumLength: 4)
        // "unaffable" is una ##ffa ##ble: only two pieces fit.
        XCTAssertEqual(tokenizer.pieces("unaffable"), ["[CLS]", "una", "##ffa", "[SEP]"])
    }

    func testTruncationKeepsAnUnknownWordWhole() throws {
        // A word is split completely before truncation, so a failing word is one [UNK].
        let tokenizer = try tokenizer(maximumLength: 3)
        XCTAssertEqual(tokenizer.tokenize("hello😀world again"), [101, 100, 102])
    }

    func testMaximumLengthBelowTwoMeansClsAndSepOnly() throws {
        let tokenizer = try tokenizer(maximumLength: 0)
        XCTAssertEqual(tokenizer.maximumLength, 2)
        XCTAssertEqual(tokenizer.tokenize("hello world"), [101, 102])
    }

    func testDefaultMaximumLengthIs256() throws {
        let tokenizer = try WordPieceTokenizer(vocabularyURL: WordPieceTokenizerTests.vocabularyURL)
        XCTAssertEqual(tokenizer.maximumLength, 256)
        XCTAssertTrue(tokenizer.lowercases)
        let ids = tokenizer.tokenize(String(repeating: "hello ", count: 1000))
        XCTAssertEqual(ids.count, 256)
    }

    // MARK: - Cased models

    func testCasedTokenizerKeepsCaseAndAccents() throws {
        let vocabulary = try WordPieceVocabulary(tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "Héllo", "hello", "!", "W", "##orld"])
        let cased = WordPieceTokenizer(vocabulary: vocabulary, lowercases: false)
        XCTAssertEqual(cased.pieces("Héllo World!"), ["[CLS]", "Héllo", "W", "##orld", "!", "[SEP]"])
        let uncased = WordPieceTokenizer(vocabulary: vocabulary)
        XCTAssertEqual(uncased.pieces("Héllo"), ["[CLS]", "hello", "[SEP]"])
    }

    // MARK: - Vocabulary

    func testVocabularyLookups() throws {
        let vocabulary = try vocabulary()
        XCTAssertEqual(vocabulary.count, 30_522)
        XCTAssertEqual(vocabulary.padID, 0)
        XCTAssertEqual(vocabulary.unkID, 100)
        XCTAssertEqual(vocabulary.clsID, 101)
        XCTAssertEqual(vocabulary.sepID, 102)
        XCTAssertEqual(vocabulary.maskID, 103)
        XCTAssertEqual(vocabulary.id(of: "hello"), 7592)
        XCTAssertEqual(vocabulary.id(of: "##ble"), 3468)
        XCTAssertNil(vocabulary.id(of: "Hello"))
        XCTAssertEqual(vocabulary.token(of: 7592), "hello")
        XCTAssertEqual(vocabulary.token(of: 30_521), "##～")
        XCTAssertNil(vocabulary.token(of: 30_522))
        XCTAssertNil(vocabulary.token(of: -1))
    }

    func testVocabularyTokensCompareByBytes() throws {
        // Canonically equivalent spellings are distinct tokens, not duplicates.
        let vocabulary = try WordPieceVocabulary(tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "\u{E9}", "e\u{301}"])
        XCTAssertEqual(vocabulary.id(of: "\u{E9}"), 5)
        XCTAssertEqual(vocabulary.id(of: "e\u{301}"), 6)
    }

    func testVocabularyAcceptsCRLFAndNoFinalNewline() throws {
        let url = try temporaryFile(Array("[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\n[MASK]\r\nword".utf8))
        let vocabulary = try WordPieceVocabulary(contentsOf: url)
        XCTAssertEqual(vocabulary.count, 6)
        XCTAssertEqual(vocabulary.id(of: "word"), 5)
        XCTAssertEqual(vocabulary.id(of: "[MASK]"), 4)
    }

    func testMissingVocabularyFileIsReported() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-vocab-\(UUID().uuidString).txt")
        let error = try XCTUnwrap(loadError(at: url))
        XCTAssertEqual(error, .unreadableFile(path: url.path, reason: "no such file"))
        XCTAssertTrue(error.description.contains(url.path), error.description)
        XCTAssertThrowsError(try WordPieceTokenizer(vocabularyURL: url))
    }

    func testDirectoryIsReported() throws {
        let error = try XCTUnwrap(loadError(at: FileManager.default.temporaryDirectory))
        guard case .unreadableFile(_, let reason) = error else {
            return XCTFail("unexpected \(error)")
        }
        XCTAssertEqual(reason, "it is a directory")
    }

    func testEmptyVocabularyIsReported() throws {
        let url = try temporaryFile([])
        let error = try XCTUnwrap(loadError(at: url))
        XCTAssertEqual(error, .empty(source: url.path))
        XCTAssertEqual(error.description, "WordPiece vocabulary \(url.path) is empty: expected one token per line (a BERT vocab.txt)")
        XCTAssertThrowsError(try WordPieceVocabulary(tokens: [])) { error in
            XCTAssertEqual(error as? WordPieceVocabularyError, .empty(source: "<memory>"))
        }
    }

    func testDuplicateTokenIsReportedWithBothLines() throws {
        let url = try temporaryFile(Array((WordPieceTokenizerTests.specials + "cat\ndog\ncat\n").utf8))
        let error = try XCTUnwrap(loadError(at: url))
        XCTAssertEqual(error, .duplicateToken(source: url.path, token: "cat", line: 8, firstLine: 6))
        XCTAssertEqual(error.description, "WordPiece vocabulary \(url.path), line 8: duplicate token \"cat\" (first on line 6)")
    }

    func testMalformedLinesAreReported() throws {
        let blank = try XCTUnwrap(loadError(WordPieceTokenizerTests.specials + "cat\n\ndog\n"))
        guard case .malformedLine(_, 7, let reason) = blank else {
            return XCTFail("unexpected \(blank)")
        }
        XCTAssertTrue(reason.contains("empty line"), reason)
        XCTAssertTrue(blank.description.contains("line 7"), blank.description)

        let spaced = try XCTUnwrap(loadError(WordPieceTokenizerTests.specials + "two words\n"))
        guard case .malformedLine(_, 6, _) = spaced else {
            return XCTFail("unexpected \(spaced)")
        }
    }

    func testInvalidUTF8IsReportedWithItsLine() throws {
        let url = try temporaryFile(Array(WordPieceTokenizerTests.specials.utf8) + [0x63, 0x61, 0x74, 0x0A, 0xFF, 0xFE, 0x0A])
        XCTAssertEqual(loadError(at: url), .invalidUTF8(source: url.path, line: 7))
    }

    func testMissingSpecialTokenIsReported() throws {
        let error = try XCTUnwrap(loadError("[PAD]\n[UNK]\n[CLS]\n[SEP]\ncat\n"))
        guard case .missingSpecialToken(_, let token) = error else {
            return XCTFail("unexpected \(error)")
        }
        XCTAssertEqual(token, "[MASK]")
        XCTAssertTrue(error.description.contains("[MASK]"), error.description)
    }

    // MARK: - Concurrency

    func testConcurrentUseGivesTheSameIDs() throws {
        let tokenizer = try tokenizer()
        let texts = ["The quick brown fox.", "naïve café ΟΔΟΣ", "中文 and 日本語です", "hello😀world [SEP] 25°C"]
        let expected = texts.map { tokenizer.tokenize($0) }
        DispatchQueue.concurrentPerform(iterations: 64) { iteration in
            let index = iteration % texts.count
            XCTAssertEqual(tokenizer.tokenize(texts[index]), expected[index])
        }
    }
}
