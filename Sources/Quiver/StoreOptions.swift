import Encoders

/// How to open or create a store.
///
/// Dimension, metric and encoder are fixed when a store is created and recorded in it;
/// opening an existing store with different ones fails without changing anything.
public struct StoreOptions: Sendable {
    /// Whether a missing store may be created.
    public enum CreationPolicy: Sendable {
        /// Create the store when the directory is missing or empty (the default).
        case createIfMissing
        /// Only open an existing store.
        case openExisting
    }

    /// The encoder for texts. `nil`: the store's recorded encoder when opening, or
    /// a 256-dimensional ``HashingEncoder`` when creating.
    public var encoder: (any TextEncoder)?
    /// The vector dimension; `nil` takes the encoder's. Must equal the encoder's when both are given.
    public var dimension: Int?
    /// The metric; `nil` means `.cosine` when creating and the recorded metric when opening.
    public var metric: Metric?
    /// The HNSW graph's parameters, used when creating a store (a store keeps the ones it was created with).
    public var graph: GraphParameters
    /// Whether a missing store may be created.
    public var creation: CreationPolicy
    /// Open read-only: searches work, writes throw ``QuiverError/readOnly``.
    public var readOnly: Bool
    /// The map size a new environment starts with, in bytes; it grows automatically.
    public var initialMapSize: Int
    /// The largest the map may grow to, in bytes: a cap on the store's disk use. A write that
    /// would need more fails with ``QuiverError/storage(_:)`` (map full) and changes nothing.
    public var maximumMapSize: Int
    /// Skip `fsync` on commit: faster bulk loads, but the last commits may be lost on power failure (never half of one).
    public var skipSync: Bool
    /// The longest document text accepted, in UTF-8 bytes.
    public var maximumTextLength: Int
    /// How many threads insert a large batch into the graph; `nil` uses every core.
    ///
    /// Batches of at least ``Store/parallelInsertionMinimum`` documents are linked into the
    /// graph by this many threads at once. With `1` a batch always builds the same graph; with
    /// more, the graph depends on thread timing (its quality does not).
    public var indexingThreads: Int?
    /// Metadata field types declared when creating a store; other fields take the type of
    /// their first value. A value of another type is refused (``MetadataError/typeConflict(field:recorded:found:documentID:)``).
    public var fieldTypes: [String: ValueType] = [:]
    /// Fields kept out of the metadata index when creating a store (every other field is
    /// indexed): they are stored and returned, but filters cannot use them.
    public var unindexedFields: Set<String> = []
    /// When and how to train the product quantizer (PQ codes for compressed search).
    public var quantization: QuantizationOptions
    /// Whether graph searches walk the store's 8-bit copies of the vectors (a quarter of the
    /// bytes per distance) and re-rank their beam with the full vectors, rather than computing
    /// every distance on full vectors. On by default: on vectors larger than the CPU caches it
    /// answers 1.5–2× the queries per second at the same recall (docs/benchmarks.md). The copies
    /// are kept either way; a store opened read-only that predates them walks full vectors.
    public var quantizedTraversal: Bool = true

    /// Creates options; every default suits an embedded store with the built-in encoder.
    public init(
        encoder: (any TextEncoder)? = nil,
        dimension: Int? = nil,
        metric: Metric? = nil,
        graph: GraphParameters = GraphParameters(),
        creation: CreationPolicy = .createIfMissing,
        readOnly: Bool = false,
        initialMapSize: Int = 32 << 20,
        maximumMapSize: Int = 1 << 40,
        skipSync: Bool = false,
        maximumTextLength: Int = 1_000_000,
        indexingThreads: Int? = nil,
        quantization: QuantizationOptions = QuantizationOptions()
    ) {
        self.encoder = encoder
        self.dimension = dimension
        self.metric = metric
        self.graph = graph
        self.creation = creation
        self.readOnly = readOnly
        self.initialMapSize = initialMapSize
        self.maximumMapSize = maximumMapSize
        self.skipSync = skipSync
        self.maximumTextLength = maximumTextLength
        self.indexingThreads = indexingThreads
        self.quantization = quantization
    }
}
