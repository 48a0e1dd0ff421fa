import Foundation
import XCTest
import Encoders

/// all-MiniLM-L6-v2 against the Python reference (`Fixtures/minilm-reference.jsonl`, a copy of
/// shared/fixtures/minilm/reference.jsonl): the network from the reference token ids, the whole
/// encoder from text, batching, descriptors, and the loader's errors on broken model files.
///
/// The model comes from ``ModelLocation/miniLM`` (`$QUIVER_MODEL_DIR` or the user cache);
/// the tests fail, not skip, when it is missing: run `tools/fetch-model` first.
final class MiniLMEncoderTests: XCTestCase {
    /// One line of the reference file.
    struct Reference: Decodable {
        let id: String
        let category: String
        let text: String
        let tokenIDs: [Int32]
        let embedding: [Float]

        enum CodingKeys: String, CodingKey {
            case id, category, text, embedding
            case tokenIDs = "token_ids"
        }
    }

    /// The encoder, loaded once for all tests (or the error that prevented it).
    private static let shared: Result<MiniLMEncoder, any Error> = Result { try MiniLMEncoder() }

    /// The reference records, in file order.
    private static let references: Result<[Reference], any Error> = Result {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()
            .appendingPathComponent("Fixtures")
            .appendingPathComponent("minilm-reference.jsonl")
        let text = try String(contentsOf: url, encoding: .utf8)
        let decoder = JSONDecoder()
        return try text.split(separator: "\n", omittingEmptySubsequences: true).map {
            try decoder.decode(Reference.self, from: Data($0.utf8))
        }
    }

    /// Each reference record's embedding computed from its reference token ids on its own
    /// (batch of one, no padding), computed once for the tests that need it.
    private static let singleEmbeddings: Result<[[Float]], any Error> = Result {
        let encoder = try shared.get()
        return try references.get().map { try encoder.encode(tokenIDs: [$0.tokenIDs])[0] }
    }

    /// The shared encoder, failing the test with instructions when the model is not installed.
    private func encoder() throws -> MiniLMEncoder {
        switch MiniLMEncoderTests.shared {
        case .success(let encoder):
            return encoder
        case .failure(let error):
            XCTFail("all-MiniLM-L6-v2 could not be loaded from \(ModelLocation.miniLM.path): \(error). Run tools/fetch-model (CI runs it before the tests).")
            throw error
        }
    }

