import Foundation
import XCTest
@testable import Encoders

/// multilingual-e5-small against the Python reference (`Fixtures/me5-reference.jsonl`, a copy
/// of shared/fixtures/me5/reference.jsonl: 306 records, sentence-transformers over exactly the
/// dequantized 4-bit weights): the tokenizer's ids, the network from the reference ids, the
/// whole encoder from text in both roles, batching, descriptors and memory.
///
/// The model comes from ``ModelLocation/multilingualE5Small`` (`$QUIVER_MODEL_DIR` or the user
/// cache); the tests fail, not skip, when it is missing: run `tools/fetch-model e5` first.
final class E5EncoderTests: XCTestCase {
    /// One line of the reference file.
    struct Reference: Decodable {
        let id: String
        let category: String
        let role: String
        let text: String
        let tokenIDs: [Int32]
        let embedding: [Float]

        enum CodingKeys: String, CodingKey {
            case id, category, role, text, embedding
            case tokenIDs = "token_ids"
        }

        /// The encoding role the record was produced with.
        var encodingRole: EncodingRole { role == "query" ? .query : .document }
    }

    /// The encoder, loaded once for all tests (or the error that prevented it).
    private static let shared: Result<E5Encoder, any Error> = Result { try E5Encoder() }

    /// The reference records, in file order.
    private static let references: Result<[Reference], any Error> = Result {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()
            .appendingPathComponent("Fixtures")
            .appendingPathComponent("me5-reference.jsonl")
        let text = try String(contentsOf: url, encoding: .utf8)
        let decoder = JSONDecoder()
        return try text.split(separator: "\n", omittingEmptySubsequences: true).map {
            try decoder.decode(Reference.self, from: Data($0.utf8))
        }
    }

    /// The shared encoder, failing the test with instructions when the model is not installed.
    private func encoder() throws -> E5Encoder {
        switch E5EncoderTests.shared {
        case .success(let encoder):
            return encoder
        case .failure(let error):
            XCTFail("multilingual-e5-small could not be loaded from \(ModelLocation.multilingualE5Small.path): \(error). Run tools/fetch-model e5 (CI runs it before the tests).")
            throw error
        }
    }

    /// The reference records.
    private func references() throws -> [Reference] {
        let records = try E5EncoderTests.references.get()
        XCTAssertEqual(records.count, 306)
        return records
    }

    /// The cosine and the largest absolute component difference of two vectors.
    private func compare(_ a: [Float], _ b: [Float]) -> (cosine: Double, maximumDifference: Float) {
        precondition(a.count == b.count)
        var dot = 0.0, normA = 0.0, normB = 0.0
        var difference: Float = 0
        for (x, y) in zip(a, b) {
            dot += Double(x) * Double(y)
            normA += Double(x) * Double(x)
            normB += Double(y) * Double(y)
            difference = max(difference, abs(x - y))
        }
        return (dot / (normA.squareRoot() * normB.squareRoot()), difference)
    }

    /// Checks `embeddings` against the reference embeddings, record by record.
    private func assertMatchesReferences(_ embeddings: [[Float]], _ records: [Reference], label: String) {
        XCTAssertEqual(embeddings.count, records.count)
        var worstCosine = 1.0
        var worstDifference: Float = 0
        for (embedding, record) in zip(embeddings, records) {
            XCTAssertEqual(embedding.count, 384, record.id)
            let (cosine, difference) = compare(embedding, record.embedding)
            XCTAssertGreaterThanOrEqual(cosine, 0.9999, "\(label) \(record.id) (\(record.role)): cosine \(cosine)")
            XCTAssertLessThanOrEqual(difference, 1e-5, "\(label) \(record.id) (\(record.role)): max |difference| \(difference)")
            XCTAssertEqual(norm(embedding), 1, accuracy: 1e-5, "\(label) \(record.id)")
            worstCosine = min(worstCosine, cosine)
            worstDifference = max(worstDifference, difference)
        }
        print("\(label): \(records.count) records, worst cosine \(worstCosine), max |difference| \(worstDifference)")
    }

    // MARK: - Against the reference

