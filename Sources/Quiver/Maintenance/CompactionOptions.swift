/// How ``Store/compact(at:options:progress:)`` rewrites a store.
public struct CompactionOptions: Sendable {
    /// New graph parameters. `nil` keeps the store's. The graph is carried over, renumbered
    /// edge for edge, unless ``rebuildGraph`` is set or `m` changes (a reindex).
    public var graph: GraphParameters?
    /// Build the graph again from the vectors even when `m` is unchanged (for a new
    /// `efConstruction`, or to refresh a graph worn by churn).
    public var rebuildGraph: Bool
    /// How to open the store (only the encoder matters: a store whose encoder this build
    /// cannot create by itself needs it passed here).
    public var store: StoreOptions
    /// Documents per write transaction of the new copy.
    public var batchSize: Int

    /// Creates options.
    public init(
        graph: GraphParameters? = nil, rebuildGraph: Bool = false, store: StoreOptions = StoreOptions(), batchSize: Int = 10_000
    ) {
        self.graph = graph
        self.rebuildGraph = rebuildGraph
        self.store = store
        self.batchSize = batchSize
    }
}

/// Where a compaction is, for progress reports.
public struct CompactionProgress: Sendable, Hashable {
    /// The steps of a compaction, in order.
    public enum Step: String, Sendable, Hashable {
        /// Documents, vectors, codes, postings and the graph copied under dense ids.
        case copying
        /// The graph built again with new parameters (reindex only).
        case buildingGraph = "building graph"
        /// LMDB's compacting copy of the new environment.
        case compactingCopy = "compacting copy"
        /// ``Store/verify()`` on the copy, before it replaces anything.
        case verifying
        /// The copy moved over the old data file.
        case swapping
    }

    /// The current step.
    public var step: Step
    /// Units done in this step (documents, or 0 for steps without units).
    public var done: Int
    /// Units in this step.
    public var total: Int
}

/// What a compaction did.
public struct CompactionReport: Sendable, Codable, Hashable {
    /// Live documents carried over (their ids are now dense: 0 ..< documents).
    public var documents: Int
    /// Tombstoned ids dropped.
    public var tombstonesDropped: Int
    /// Size of `data.mdb` before, in bytes.
    public var bytesBefore: Int
    /// Size of `data.mdb` after, in bytes.
    public var bytesAfter: Int
    /// Whether the graph was rebuilt (new parameters) rather than carried over.
    public var graphRebuilt: Bool
    /// Wall-clock seconds.
    public var seconds: Double
}
