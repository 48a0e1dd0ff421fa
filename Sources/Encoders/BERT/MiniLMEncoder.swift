import Foundation

/// The sentence-transformers all-MiniLM-L6-v2 encoder in pure Swift: WordPiece tokenization,
/// a 6-layer BERT (hidden 384, 12 heads), mean pooling over all tokens (`[CLS]` and `[SEP]`
/// included) and L2 normalisation, giving 384-dimensional unit vectors.
///
/// The model files (`model.safetensors`, `vocab.txt`, `config.json`) are read from a folder,
/// by default ``ModelLocation/miniLM`` (run `tools/fetch-model` to fill it). The weights are
/// memory-mapped, not copied. Matrix products go through BLAS (Accelerate on Apple platforms,
/// OpenBLAS on Linux).
///
/// Texts are truncated to 256 token ids, as sentence-transformers does. Texts are sorted by
/// length and run up to 32 at a time, packed without padding: each text attends only to its
/// own tokens, which is exactly padding with an attention mask, minus the wasted work. A
/// text's vector does not depend on the other texts of its batch beyond float rounding of
/// the matrix products (measured: under 3e-7 per component), but it is not bit-identical
/// across batch compositions, thread counts or CPUs (BLAS picks kernels per CPU).
///
/// The encoder is immutable apart from a lock-protected pool of scratch buffers, and is safe
/// to share between threads; concurrent calls each use their own buffers.
public final class MiniLMEncoder: TextEncoder {
    /// The descriptor `kind` of this encoder family.
    public static let kind = "minilm"
    /// The model name recorded in the descriptor's `model` parameter and used as its folder name.
    public static let modelName = "all-MiniLM-L6-v2"
    /// The version of the inference code, part of the fingerprint; bumped whenever output could change.
    public static let version = "1"
    /// The most token ids per text, `[CLS]` and `[SEP]` included (sentence-transformers' `max_seq_length`).
    public static let maximumTokens = 256
    /// The most texts run through the model together.
    public static let batchSize = 32
    /// The most token rows in one batch (bounds the scratch memory at about 60 MB).
    static let maximumBatchTokens = 4096

    /// The length of every vector: 384.
    public let dimension: Int
    /// What a store records to recognise and rebuild this encoder.
    public let descriptor: EncoderDescriptor
    /// The folder the model was loaded from.
    public let modelDirectory: URL
    /// The tokenizer built from the model's `vocab.txt`.
    public let tokenizer: WordPieceTokenizer
    /// The most batches one `encode` call runs at once (when BLAS is single-threaded; see ``LinearAlgebra``).
    public let threadCount: Int

    /// The network and its batching.
    let runner: BertBatchRunner