    func testTokenIDsMatchTheReferenceForEveryRecord() throws {
        let encoder = try encoder()
        var mismatches: [String] = []
        for record in try references() {
            let ids = encoder.tokenIDs(record.text, role: record.encodingRole)
            if ids != record.tokenIDs {
                mismatches.append(record.id + "/" + record.role)
                XCTAssertEqual(ids, record.tokenIDs, "\(record.id) (\(record.role))")
            }
        }
        XCTAssertEqual(mismatches, [], "token ids differ for \(mismatches.count) of 306 records")
    }

    func testEmbeddingsFromReferenceTokenIDsMatchTheReference() throws {
        let encoder = try encoder()
        let records = try references()
        let embeddings = try records.map { try encoder.encode(tokenIDs: [$0.tokenIDs])[0] }
        assertMatchesReferences(embeddings, records, label: "e5 token ids, one at a time")
    }

    func testTextsEncodeToTheReferenceInBatches() throws {
        let encoder = try encoder()
        let records = try references()
        var embeddings = [[Float]](repeating: [], count: records.count)
        for role in EncodingRole.allCases {
            let indices = records.indices.filter { records[$0].encodingRole == role }
            let vectors = try encoder.encode(indices.map { records[$0].text }, role: role)
            for (index, vector) in zip(indices, vectors) { embeddings[index] = vector }
        }
        assertMatchesReferences(embeddings, records, label: "e5 texts, batched by role")
    }

    // MARK: - Tokenizer rules

    func testTokenizerEdgeCases() throws {
        let tokenizer = try encoder().tokenizer
        XCTAssertEqual(tokenizer.vocabularySize, 250_002)
        // The prefixes.
        XCTAssertEqual(tokenizer.tokenize("query: "), [0, 41, 1294, 12, 2])
        XCTAssertEqual(tokenizer.tokenize("passage: "), [0, 46692, 12, 2])
        // Empty and whitespace-only text give no pieces.
        XCTAssertEqual(tokenizer.tokenize(""), [0, 2])
        XCTAssertEqual(tokenizer.tokenize(" \t\u{3000}\n\u{85} "), [0, 2])
        // Leading, trailing and repeated whitespace are dropped.
        XCTAssertEqual(tokenizer.tokenize("  hello   world "), tokenizer.tokenize("hello world"))
        // Special tokens are cut out first; every following word gets ▁ again.
        let a = try XCTUnwrap(tokenizer.id(of: "▁a"))
        let b = try XCTUnwrap(tokenizer.id(of: "▁b"))
        XCTAssertEqual(tokenizer.tokenize("a<mask>b"), [0, a, 250_001, b, 2])
        XCTAssertEqual(tokenizer.tokenize("<s></s><pad><unk>"), [0, 0, 2, 1, 3, 2])
        // Runs of unknown characters fuse into one <unk>; NUL is unknown, not an end of string.
        let unknownRun = tokenizer.tokenize("𓀀𓀁")
        XCTAssertEqual(unknownRun.filter { $0 == 3 }.count, 1, "\(unknownRun)")
        XCTAssertTrue(tokenizer.tokenize("a\u{0}b").contains(3))
        // Normalisation: full width folds; a combining accent composes (the cluster rule).
        XCTAssertEqual(tokenizer.tokenize("ＡＢＣ１２３"), tokenizer.tokenize("ABC123"))
        XCTAssertEqual(tokenizer.tokenize("cafe\u{301}"), tokenizer.tokenize("café"))
        XCTAssertEqual(tokenizer.tokenize("e\u{301}\u{301}"), tokenizer.tokenize("é"))
        // Truncation: 512 ids at most, cut inside the text.
        let long = tokenizer.tokenize(String(repeating: "中文", count: 600))
        XCTAssertEqual(long.count, 512)
        XCTAssertEqual(long.first, 0)
        XCTAssertEqual(long.last, 2)
    }

    func testClusterRulesAreAllEmbedded() {
        XCTAssertEqual(ClusterRules.rules.count, 837)
        XCTAssertEqual(ClusterRules.table.split(separator: "\n").count, 837)
        XCTAssertEqual(ClusterRules.rules[[0x65, 0x301]], ["\u{E9}"])
        XCTAssertLessThanOrEqual(ClusterRules.longestKey, 3)
    }

    // MARK: - Encoder behaviour

