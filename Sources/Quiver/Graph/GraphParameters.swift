/// The HNSW graph's parameters, fixed when a store is created.
public struct GraphParameters: Sendable, Codable, Hashable {
    /// Neighbours kept per node on levels above 0 (level 0 keeps up to `2 × m`).
    public var m: Int
    /// The beam width used while inserting.
    public var efConstruction: Int
    /// The default beam width of a search (a query may override it).
    public var efSearch: Int
    /// The seed of the level generator: the same seed and ids give the same graph levels.
    public var seed: UInt64

    /// Creates parameters; the defaults are hnswlib's usual M = 16, efConstruction = 200.
    public init(m: Int = 16, efConstruction: Int = 200, efSearch: Int = 64, seed: UInt64 = 0x5155_4956_4552) {
        self.m = m
        self.efConstruction = efConstruction
        self.efSearch = efSearch
        self.seed = seed
    }

    /// The most neighbours a node keeps on `level`.
    @inline(__always)
    func maximumDegree(level: Int) -> Int { level == 0 ? 2 * m : m }

    /// Checks the parameters are usable.
    func validate() throws {
        guard (2...256).contains(m) else { throw QuiverError.invalidParameter("graph M must be 2…256, got \(m)") }
        guard efConstruction >= 1 else {
            throw QuiverError.invalidParameter("efConstruction must be at least 1, got \(efConstruction)")
        }
        guard efSearch >= 1 else { throw QuiverError.invalidParameter("ef must be at least 1, got \(efSearch)") }
    }
}
