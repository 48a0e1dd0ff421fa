/// When and how a store trains its product quantizer (see docs/architecture.md, "Product quantization").
///
/// These are options of the opened store, not recorded in it: the parameters a quantizer was
/// trained with are recorded with its codebooks.
public struct QuantizationOptions: Sendable, Hashable {
    /// Bytes per code (sub-spaces); nil: `dimension / 4` (at least 1), the EBR paper's starting point.
    public var m: Int?
    /// Train automatically after the upsert that brings the store to this many live documents;
    /// nil: only on demand (``Store/trainQuantizer(_:)``, `quiver reindex --pq`).
    public var trainingThreshold: Int?
    /// The largest training sample (vectors drawn without replacement, seeded).
    public var sampleSize: Int
    /// Lloyd iterations per sub-space.
    public var iterations: Int
    /// The seed of the sample and of k-means++.
    public var seed: UInt64
    /// Keep the full vectors after training (the default). `false` makes a compressed-only store:
    /// full vectors are deleted once every vector has a code, searches rank by codes, and
    /// operations that need full vectors (exact full-vector search, reading vectors, upserts and
    /// deletes, which re-link the graph with full vectors) throw ``QuantizationError/fullVectorsDiscarded(operation:)``.
    public var keepsFullVectors: Bool
    /// Vectors encoded per write transaction when encoding the existing vectors after training.
    public var encodingBatchSize: Int

    /// Creates options; the defaults train m = d/4 codes once a store holds 100,000 documents.
    public init(
        m: Int? = nil, trainingThreshold: Int? = 100_000, sampleSize: Int = 65_536, iterations: Int = 25,
        seed: UInt64 = 0x5155_4956, keepsFullVectors: Bool = true, encodingBatchSize: Int = 50_000
    ) {
        self.m = m
        self.trainingThreshold = trainingThreshold
        self.sampleSize = sampleSize
        self.iterations = iterations
        self.seed = seed
        self.keepsFullVectors = keepsFullVectors
        self.encodingBatchSize = encodingBatchSize
    }
}
