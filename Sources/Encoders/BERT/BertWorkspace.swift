/// The reusable scratch buffers of one BERT forward pass, grown on demand and never shrunk.
///
/// A batch is laid out as the rows of its sequences one after another ("packed": no padding
/// rows), so every buffer is `rows × width`. `@unchecked Sendable` is sound because a
/// workspace is used by one forward pass at a time: ``BertWorkspacePool`` hands each one
/// to a single caller and takes it back afterwards.
final class BertWorkspace: @unchecked Sendable {
    /// The token states, `rows × hidden`.
    private(set) var hidden: UnsafeMutablePointer<Float>
    /// The queries, keys and values side by side, `rows × 3·hidden`.
    private(set) var queryKeyValue: UnsafeMutablePointer<Float>
    /// The attention context (all heads side by side), `rows × hidden`.
    private(set) var context: UnsafeMutablePointer<Float>
    /// A projection's output before its residual LayerNorm, `rows × hidden`.
    private(set) var projection: UnsafeMutablePointer<Float>
    /// The feed-forward activations, `rows × intermediate`.
    private(set) var intermediate: UnsafeMutablePointer<Float>
    /// One head's attention scores for one sequence, `longest × longest`.
    private(set) var scores: UnsafeMutablePointer<Float>
    /// One dequantized word-embedding row, `hidden` (for a 4-bit embedding table).
    let embeddingRow: UnsafeMutablePointer<Float>
    /// The batch's sentence embeddings, `sequences × hidden`.
    private(set) var pooled: UnsafeMutablePointer<Float>

    /// The width of a token state.
    let hiddenSize: Int
    /// The width of the feed-forward layer.
    let intermediateSize: Int
    /// How many rows the row buffers hold.
    private(set) var rowCapacity: Int
    /// How many floats `scores` holds.
    private(set) var scoreCapacity: Int
    /// How many embeddings `pooled` holds.
    private(set) var sequenceCapacity: Int

    /// Creates an empty workspace for a model of the given widths.
    init(hiddenSize: Int, intermediateSize: Int) {
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        rowCapacity = 0
        scoreCapacity = 0
        sequenceCapacity = 0
        hidden = .allocate(capacity: 0)
        queryKeyValue = .allocate(capacity: 0)
        context = .allocate(capacity: 0)
        projection = .allocate(capacity: 0)
        intermediate = .allocate(capacity: 0)
        scores = .allocate(capacity: 0)
        pooled = .allocate(capacity: 0)
        embeddingRow = .allocate(capacity: hiddenSize)
        embeddingRow.initialize(repeating: 0, count: hiddenSize)
    }

    deinit {
        for buffer in [hidden, queryKeyValue, context, projection, intermediate, scores, pooled, embeddingRow] {
            buffer.deallocate()
        }
    }

    /// Makes room for a batch of `sequences` sequences with `rows` token rows in all, the longest having `longest` tokens.
    func reserve(sequences: Int, rows: Int, longest: Int) {
        if sequences > sequenceCapacity {
            pooled.deallocate()
            sequenceCapacity = sequences
            pooled = .allocate(capacity: sequences * hiddenSize)
        }
        if rows > rowCapacity {
            let capacity = Swift.max(rows, rowCapacity + rowCapacity / 2)
            for buffer in [hidden, queryKeyValue, context, projection, intermediate] {
                buffer.deallocate()
            }
            hidden = .allocate(capacity: capacity * hiddenSize)
            queryKeyValue = .allocate(capacity: capacity * 3 * hiddenSize)
            context = .allocate(capacity: capacity * hiddenSize)
            projection = .allocate(capacity: capacity * hiddenSize)
            intermediate = .allocate(capacity: capacity * intermediateSize)
            rowCapacity = capacity
        }
        if longest * longest > scoreCapacity {
            scores.deallocate()
            scoreCapacity = longest * longest
            scores = .allocate(capacity: scoreCapacity)
        }
    }
}
