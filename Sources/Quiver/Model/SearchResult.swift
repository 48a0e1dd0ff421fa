/// One search hit: a document and how near it is to the query.
public struct SearchResult: Sendable, Hashable {
    /// The document's external id.
    public var id: String
    /// Nearness, higher is nearer: cosine similarity (`.cosine`), inner product (`.dot`),
    /// or the negated Euclidean distance (`.l2`).
    public var score: Float
    /// The metric's distance, lower is nearer: `1 − cosine`, `−dot`, or the Euclidean distance.
    public var distance: Float
    /// The document's text.
    public var text: String
    /// The document's metadata.
    public var metadata: [String: Value]

    /// Creates a result.
    public init(id: String, score: Float, distance: Float, text: String, metadata: [String: Value]) {
        self.id = id
        self.score = score
        self.distance = distance
        self.text = text
        self.metadata = metadata
    }
}
