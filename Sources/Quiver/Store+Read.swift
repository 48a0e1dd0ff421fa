import LMDB
import VectorMath

extension Store {
    /// The number of live documents.
    public func count() throws -> Int {
        try storageErrors {
            try environment.read { txn in
                Int(try MetaCounters.read(from: txn, meta: databases.meta).liveCount)
            }
        }
    }

    /// The document stored under `id`, or nil.
    public func document(id: String) throws -> Document? {
        try storageErrors {
            try environment.read { txn in
                guard let row = try internalID(of: id, in: txn) else { return nil }
                return try loadDocument(row, txn: txn)
            }
        }
    }

    /// The stored vector of document `id` (normalised for `.cosine` stores), or nil.
    public func vector(id: String) throws -> [Float]? {
        if try quantization.fullVectorsDiscarded(environment) {
            throw QuantizationError.fullVectorsDiscarded(operation: "reading a document's vector")
        }
        return try storageErrors {
            try environment.read { txn in
                guard let row = try internalID(of: id, in: txn),
                      let chunk = try txn.get(databases.vectors, key: layout.chunk(of: row))
                else { return nil }
                return layout.vector(slot: layout.slot(of: row), in: chunk)
            }
        }
    }

    /// Decodes the document with row id `id` (its id and the `contents` asked for).
    func loadDocument(_ id: UInt32, contents: SearchResult.Contents = .all, txn: Transaction) throws -> Document? {
        guard let bytes = try txn.get(databases.docs, key: id) else { return nil }
        do {
            return try DocumentCodec.decode(bytes, contents: contents)
        } catch {
            throw QuiverError.corruptRecord(database: "docs", key: "\(id)", reason: error.reason)
        }
    }

    /// The search results of `neighbors` (internal ids and distances, nearest first), with the
    /// `contents` asked for loaded from their documents.
    func results(for neighbors: [Neighbor], returning contents: SearchResult.Contents, txn: Transaction) throws -> [SearchResult] {
        var results: [SearchResult] = []
        results.reserveCapacity(neighbors.count)
        for neighbor in neighbors {
            guard let document = try loadDocument(neighbor.id, contents: contents, txn: txn) else { continue }
            let (score, distance) = scoreAndDistance(neighbor.distance)
            results.append(SearchResult(
                id: document.id, score: score, distance: distance, text: document.text, metadata: document.metadata))
        }
        return results
    }
}
