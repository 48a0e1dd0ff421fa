import VectorMath

/// Why a product-quantization operation failed.
public enum QuantizationError: Error, Sendable, CustomStringConvertible {
    /// The store keeps only PQ codes; the operation needs the full vectors it no longer has.
    case fullVectorsDiscarded(operation: String)
    /// Training could not run: too few vectors, bad parameters or a bad sample.
    case training(ProductQuantizerError)
    /// An option is out of range.
    case invalidOption(String)
    /// The stored quantizer record or codebook is damaged.
    case corruptQuantizer(String)
    /// Automatic training after an upsert failed; the upsert itself was committed.
    case automaticTrainingFailed(underlying: String)

    /// What went wrong and what to do.
    public var description: String {
        switch self {
        case .fullVectorsDiscarded(let operation):
            "\(operation) needs full vectors, but this store is compressed-only (it keeps PQ codes only): "
                + "search with PQ distances instead, or rebuild the store from the source data with full vectors"
        case .training(let error):
            "product-quantizer training failed: \(error)"
        case .invalidOption(let message):
            "invalid quantization option: \(message)"
        case .corruptQuantizer(let reason):
            "the stored product quantizer is damaged: \(reason). Retrain it with `quiver reindex --pq`"
        case .automaticTrainingFailed(let underlying):
            "the upsert was committed, but training the product quantizer automatically afterwards failed "
                + "(\(underlying)); searches use full vectors until `quiver reindex --pq` succeeds"
        }
    }
}