    func testRolesUseTheirPrefixes() throws {
        let encoder = try encoder()
        let text = "北京是中国的首都"
        let query = try encoder.encode(text, role: .query)
        let document = try encoder.encode(text, role: .document)
        XCTAssertLessThan(cosine(query, document), 0.999)
        XCTAssertEqual(encoder.tokenIDs(text, role: .query), encoder.tokenizer.tokenize("query: " + text))
        XCTAssertEqual(encoder.tokenIDs(text, role: .document), encoder.tokenizer.tokenize("passage: " + text))
        XCTAssertEqual(E5Encoder.prefix(for: .query), "query: ")
        XCTAssertEqual(E5Encoder.prefix(for: .document), "passage: ")
    }

    func testChineseQueryFindsItsPassage() throws {
        let encoder = try encoder()
        let passages = [
            "北京是中华人民共和国的首都，也是全国的政治和文化中心。",
            "熊猫主要生活在四川的竹林里，以竹子为食。",
            "The Eiffel Tower is in Paris.",
        ]
        let vectors = try encoder.encode(passages, role: .document)
        let query = try encoder.encode("大熊猫吃什么？", role: .query)
        let scores = vectors.map { cosine($0, query) }
        XCTAssertEqual(scores.indices.max { scores[$0] < scores[$1] }, 1, "\(scores)")
    }

    func testSingleThreadedAndParallelEncodingAgree() throws {
        let encoder = try encoder()
        let single = try E5Encoder(modelDirectory: encoder.modelDirectory, threadCount: 1)
        let texts = try references().prefix(70).map(\.text)
        let a = try single.encode(texts, role: .document)
        let b = try encoder.encode(texts, role: .document)
        for (x, y) in zip(a, b) {
            XCTAssertGreaterThan(cosine(x, y), 0.999999)
        }
    }

    func testInvalidTokenSequencesAreRejected() throws {
        let encoder = try encoder()
        XCTAssertThrowsError(try encoder.encode(tokenIDs: [[]])) {
            XCTAssertEqual($0 as? BertInputError, .emptySequence(index: 0))
        }
        XCTAssertThrowsError(try encoder.encode(tokenIDs: [[0, 2], Array(repeating: 5, count: 513)])) {
            XCTAssertEqual($0 as? BertInputError, .sequenceTooLong(index: 1, length: 513, limit: 512))
        }
        XCTAssertThrowsError(try encoder.encode(tokenIDs: [[0, 250_037, 2]])) {
            XCTAssertEqual($0 as? BertInputError, .invalidTokenID(index: 0, id: 250_037, vocabularySize: 250_037))
        }
        XCTAssertEqual(try encoder.encode([], role: .query).count, 0)
    }

    func testDescriptorNamesTheModelAndRebuildsTheEncoder() throws {
        let encoder = try encoder()
        let descriptor = encoder.descriptor
        XCTAssertEqual(descriptor.kind, "e5")
        XCTAssertEqual(descriptor.dimension, 384)
        XCTAssertEqual(descriptor.parameters["model"], "multilingual-e5-small")
        XCTAssertTrue(descriptor.fingerprint.hasPrefix("e5-v1-t512-"), descriptor.fingerprint)
        let rebuilt = try E5Encoder(descriptor: descriptor, threadCount: 1)
        XCTAssertEqual(rebuilt.descriptor, descriptor)

        var other = descriptor
        other.fingerprint = "e5-v1-t512-" + String(repeating: "0", count: 64)
        XCTAssertThrowsError(try E5Encoder(descriptor: other)) { error in
            guard case .fingerprintMismatch = error as? EncoderError else { return XCTFail("\(error)") }
        }
        other = descriptor
        other.kind = "minilm"
        XCTAssertThrowsError(try E5Encoder(descriptor: other)) { error in
            XCTAssertEqual(error as? EncoderError, .kindMismatch(expected: "e5", found: "minilm"))
        }
    }

    func testMissingModelTellsToFetchIt() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quiver-e5-missing-\(UUID().uuidString)")
        XCTAssertThrowsError(try E5Encoder(modelDirectory: directory)) { error in
            XCTAssertEqual(error as? ModelFileError, .missingFile(path: directory.appendingPathComponent("e5-small-q4.bin").path))
            XCTAssertTrue("\(error)".contains("tools/fetch-model"))
        }
    }

    func testModelLocationFollowsTheEnvironment() {
        XCTAssertEqual(ModelLocation.multilingualE5Small.lastPathComponent, "multilingual-e5-small")
        XCTAssertEqual(ModelLocation.multilingualE5Small.deletingLastPathComponent().path, ModelLocation.modelsDirectory.path)
    }
}
