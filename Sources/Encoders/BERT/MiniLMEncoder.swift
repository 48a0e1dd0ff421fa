import Foundation
import Synchronization

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

    /// The network.
    let model: BertModel
    /// Scratch buffers for forward passes.
    let workspaces: BertWorkspacePool

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
        self.model = BertModel(configuration: configuration, weights: weights)
        self.workspaces = BertWorkspacePool(
            hiddenSize: configuration.hiddenSize, intermediateSize: configuration.intermediateSize,
            capacity: self.threadCount
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
        guard descriptor.kind == MiniLMEncoder.kind else {
            throw EncoderError.kindMismatch(expected: MiniLMEncoder.kind, found: descriptor.kind)
        }
        let model = descriptor.parameters["model"] ?? "(none)"
        guard model == MiniLMEncoder.modelName else {
            throw EncoderError.kindMismatch(expected: "\(MiniLMEncoder.kind) \(MiniLMEncoder.modelName)", found: "\(descriptor.kind) \(model)")
        }
        try self.init(modelDirectory: modelDirectory, threadCount: threadCount)
        guard descriptor.dimension == dimension else {
            throw EncoderError.invalidDimension(descriptor.dimension)
        }
        guard descriptor.fingerprint == self.descriptor.fingerprint else {
            throw EncoderError.fingerprintMismatch(expected: self.descriptor.fingerprint, found: descriptor.fingerprint)
        }
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
        let vocabularySize = model.configuration.vocabularySize
        for (index, sequence) in sequences.enumerated() {
            guard !sequence.isEmpty else { throw BertInputError.emptySequence(index: index) }
            guard sequence.count <= MiniLMEncoder.maximumTokens else {
                throw BertInputError.sequenceTooLong(index: index, length: sequence.count, limit: MiniLMEncoder.maximumTokens)
            }
            if let bad = sequence.first(where: { $0 < 0 || Int($0) >= vocabularySize }) {
                throw BertInputError.invalidTokenID(index: index, id: bad, vocabularySize: vocabularySize)
            }
        }
        // With multi-threaded BLAS, one batch at a time (BLAS fills the cores); otherwise our own workers.
        let parallelism = (LinearAlgebra.threadCount ?? 1) > 1 ? 1 : threadCount
        let units = MiniLMEncoder.workUnits(lengths: sequences.map(\.count), workers: parallelism)
        var result = [[Float]](repeating: [], count: sequences.count)
        let workers = Swift.min(parallelism, units.count)
        guard workers > 1 else {
            workspaces.withWorkspace { workspace in
                for unit in units {
                    run(unit, of: sequences, in: workspace) { result[$0] = $1 }
                }
            }
            return result
        }
        result.withUnsafeMutableBufferPointer { output in
            let destination = ChunkDestination(base: output.baseAddress)
            let next = Atomic<Int>(0)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                workspaces.withWorkspace { workspace in
                    while case let index = next.wrappingAdd(1, ordering: .relaxed).oldValue, index < units.count {
                        run(units[index], of: sequences, in: workspace) { destination.store($1, at: $0) }
                    }
                }
            }
        }
        return result
    }

    /// Runs the sequences at `indices` through the model as one batch, handing each embedding to `store` with its index.
    private func run(_ indices: [Int], of sequences: [[Int32]], in workspace: BertWorkspace, store: (Int, [Float]) -> Void) {
        model.embed(indices.map { sequences[$0] }, workspace: workspace)
        for (slot, index) in indices.enumerated() {
            store(index, Array(UnsafeBufferPointer(start: workspace.pooled + slot * dimension, count: dimension)))
        }
    }

    /// The token ids all-MiniLM-L6-v2 sees for `text`: `[CLS]` (101), up to 254 word pieces, `[SEP]` (102).
    public func tokenIDs(_ text: String) -> [Int32] {
        tokenizer.tokenize(text)
    }

    /// Groups sequence indices into batches (see ``batches(lengths:)``), then splits the
    /// biggest batches in two until there are at least `workers` of them (when possible), so
    /// a single batch of texts still keeps every worker busy.
    static func workUnits(lengths: [Int], workers: Int) -> [[Int]] {
        var units = batches(lengths: lengths)
        while units.count < workers {
            let tokens = units.map { $0.reduce(0) { $0 + lengths[$1] } }
            guard let largest = units.indices.filter({ units[$0].count > 1 }).max(by: { tokens[$0] < tokens[$1] }) else { break }
            // Alternate members (sorted by length) so both halves get similar token counts.
            let unit = units[largest]
            units[largest] = stride(from: 0, to: unit.count, by: 2).map { unit[$0] }
            units.insert(stride(from: 1, to: unit.count, by: 2).map { unit[$0] }, at: largest + 1)
        }
        return units
    }

    /// Groups sequence indices into batches: longest first, at most ``batchSize`` sequences
    /// and ``maximumBatchTokens`` tokens each, so sequences of similar length run together.
    static func batches(lengths: [Int]) -> [[Int]] {
        let order = lengths.indices.sorted { (lengths[$0], $1) > (lengths[$1], $0) }
        var batches: [[Int]] = []
        var current: [Int] = []
        var tokens = 0
        for index in order {
            if !current.isEmpty, current.count == batchSize || tokens + lengths[index] > maximumBatchTokens {
                batches.append(current)
                current = []
                tokens = 0
            }
            current.append(index)
            tokens += lengths[index]
        }
        if !current.isEmpty { batches.append(current) }
        return batches
    }
}
