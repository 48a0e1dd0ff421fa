/// Which distances a search ranks candidates with.
public enum SearchDistance: String, Sendable, Codable, CaseIterable {
    /// Full-precision vectors throughout.
    case full
    /// PQ codes: asymmetric distances (ADC) for the graph traversal or scan, then the best
    /// `rerank` candidates re-ranked with full vectors (with codes in a compressed-only store).
    /// Falls back to ``full`` until the store's quantizer is trained and every vector encoded.
    case pq
}