    /// Loads all-MiniLM-L6-v2 from `modelDirectory`.
    ///
    /// - Parameters:
    ///   - modelDirectory: The folder holding `model.safetensors`, `vocab.txt` and `config.json`.
    ///   - threadCount: The most batches one `encode` call runs at once (default: the number of
    ///     active processors); a call with fewer batches splits them. When BLAS is itself
    ///     multi-threaded (see ``LinearAlgebra``), batches run one at a time instead. Results
    ///     do not depend on it beyond float rounding.
    /// - Throws: ``ModelFileError`` when a file is missing (run `tools/fetch-model`), malformed,
    ///   or holds a different model (the error names the file and the tensor);
    ///   `WordPieceVocabularyError` when `vocab.txt` cannot be read.
    public init(modelDirectory: URL = ModelLocation.miniLM, threadCount: Int? = nil) throws {
        let configurationPath = modelDirectory.appendingPathComponent("config.json").path
        let weightsPath = modelDirectory.appendingPathComponent("model.safetensors").path
        let vocabularyURL = modelDirectory.appendingPathComponent("vocab.txt")

        let configuration = try BertConfiguration(contentsOf: configurationPath)
        try configuration.check(against: .miniLML6, path: configurationPath)
        let file = try SafeTensorsFile(path: weightsPath)
        let weights = try BertWeights(file: file, configuration: configuration)

        guard FileManager.default.fileExists(atPath: vocabularyURL.path) else {
            throw ModelFileError.missingFile(path: vocabularyURL.path)
        }
        let vocabularyBytes: Data
        do {
            vocabularyBytes = try Data(contentsOf: vocabularyURL)
        } catch {
            throw ModelFileError.unreadableFile(path: vocabularyURL.path, reason: "\(error)")
        }
        let tokenizer = try WordPieceTokenizer(vocabularyURL: vocabularyURL, maximumLength: MiniLMEncoder.maximumTokens)
        guard tokenizer.vocabulary.count == configuration.vocabularySize else {
            throw ModelFileError.configurationMismatch(
                path: vocabularyURL.path, key: "number of tokens",
                expected: "\(configuration.vocabularySize) (vocab_size)", found: "\(tokenizer.vocabulary.count)"
            )
        }

        let digest = ModelFingerprint.digest(weights: file, vocabulary: vocabularyBytes)
        self.dimension = configuration.hiddenSize
        self.threadCount = Swift.max(1, threadCount ?? ProcessInfo.processInfo.activeProcessorCount)
        self.modelDirectory = modelDirectory
        self.tokenizer = tokenizer
        self.runner = BertBatchRunner(
            model: BertModel(configuration: configuration, weights: weights), threadCount: self.threadCount,
            maximumTokens: MiniLMEncoder.maximumTokens, batchSize: MiniLMEncoder.batchSize,
            maximumBatchTokens: MiniLMEncoder.maximumBatchTokens
        )
        self.descriptor = EncoderDescriptor(
            kind: MiniLMEncoder.kind,
            dimension: configuration.hiddenSize,
            parameters: ["model": MiniLMEncoder.modelName],
            fingerprint: "\(MiniLMEncoder.kind)-v\(MiniLMEncoder.version)-t\(MiniLMEncoder.maximumTokens)-\(digest)"
        )
    }

    /// Rebuilds the encoder a store recorded in `descriptor`, loading the model from `modelDirectory`.
    ///
    /// - Throws: ``EncoderError/kindMismatch(expected:found:)`` for another encoder family or
    ///   model, ``EncoderError/invalidDimension(_:)`` for a dimension other than 384,
    ///   ``EncoderError/fingerprintMismatch(expected:found:)`` when the files in
    ///   `modelDirectory` are not the model the store was built with, and the errors of
    ///   ``init(modelDirectory:threadCount:)``.
    public convenience init(descriptor: EncoderDescriptor, modelDirectory: URL = ModelLocation.miniLM, threadCount: Int? = nil) throws {
        try descriptor.requireModel(kind: MiniLMEncoder.kind, model: MiniLMEncoder.modelName)
        try self.init(modelDirectory: modelDirectory, threadCount: threadCount)
        try descriptor.requireSameModel(as: self.descriptor)
    }

    /// Encodes `texts`, returning one unit-length 384-float vector per text, in order.
    ///
    /// `role` is ignored: all-MiniLM-L6-v2 is symmetric (queries and documents are encoded
    /// the same way, without prefixes). Each text is cut to its first 256 token ids.
    public func encode(_ texts: [String], role: EncodingRole) throws -> [[Float]] {
        try encode(tokenIDs: texts.map(tokenizer.tokenize))
    }

    /// Embeds already tokenized texts (each `[CLS] … [SEP]`, at most 256 ids), one unit-length
    /// vector per sequence, in order; for testing and debugging the network on its own.
    ///
    /// - Throws: ``BertInputError`` for an empty or too long sequence or an id outside the vocabulary.
    public func encode(tokenIDs sequences: [[Int32]]) throws -> [[Float]] {
        try runner.embed(sequences)
    }

    /// The token ids all-MiniLM-L6-v2 sees for `text`: `[CLS]` (101), up to 254 word pieces, `[SEP]` (102).
    public func tokenIDs(_ text: String) -> [Int32] {
        tokenizer.tokenize(text)
    }
}
