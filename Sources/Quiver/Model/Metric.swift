/// How nearness between vectors is measured.
public enum Metric: String, Sendable, Codable, CaseIterable {
    /// Cosine similarity: vectors are L2-normalised on the way in, then compared by dot product.
    case cosine
    /// Inner product, on vectors as given (higher is nearer).
    case dot
    /// Euclidean distance (lower is nearer).
    case l2
}
