/// The BERT encoder's forward pass with mean pooling and L2 normalisation (sentence-transformers'
/// Transformer → Pooling(mean) → Normalize), all matrix products through BLAS.
///
/// A batch is processed "packed": the sequences' token rows are stacked without padding,
/// so every dense layer is one matrix product over all real tokens of the batch, and
/// attention runs per sequence and head over that sequence's own tokens only. This is
/// exactly BERT with an attention mask (padding keys get probability 0, padding queries
/// are discarded), without computing the padding.
struct BertModel: Sendable {
    /// The architecture.
    let configuration: BertConfiguration
    /// The tensors.
    let weights: BertWeights

    /// Computes the unit-length mean-pooled embedding of each of `sequences` (token ids, each
    /// non-empty, at most `maximumPositions` long, every id below `vocabularySize`) into
    /// `workspace.pooled`, `hiddenSize` floats per sequence, in order.
    func embed(_ sequences: [[Int32]], workspace: BertWorkspace) {
        let hidden = configuration.hiddenSize
        let intermediateSize = configuration.intermediateSize
        let headSize = configuration.headSize
        var offsets: [Int] = []
        offsets.reserveCapacity(sequences.count + 1)
        var rows = 0
        for sequence in sequences {
            offsets.append(rows)
            rows += sequence.count
        }
        offsets.append(rows)
        guard rows > 0 else { return }
        let longest = sequences.map(\.count).max() ?? 0
        workspace.reserve(sequences: sequences.count, rows: rows, longest: longest)
        let x = workspace.hidden

        // Embeddings: word + position + token type 0, then LayerNorm.
        for (index, sequence) in sequences.enumerated() {
            for (position, token) in sequence.enumerated() {
                BertKernels.layerNorm(
                    sumOf: weights.wordEmbeddings.row(Int(token), width: hidden, scratch: workspace.embeddingRow),
                    weights.positionEmbeddings.elements + position * hidden,
                    plus: weights.tokenTypeEmbeddings.elements,
                    scale: weights.embeddingNorm.weight.elements, shift: weights.embeddingNorm.bias.elements,
                    epsilon: configuration.layerNormEpsilon, width: hidden,
                    into: x + (offsets[index] + position) * hidden
                )
            }
        }

        let scale = 1 / Float(headSize).squareRoot()
        let qkvWidth = 3 * hidden
        for layer in weights.layers {
            project(x, rows: rows, through: layer.queryKeyValue, into: workspace.queryKeyValue)

            for index in sequences.indices {
                let start = offsets[index] * qkvWidth
                let count = offsets[index + 1] - offsets[index]
                for head in 0..<configuration.headCount {
                    let query = workspace.queryKeyValue + start + head * headSize
                    // scores = scale · Q_h · K_hᵀ, count × count
                    BLAS.multiply(
                        m: count, n: count, k: headSize, alpha: scale,
                        a: query, lda: qkvWidth,
                        b: query + hidden, ldb: qkvWidth, transposeB: true,
                        c: workspace.scores, ldc: count
                    )
                    for row in 0..<count {
                        BertKernels.softmax(workspace.scores + row * count, count: count)
                    }
                    // context_h = softmax(scores) · V_h, count × headSize, into this head's columns
                    BLAS.multiply(
                        m: count, n: headSize, k: count,
                        a: workspace.scores, lda: count,
                        b: query + 2 * hidden, ldb: qkvWidth, transposeB: false,
                        c: workspace.context + offsets[index] * hidden + head * headSize, ldc: hidden
                    )
                }
            }

            project(workspace.context, rows: rows, through: layer.attentionOutput, into: workspace.projection)
            normalize(workspace.projection, norm: layer.attentionNorm, rows: rows, residual: x)

            project(x, rows: rows, through: layer.intermediate, into: workspace.intermediate)
            BertKernels.gelu(workspace.intermediate, count: rows * intermediateSize)
            project(workspace.intermediate, rows: rows, through: layer.output, into: workspace.projection)
            normalize(workspace.projection, norm: layer.outputNorm, rows: rows, residual: x)
        }

        for index in sequences.indices {
            BertKernels.meanPoolNormalized(
                x + offsets[index] * hidden, rows: offsets[index + 1] - offsets[index], width: hidden,
                into: workspace.pooled + index * hidden
            )
        }
    }

    /// `output = input · Wᵀ + b` for `rows` rows (the bias is copied into `output` first,
    /// then the product is accumulated onto it).
    private func project(_ input: UnsafePointer<Float>, rows: Int, through linear: BertWeights.Linear, into output: UnsafeMutablePointer<Float>) {
        BertKernels.broadcast(linear.bias.elements, into: output, rows: rows, columns: linear.outputs)
        BLAS.multiply(
            m: rows, n: linear.outputs, k: linear.inputs,
            a: input, lda: linear.inputs,
            b: linear.weight.elements, ldb: linear.inputs, transposeB: true,
            beta: 1,
            c: output, ldc: linear.outputs
        )
    }

    /// `residual = LayerNorm(projection + residual)`, row by row (the projection includes its bias).
    private func normalize(_ projection: UnsafePointer<Float>, norm: BertWeights.Norm, rows: Int, residual: UnsafeMutablePointer<Float>) {
        let width = configuration.hiddenSize
        for row in 0..<rows {
            BertKernels.layerNorm(
                sumOf: projection + row * width, residual + row * width,
                scale: norm.weight.elements, shift: norm.bias.elements,
                epsilon: configuration.layerNormEpsilon, width: width,
                into: residual + row * width
            )
        }
    }
}
