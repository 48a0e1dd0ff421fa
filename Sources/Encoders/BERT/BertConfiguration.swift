import Foundation

/// The architecture settings of a BERT encoder, as in a Hugging Face `config.json`.
struct BertConfiguration: Sendable, Hashable {
    /// The width of every token state (`hidden_size`).
    var hiddenSize: Int
    /// The number of transformer layers (`num_hidden_layers`).
    var layerCount: Int
    /// The number of attention heads per layer (`num_attention_heads`).
    var headCount: Int
    /// The width of the feed-forward layer (`intermediate_size`).
    var intermediateSize: Int
    /// The number of word-piece ids (`vocab_size`).
    var vocabularySize: Int
    /// The number of learned positions (`max_position_embeddings`).
    var maximumPositions: Int
    /// The number of token types (`type_vocab_size`).
    var tokenTypeCount: Int
    /// The LayerNorm epsilon (`layer_norm_eps`).
    var layerNormEpsilon: Float

    /// The width of one attention head.
    var headSize: Int { hiddenSize / headCount }

    /// all-MiniLM-L6-v2's settings.
    static let miniLML6 = BertConfiguration(
        hiddenSize: 384, layerCount: 6, headCount: 12, intermediateSize: 1536,
        vocabularySize: 30522, maximumPositions: 512, tokenTypeCount: 2, layerNormEpsilon: 1e-12
    )

    /// Creates a configuration from its values.
    init(
        hiddenSize: Int, layerCount: Int, headCount: Int, intermediateSize: Int,
        vocabularySize: Int, maximumPositions: Int, tokenTypeCount: Int, layerNormEpsilon: Float
    ) {
        self.hiddenSize = hiddenSize
        self.layerCount = layerCount
        self.headCount = headCount
        self.intermediateSize = intermediateSize
        self.vocabularySize = vocabularySize
        self.maximumPositions = maximumPositions
        self.tokenTypeCount = tokenTypeCount
        self.layerNormEpsilon = layerNormEpsilon
    }

    /// Reads and checks the `config.json` at `path`.
    ///
    /// Only BERT models with absolute position embeddings and the exact (erf) GELU are accepted.
    ///
    /// - Throws: ``ModelFileError/missingFile(path:)``, ``ModelFileError/unreadableFile(path:reason:)``,
    ///   ``ModelFileError/invalidConfiguration(path:reason:)`` or
    ///   ``ModelFileError/configurationMismatch(path:key:expected:found:)``.
    init(contentsOf path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ModelFileError.missingFile(path: path)
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ModelFileError.unreadableFile(path: path, reason: "\(error)")
        }
        let raw: RawBertConfiguration
        do {
            raw = try JSONDecoder().decode(RawBertConfiguration.self, from: data)
        } catch {
            throw ModelFileError.invalidConfiguration(path: path, reason: "not a BERT config.json (\(error))")
        }
        if let modelType = raw.modelType, modelType != "bert" {
            throw ModelFileError.configurationMismatch(path: path, key: "model_type", expected: "bert", found: modelType)
        }
        if let activation = raw.hiddenAct, activation != "gelu" {
            throw ModelFileError.configurationMismatch(path: path, key: "hidden_act", expected: "gelu", found: activation)
        }
        if let positions = raw.positionEmbeddingType, positions != "absolute" {
            throw ModelFileError.configurationMismatch(path: path, key: "position_embedding_type", expected: "absolute", found: positions)
        }
        self.init(
            hiddenSize: raw.hiddenSize, layerCount: raw.numHiddenLayers, headCount: raw.numAttentionHeads,
            intermediateSize: raw.intermediateSize, vocabularySize: raw.vocabSize,
            maximumPositions: raw.maxPositionEmbeddings, tokenTypeCount: raw.typeVocabSize ?? 2,
            layerNormEpsilon: Float(raw.layerNormEps ?? 1e-12)
        )
        let sizes: [(String, Int)] = [
            ("hidden_size", hiddenSize), ("num_hidden_layers", layerCount), ("num_attention_heads", headCount),
            ("intermediate_size", intermediateSize), ("vocab_size", vocabularySize),
            ("max_position_embeddings", maximumPositions), ("type_vocab_size", tokenTypeCount),
        ]
        for (key, value) in sizes where value <= 0 || value > 1 << 24 {
            throw ModelFileError.invalidConfiguration(path: path, reason: "\(key) = \(value) is out of range")
        }
        guard hiddenSize % headCount == 0 else {
            throw ModelFileError.invalidConfiguration(path: path, reason: "hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(headCount)")
        }
        guard layerNormEpsilon > 0, layerNormEpsilon.isFinite else {
            throw ModelFileError.invalidConfiguration(path: path, reason: "layer_norm_eps \(layerNormEpsilon) is not a positive number")
        }
    }

    /// Throws unless every setting equals `expected`'s, naming the first that differs.
    ///
    /// - Throws: ``ModelFileError/configurationMismatch(path:key:expected:found:)``.
    func check(against expected: BertConfiguration, path: String) throws {
        let pairs: [(String, Int, Int)] = [
            ("hidden_size", expected.hiddenSize, hiddenSize),
            ("num_hidden_layers", expected.layerCount, layerCount),
            ("num_attention_heads", expected.headCount, headCount),
            ("intermediate_size", expected.intermediateSize, intermediateSize),
            ("vocab_size", expected.vocabularySize, vocabularySize),
            ("max_position_embeddings", expected.maximumPositions, maximumPositions),
            ("type_vocab_size", expected.tokenTypeCount, tokenTypeCount),
        ]
        for (key, wanted, found) in pairs where wanted != found {
            throw ModelFileError.configurationMismatch(path: path, key: key, expected: "\(wanted)", found: "\(found)")
        }
        guard layerNormEpsilon == expected.layerNormEpsilon else {
            throw ModelFileError.configurationMismatch(path: path, key: "layer_norm_eps", expected: "\(expected.layerNormEpsilon)", found: "\(layerNormEpsilon)")
        }
    }
}

/// `config.json` as written by Hugging Face `transformers` (only the keys the encoder uses).
private struct RawBertConfiguration: Decodable {
    let modelType: String?
    let hiddenAct: String?
    let positionEmbeddingType: String?
    let hiddenSize: Int
    let numHiddenLayers: Int
    let numAttentionHeads: Int
    let intermediateSize: Int
    let vocabSize: Int
    let maxPositionEmbeddings: Int
    let typeVocabSize: Int?
    let layerNormEps: Double?

    private enum CodingKeys: String, CodingKey {
        case modelType = "model_type"
        case hiddenAct = "hidden_act"
        case positionEmbeddingType = "position_embedding_type"
        case hiddenSize = "hidden_size"
        case numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads"
        case intermediateSize = "intermediate_size"
        case vocabSize = "vocab_size"
        case maxPositionEmbeddings = "max_position_embeddings"
        case typeVocabSize = "type_vocab_size"
        case layerNormEps = "layer_norm_eps"
    }
}
