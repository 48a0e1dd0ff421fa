/// The product-quantization state of a store, for `quiver stats` and ``Store/statistics()``.
public struct QuantizationStatistics: Sendable, Codable, Hashable {
    /// `untrained`, `encoding` (codebook stored, existing vectors being encoded) or `ready`.
    public var phase: String
    /// Whether a codebook has been trained.
    public var trained: Bool
    /// Bytes per code (sub-spaces); 0 when untrained.
    public var m: Int
    /// Vectors the codebook was trained on.
    public var trainingVectors: Int
    /// Lloyd iterations per sub-space.
    public var iterations: Int
    /// Mean squared reconstruction error per vector over the training sample.
    public var meanSquaredError: Double
    /// ``meanSquaredError`` divided by the sample's mean squared norm.
    public var relativeError: Double
    /// Seconds spent sampling and training (not encoding).
    public var trainingSeconds: Double
    /// Live vectors that have a code.
    public var encodedVectors: Int
    /// Whether the store keeps full vectors next to the codes (false: compressed-only).
    public var keepsFullVectors: Bool
    /// Whether searches re-rank with full vectors (true) or with codes (compressed-only stores).
    public var reranksWithFullVectors: Bool

    /// The statistics of a store without a quantizer.
    public static let untrained = QuantizationStatistics(
        phase: "untrained", trained: false, m: 0, trainingVectors: 0, iterations: 0, meanSquaredError: 0,
        relativeError: 0, trainingSeconds: 0, encodedVectors: 0, keepsFullVectors: true, reranksWithFullVectors: true)
}
