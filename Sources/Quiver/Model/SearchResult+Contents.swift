extension SearchResult {
    /// What a search reads for each result besides its id, score and distance.
    ///
    /// Every search returns ``SearchResult/text`` and ``SearchResult/metadata`` by default
    /// (``all``). An application that keeps its documents elsewhere, or only needs ids, asks
    /// for less and saves decoding them: a part not asked for is empty in the results (`""`,
    /// `[:]`), whatever the stored document holds. Like Qdrant's `with_payload: false` or
    /// chromadb's `include`.
    ///
    /// ```swift
    /// let ids = try store.search(vector: query, k: 10, returning: .idsOnly).map(\.id)
    /// let tagged = try store.search(text: "天气", filter: filter, returning: .metadata)
    /// ```
    public struct Contents: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8

        /// Creates a set of contents from its bits.
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// The document's text.
        public static let text = Contents(rawValue: 1 << 0)
        /// The document's metadata.
        public static let metadata = Contents(rawValue: 1 << 1)
        /// Text and metadata: the default.
        public static let all: Contents = [.text, .metadata]
        /// Only the id, score and distance.
        public static let idsOnly: Contents = []
    }
}