    /// The reference records.
    private func references() throws -> [Reference] {
        let records = try MiniLMEncoderTests.references.get()
        XCTAssertEqual(records.count, 178)
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

    /// Checks `embeddings` against the reference embeddings, record by record and on average.
    private func assertMatchesReferences(_ embeddings: [[Float]], _ records: [Reference], label: String) {
        XCTAssertEqual(embeddings.count, records.count)
        var worstCosine = 1.0, cosineSum = 0.0
        var worstDifference: Float = 0
        for (embedding, record) in zip(embeddings, records) {
            XCTAssertEqual(embedding.count, 384, record.id)
            let (cosine, difference) = compare(embedding, record.embedding)
            XCTAssertGreaterThanOrEqual(cosine, 0.9999, "\(label) \(record.id): cosine \(cosine)")
            XCTAssertLessThanOrEqual(difference, 1e-5, "\(label) \(record.id): max |difference| \(difference)")
            XCTAssertEqual(norm(embedding), 1, accuracy: 1e-5, "\(label) \(record.id)")
            worstCosine = min(worstCosine, cosine)
            worstDifference = max(worstDifference, difference)
            cosineSum += cosine
        }
        let meanCosine = cosineSum / Double(max(records.count, 1))
        XCTAssertGreaterThanOrEqual(meanCosine, 0.99999, label)
        print("\(label): \(records.count) records, cosine min \(worstCosine) mean \(meanCosine), max |difference| \(worstDifference)")
    }

    // MARK: - Against the reference

    func testEmbeddingsFromReferenceTokenIDsMatchReference() throws {
        _ = try encoder()
        let records = try references()
        let embeddings = try MiniLMEncoderTests.singleEmbeddings.get()
        assertMatchesReferences(embeddings, records, label: "token ids, one at a time")
    }

    func testBatchedEncodingEqualsOneAtATime() throws {
        let encoder = try encoder()
        let records = try references()
        let batched = try encoder.encode(tokenIDs: records.map(\.tokenIDs))
        let singles = try MiniLMEncoderTests.singleEmbeddings.get()
        var worst: Float = 0
        for (record, (vector, single)) in zip(records, zip(batched, singles)) {
            let difference = compare(single, vector).maximumDifference
            XCTAssertLessThanOrEqual(difference, 1e-5, record.id)
            worst = max(worst, difference)
        }
        print("batched vs one at a time: max |difference| \(worst)")
        assertMatchesReferences(batched, records, label: "token ids, batched")
    }

    func testTextsEncodeToReferenceTokenIDsAndEmbeddings() throws {
        let encoder = try encoder()
        let records = try references()
        for record in records {
            XCTAssertEqual(encoder.tokenIDs(record.text), record.tokenIDs, record.id)
        }
        let embeddings = try encoder.encode(records.map(\.text), role: .document)
        assertMatchesReferences(embeddings, records, label: "text, batched")
    }

    // MARK: - Encoder behaviour

    func testRoleIsIgnored() throws {
        let encoder = try encoder()
        let texts = ["how to brew green tea", "Green tea is brewed at 80 °C for two minutes."]
        XCTAssertEqual(try encoder.encode(texts, role: .query), try encoder.encode(texts, role: .document))
    }

    func testEmptyBatchGivesNoVectors() throws {
        let encoder = try encoder()
        XCTAssertEqual(try encoder.encode([String](), role: .document).count, 0)
        XCTAssertEqual(try encoder.encode(tokenIDs: []).count, 0)
    }

    func testSingleThreadedAndParallelEncodingAgree() throws {
        let records = try references()
        let shared = try encoder()
        let serial = try MiniLMEncoder(modelDirectory: shared.modelDirectory, threadCount: 1)
        let parallel = try MiniLMEncoder(modelDirectory: shared.modelDirectory, threadCount: 3)
        let texts = records.prefix(70).map(\.text)
        let expected = try serial.encode(texts, role: .document)
        // The encoder runs its own workers only while BLAS is single-threaded.
        let blasThreads = LinearAlgebra.threadCount
        LinearAlgebra.setThreadCount(1)
        defer { blasThreads.map(LinearAlgebra.setThreadCount) }
        for batch in [texts, Array(texts.prefix(32)), Array(texts.prefix(2))] {
            let vectors = try parallel.encode(batch, role: .document)
            XCTAssertEqual(vectors.count, batch.count)
            for (x, y) in zip(vectors, expected) {
                XCTAssertLessThanOrEqual(compare(x, y).maximumDifference, 1e-5)
            }
        }
    }

    func testConcurrentCallsGiveTheSameVectors() throws {
        let encoder = try encoder()
        let texts = try references().prefix(24).map(\.text)
        let expected = try encoder.encode(texts, role: .document)
        let results = Results(count: 4)
        DispatchQueue.concurrentPerform(iterations: 4) { index in
            results.set(index, Result { try encoder.encode(texts, role: .document) })
        }
        for index in 0..<4 {
            let vectors = try results.get(index)
            for (x, y) in zip(vectors, expected) {
                XCTAssertLessThanOrEqual(compare(x, y).maximumDifference, 1e-5)
            }
        }
    }

    func testLongTextIsTruncatedTo256Tokens() throws {
        let encoder = try encoder()
        let text = String(repeating: "retrieval ", count: 1000)
        let ids = encoder.tokenIDs(text)
        XCTAssertEqual(ids.count, 256)
        XCTAssertEqual(ids.first, 101)
        XCTAssertEqual(ids.last, 102)
        XCTAssertEqual(try encoder.encode(text, role: .document).count, 384)
    }

    func testInvalidTokenSequencesAreRejected() throws {
        let encoder = try encoder()
        XCTAssertThrowsError(try encoder.encode(tokenIDs: [[101, 102], []])) { error in
            XCTAssertEqual(error as? BertInputError, .emptySequence(index: 1))
        }
        XCTAssertThrowsError(try encoder.encode(tokenIDs: [[Int32](repeating: 1000, count: 257)])) { error in
            XCTAssertEqual(error as? BertInputError, .sequenceTooLong(index: 0, length: 257, limit: 256))
        }
        XCTAssertThrowsError(try encoder.encode(tokenIDs: [[101, 30522, 102]])) { error in
            XCTAssertEqual(error as? BertInputError, .invalidTokenID(index: 0, id: 30522, vocabularySize: 30522))
        }
        XCTAssertThrowsError(try encoder.encode(tokenIDs: [[101, -1, 102]]))
    }

    // MARK: - Descriptor

    func testDescriptorNamesTheModel() throws {
        let descriptor = try encoder().descriptor
        XCTAssertEqual(descriptor.kind, "minilm")
        XCTAssertEqual(descriptor.dimension, 384)
        XCTAssertEqual(descriptor.parameters, ["model": "all-MiniLM-L6-v2"])
        XCTAssertTrue(descriptor.fingerprint.hasPrefix("minilm-v1-t256-"), descriptor.fingerprint)
        XCTAssertEqual(descriptor.fingerprint.count, "minilm-v1-t256-".count + 64)
    }

    func testDescriptorRebuildsTheEncoder() throws {
        let encoder = try encoder()
        let rebuilt = try MiniLMEncoder(descriptor: encoder.descriptor, modelDirectory: encoder.modelDirectory)
        XCTAssertEqual(rebuilt.descriptor, encoder.descriptor)
        XCTAssertEqual(try rebuilt.encode("a quiver of arrows", role: .query), try encoder.encode("a quiver of arrows", role: .query))
    }

    func testDescriptorOfAnotherModelIsRefused() throws {
        let encoder = try encoder()
        var other = encoder.descriptor
        other.fingerprint = "minilm-v1-t256-" + String(repeating: "0", count: 64)
        XCTAssertThrowsError(try MiniLMEncoder(descriptor: other, modelDirectory: encoder.modelDirectory)) { error in
            guard case .fingerprintMismatch = error as? EncoderError else {
                return XCTFail("expected fingerprintMismatch, got \(error)")
            }
        }
        var hashing = encoder.descriptor
        hashing.kind = "hashing"
        XCTAssertThrowsError(try MiniLMEncoder(descriptor: hashing, modelDirectory: encoder.modelDirectory)) { error in
            XCTAssertEqual(error as? EncoderError, .kindMismatch(expected: "minilm", found: "hashing"))
        }
        var otherModel = encoder.descriptor
        otherModel.parameters["model"] = "all-MiniLM-L12-v2"
        XCTAssertThrowsError(try MiniLMEncoder(descriptor: otherModel, modelDirectory: encoder.modelDirectory))
    }

    func testChangedWeightsChangeTheFingerprint() throws {
        let encoder = try encoder()
        let directory = try SyntheticModel.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["config.json", "vocab.txt"] {
            try FileManager.default.copyItem(
                at: encoder.modelDirectory.appendingPathComponent(name), to: directory.appendingPathComponent(name)
            )
        }
        // Flip one float of the last layer's feed-forward output weights.
        var weights = try Data(contentsOf: encoder.modelDirectory.appendingPathComponent("model.safetensors"))
        let headerLength = weights.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = try XCTUnwrap(try JSONSerialization.jsonObject(with: weights[8..<(8 + headerLength)]) as? [String: Any])
        let entry = try XCTUnwrap(header["encoder.layer.5.output.dense.weight"] as? [String: Any])
        let offsets = try XCTUnwrap(entry["data_offsets"] as? [Int])
        weights[8 + headerLength + offsets[0] + 4] ^= 0x40
        try weights.write(to: directory.appendingPathComponent("model.safetensors"))

        let changed = try MiniLMEncoder(modelDirectory: directory)
        XCTAssertNotEqual(changed.descriptor.fingerprint, encoder.descriptor.fingerprint)
        XCTAssertThrowsError(try MiniLMEncoder(descriptor: encoder.descriptor, modelDirectory: directory))
    }

    // MARK: - Model files

    func testModelLocationFollowsTheEnvironment() {
        let location = ModelLocation.miniLM
        XCTAssertEqual(location.lastPathComponent, "all-MiniLM-L6-v2")
        if let explicit = ProcessInfo.processInfo.environment["QUIVER_MODEL_DIR"], !explicit.isEmpty {
            XCTAssertEqual(location.deletingLastPathComponent().standardizedFileURL.path, URL(fileURLWithPath: explicit).standardizedFileURL.path)
        } else {
            XCTAssertTrue(location.path.hasSuffix("quiver/models/all-MiniLM-L6-v2"), location.path)
        }
    }

    func testMissingModelTellsToFetchIt() throws {
        let directory = try SyntheticModel.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        XCTAssertThrowsError(try MiniLMEncoder(modelDirectory: directory)) { error in
            XCTAssertEqual(error as? ModelFileError, .missingFile(path: directory.appendingPathComponent("config.json").path))
            XCTAssertTrue("\(error)".contains("tools/fetch-model"), "\(error)")
        }
        try SyntheticModel.writeConfiguration(to: directory)
        XCTAssertThrowsError(try MiniLMEncoder(modelDirectory: directory)) { error in
            XCTAssertEqual(error as? ModelFileError, .missingFile(path: directory.appendingPathComponent("model.safetensors").path))
        }
    }

    func testConfigurationOfAnotherModelIsRejected() throws {
        let directory = try SyntheticModel.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("config.json").path

        try SyntheticModel.writeConfiguration(to: directory, changing: ["hidden_size": 768])
        XCTAssertThrowsError(try MiniLMEncoder(modelDirectory: directory)) { error in
            XCTAssertEqual(error as? ModelFileError, .configurationMismatch(path: path, key: "hidden_size", expected: "384", found: "768"))
        }
        try SyntheticModel.writeConfiguration(to: directory, changing: ["num_hidden_layers": 12])
        XCTAssertThrowsError(try MiniLMEncoder(modelDirectory: directory)) { error in
            XCTAssertEqual(error as? ModelFileError, .configurationMismatch(path: path, key: "num_hidden_layers", expected: "6", found: "12"))
        }
        try SyntheticModel.writeConfiguration(to: directory, changing: ["hidden_act": "gelu_new"])
        XCTAssertThrowsError(try MiniLMEncoder(modelDirectory: directory)) { error in
            XCTAssertEqual(error as? ModelFileError, .configurationMismatch(path: path, key: "hidden_act", expected: "gelu", found: "gelu_new"))
        }
        try SyntheticModel.writeConfiguration(to: directory, changing: ["num_attention_heads": 7])
        XCTAssertThrowsError(try MiniLMEncoder(modelDirectory: directory)) { error in
            guard case .invalidConfiguration(path, _) = error as? ModelFileError else {
                return XCTFail("expected invalidConfiguration, got \(error)")
            }
        }
        try Data("{\"hidden_size\": 384".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try MiniLMEncoder(modelDirectory: directory)) { error in
            guard case .invalidConfiguration(path, _) = error as? ModelFileError else {
                return XCTFail("expected invalidConfiguration, got \(error)")
            }
        }
    }

    func testTruncatedSafeTensorsIsRejected() throws {
        let directory = try SyntheticModel.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try SyntheticModel.writeConfiguration(to: directory)
        let path = directory.appendingPathComponent("model.safetensors").path

        try SyntheticModel.writeWeights(Data([1, 2, 3, 4]), to: directory)
        XCTAssertThrowsError(try MiniLMEncoder(modelDirectory: directory)) { error in
            XCTAssertEqual(error as? ModelFileError, .truncatedFile(path: path, size: 4, needed: 8))
            XCTAssertTrue("\(error)".contains(path))
        }
        try SyntheticModel.writeWeights(Data(), to: directory)
        XCTAssertThrowsError(try MiniLMEncoder(modelDirectory: directory)) { error in
            XCTAssertEqual(error as? ModelFileError, .truncatedFile(path: path, size: 0, needed: 1))
        }
        // The header says 1,000 bytes, the file holds 20.
        try SyntheticModel.writeWeights(SyntheticModel.littleEndian(1000) + Data(repeating: 0x20, count: 12), to: directory)
        XCTAssertThrowsError(try MiniLMEncoder(modelDirectory: directory)) { error in
            XCTAssertEqual(error as? ModelFileError, .truncatedFile(path: path, size: 20, needed: 1008))
        }
    }

    func testPartialDownloadOfTheRealModelNamesTheFirstCutTensor() throws {
        let encoder = try encoder()
        let directory = try SyntheticModel.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try SyntheticModel.writeConfiguration(to: directory)
        let real = try Data(contentsOf: encoder.modelDirectory.appendingPathComponent("model.safetensors"))
        try SyntheticModel.writeWeights(real.prefix(1 << 20), to: directory)
        XCTAssertThrowsError(try MiniLMEncoder(modelDirectory: directory)) { error in
            guard case .tensorOutOfBounds(let path, let tensor, _, _, _) = error as? ModelFileError else {
                return XCTFail("expected tensorOutOfBounds, got \(error)")
            }
            XCTAssertEqual(path, directory.appendingPathComponent("model.safetensors").path)
            XCTAssertFalse(tensor.isEmpty)
            XCTAssertTrue("\(error)".contains(tensor))
        }
    }

    func testMalformedSafeTensorsHeadersAreRejected() throws {
        let directory = try SyntheticModel.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try SyntheticModel.writeConfiguration(to: directory)
        let path = directory.appendingPathComponent("model.safetensors").path
        let word = "embeddings.word_embeddings.weight"

        func expect(header: String, data: Int = 16, _ check: (ModelFileError?) -> Void, line: UInt = #line) throws {
            try SyntheticModel.writeWeights(SyntheticModel.safetensors(header: header, dataSize: data), to: directory)
            XCTAssertThrowsError(try MiniLMEncoder(modelDirectory: directory), line: line) { error in
                check(error as? ModelFileError)
                XCTAssertTrue("\(error)".contains(path), "\(error)", line: line)
            }
        }

        try expect(header: "{\"a\": ") { error in
            guard case .malformedHeader(path, _) = error else { return XCTFail("\(String(describing: error))") }
        }
        try expect(header: "[1, 2]") { error in
            guard case .malformedHeader(path, _) = error else { return XCTFail("\(String(describing: error))") }
        }
        try expect(header: #"{"\#(word)": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}, "x": {"dtype": "F32", "shape": [4], "data_offsets": [16, 32]}}"#) { error in
            XCTAssertEqual(error, .tensorOutOfBounds(path: path, tensor: "x", start: 16, end: 32, dataSize: 16))
        }
        try expect(header: #"{"\#(word)": {"dtype": "Q4", "shape": [4], "data_offsets": [0, 16]}}"#) { error in
            XCTAssertEqual(error, .unknownDataType(path: path, tensor: word, dataType: "Q4"))
        }
        try expect(header: #"{"\#(word)": {"dtype": "F32", "shape": [3], "data_offsets": [0, 16]}}"#) { error in
            guard case .malformedTensor(path, word, _) = error else { return XCTFail("\(String(describing: error))") }
        }
        try expect(header: #"{"\#(word)": {"dtype": "F32", "shape": [4], "data_offsets": [8, 0]}}"#) { error in
            guard case .malformedTensor(path, word, _) = error else { return XCTFail("\(String(describing: error))") }
        }
        try expect(header: #"{"\#(word)": {"dtype": "F32", "shape": [-4], "data_offsets": [0, 16]}}"#) { error in
            guard case .malformedTensor(path, word, _) = error else { return XCTFail("\(String(describing: error))") }
        }
        try expect(header: #"{"\#(word)": {"dtype": "F32", "shape": [4]}}"#) { error in
            guard case .malformedTensor(path, word, _) = error else { return XCTFail("\(String(describing: error))") }
        }
        try expect(header: #"{"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}}"#) { error in
            guard case .malformedTensor(path, _, let reason) = error else { return XCTFail("\(String(describing: error))") }
            XCTAssertTrue(reason.contains("overlap"), reason)
        }
        // A well-formed file that lacks the model's tensors, or has them with the wrong shape or type.
        try expect(header: #"{"__metadata__": {"format": "pt"}}"#, data: 0) { error in
            XCTAssertEqual(error, .missingTensor(path: path, tensor: word))
        }
        try expect(header: #"{"\#(word)": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}}"#) { error in
            XCTAssertEqual(error, .wrongShape(path: path, tensor: word, expected: [30522, 384], found: [2, 2]))
        }
        try expect(header: #"{"\#(word)": {"dtype": "F16", "shape": [30522, 384], "data_offsets": [0, 23440896]}}"#, data: 23_440_896) { error in
            XCTAssertEqual(error, .wrongDataType(path: path, tensor: word, expected: "F32", found: "F16"))
        }
    }
}

/// Thread-safe result slots for the concurrency test.
private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<[[Float]], any Error>?]

    init(count: Int) {
        slots = Array(repeating: nil, count: count)
    }

    func set(_ index: Int, _ result: Result<[[Float]], any Error>) {
        lock.withLock { slots[index] = result }
    }

    func get(_ index: Int) throws -> [[Float]] {
        let slot = lock.withLock { slots[index] }
        return try XCTUnwrap(slot).get()
    }
}

