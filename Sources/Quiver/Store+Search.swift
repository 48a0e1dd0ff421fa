import Encoders
import LMDB
import VectorMath

extension Store {
    /// The `k` documents nearest to `text`, nearest first, encoding `text` as a query.
    public func search(text: String, k: Int = 10) throws -> [SearchResult] {
        let vector: [Float]
        do {
            vector = try encoder.encode(text, role: .query)
        } catch {
            throw QuiverError.encodingFailed(underlying: String(describing: error))
        }
        return try search(vector: vector, k: k)
    }

    /// The `k` documents nearest to `vector`, nearest first (exact search over every live document).
    public func search(vector: [Float], k: Int = 10) throws -> [SearchResult] {
        guard k >= 1 else { throw QuiverError.invalidK(k) }
        guard vector.count == dimension else {
            throw QuiverError.dimensionMismatch(expected: dimension, actual: vector.count)
        }
        guard vector.allSatisfy(\.isFinite) else { throw QuiverError.nonFiniteVector(id: "<query>") }
        var query = vector
        if metric == .cosine { Kernels.normalize(&query) }
        let scan = ExactScan(layout: layout, metric: metric)
        return try storageErrors {
            try environment.read { txn in
                let neighbors = try scan.nearest(to: query, k: k, vectors: databases.vectors, txn: txn)
                return try neighbors.compactMap { neighbor -> SearchResult? in
                    guard let document = try loadDocument(neighbor.id, txn: txn) else { return nil }
                    let (score, distance) = scoreAndDistance(neighbor.distance)
                    return SearchResult(
                        id: document.id, score: score, distance: distance,
                        text: document.text, metadata: document.metadata)
                }
            }
        }
    }

    /// Converts an internal distance (lower is nearer) to the public score and distance.
    private func scoreAndDistance(_ raw: Float) -> (score: Float, distance: Float) {
        switch metric {
        case .cosine: (-raw, 1 + raw)
        case .dot: (-raw, raw)
        case .l2: (-raw.squareRoot(), raw.squareRoot())
        }
    }
}
