/// All tensors of a BERT encoder, looked up by their Hugging Face names and shape-checked against a configuration.
///
/// Names carry no `bert.` prefix (as saved by sentence-transformers). The pooler and
/// `embeddings.position_ids` are not used and not required.
struct BertWeights: Sendable {
    /// A linear layer `y = x·Wᵀ + b` with `W` stored `[outputs, inputs]`.
    struct Linear: Sendable {
        /// `[outputs, inputs]`, row-major.
        let weight: FloatTensor
        /// `[outputs]`.
        let bias: FloatTensor
        /// The input width.
        var inputs: Int { weight.shape[1] }
        /// The output width.
        var outputs: Int { weight.shape[0] }
    }

    /// A LayerNorm's scale and shift.
    struct Norm: Sendable {
        /// The scale, `[hidden]`.
        let weight: FloatTensor
        /// The shift, `[hidden]`.
        let bias: FloatTensor
    }

    /// One transformer layer.
    struct Layer: Sendable {
        /// The query, key and value projections stacked into one `[3·hidden, hidden]` layer
        /// (assembled at load time), so one matrix product computes all three.
        let queryKeyValue: Linear
        /// The projection of the attention context back to the hidden width.
        let attentionOutput: Linear
        /// The LayerNorm after attention and its residual.
        let attentionNorm: Norm
        /// The feed-forward expansion (hidden → intermediate).
        let intermediate: Linear
        /// The feed-forward contraction (intermediate → hidden).
        let output: Linear
        /// The LayerNorm after the feed-forward block and its residual.
        let outputNorm: Norm
    }

    /// `[vocabulary, hidden]`.
    let wordEmbeddings: WordEmbeddingTable
    /// `[positions, hidden]`.
    let positionEmbeddings: FloatTensor
    /// `[token types, hidden]`.
    let tokenTypeEmbeddings: FloatTensor
    /// The LayerNorm applied to the summed embeddings.
    let embeddingNorm: Norm
    /// The transformer layers, first to last.
    let layers: [Layer]

    /// Creates the weights from their parts (for model formats other than safetensors).
    init(wordEmbeddings: WordEmbeddingTable, positionEmbeddings: FloatTensor, tokenTypeEmbeddings: FloatTensor, embeddingNorm: Norm, layers: [Layer]) {
        self.wordEmbeddings = wordEmbeddings
        self.positionEmbeddings = positionEmbeddings
        self.tokenTypeEmbeddings = tokenTypeEmbeddings
        self.embeddingNorm = embeddingNorm
        self.layers = layers
    }

    /// Looks up every tensor in `file`, checking each one's shape against `configuration`.
    ///
    /// - Throws: ``ModelFileError`` naming the file and the first missing, mistyped or misshapen tensor.
    init(file: SafeTensorsFile, configuration: BertConfiguration) throws {
        let hidden = configuration.hiddenSize
        let intermediate = configuration.intermediateSize

        func linear(_ prefix: String, outputs: Int, inputs: Int) throws -> Linear {
            Linear(
                weight: try file.floatTensor(prefix + ".weight", shape: [outputs, inputs]),
                bias: try file.floatTensor(prefix + ".bias", shape: [outputs])
            )
        }
        func norm(_ prefix: String) throws -> Norm {
            Norm(
                weight: try file.floatTensor(prefix + ".weight", shape: [hidden]),
                bias: try file.floatTensor(prefix + ".bias", shape: [hidden])
            )
        }

        wordEmbeddings = .dense(try file.floatTensor("embeddings.word_embeddings.weight", shape: [configuration.vocabularySize, hidden]))
        positionEmbeddings = try file.floatTensor("embeddings.position_embeddings.weight", shape: [configuration.maximumPositions, hidden])
        tokenTypeEmbeddings = try file.floatTensor("embeddings.token_type_embeddings.weight", shape: [configuration.tokenTypeCount, hidden])
        embeddingNorm = try norm("embeddings.LayerNorm")
        layers = try (0..<configuration.layerCount).map { index in
            let prefix = "encoder.layer.\(index)."
            let projections = try ["query", "key", "value"].map {
                try linear(prefix + "attention.self." + $0, outputs: hidden, inputs: hidden)
            }
            return Layer(
                queryKeyValue: Linear(
                    weight: FloatTensor(stacking: projections.map(\.weight), name: prefix + "attention.self.{query,key,value}.weight"),
                    bias: FloatTensor(stacking: projections.map(\.bias), name: prefix + "attention.self.{query,key,value}.bias")
                ),
                attentionOutput: try linear(prefix + "attention.output.dense", outputs: hidden, inputs: hidden),
                attentionNorm: try norm(prefix + "attention.output.LayerNorm"),
                intermediate: try linear(prefix + "intermediate.dense", outputs: intermediate, inputs: hidden),
                output: try linear(prefix + "output.dense", outputs: hidden, inputs: intermediate),
                outputNorm: try norm(prefix + "output.LayerNorm")
            )
        }
    }
}