/// Small synthetic model folders for the loader's error paths.
private enum SyntheticModel {
    /// all-MiniLM-L6-v2's `config.json` settings.
    static var configuration: [String: Any] {
        [
            "architectures": ["BertModel"], "model_type": "bert", "hidden_act": "gelu",
            "hidden_size": 384, "intermediate_size": 1536, "num_attention_heads": 12, "num_hidden_layers": 6,
            "vocab_size": 30522, "max_position_embeddings": 512, "type_vocab_size": 2, "layer_norm_eps": 1e-12,
            "position_embedding_type": "absolute", "pad_token_id": 0,
        ]
    }

    /// A new empty temporary folder.
    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("quiver-minilm-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes a `config.json` with `changes` applied to the MiniLM settings.
    static func writeConfiguration(to directory: URL, changing changes: [String: Any] = [:]) throws {
        let settings = configuration.merging(changes) { $1 }
        let data = try JSONSerialization.data(withJSONObject: settings, options: [.sortedKeys])
        try data.write(to: directory.appendingPathComponent("config.json"))
    }

    /// Writes `data` as the folder's `model.safetensors`.
    static func writeWeights(_ data: Data, to directory: URL) throws {
        try data.write(to: directory.appendingPathComponent("model.safetensors"))
    }

    /// `value` as 8 little-endian bytes.
    static func littleEndian(_ value: UInt64) -> Data {
        withUnsafeBytes(of: value.littleEndian) { Data($0) }
    }

    /// A safetensors file: header length, `header` padded with spaces to a multiple of 8, `dataSize` zero bytes.
    static func safetensors(header: String, dataSize: Int) -> Data {
        var json = Data(header.utf8)
        json.append(contentsOf: repeatElement(0x20, count: (8 - json.count % 8) % 8))
        return littleEndian(UInt64(json.count)) + json + Data(count: dataSize)
    }
}
