import Encoders
import LMDB
import VectorMath

/// What an upsert did.
public struct UpsertSummary: Sendable, Hashable {
    /// Documents that were new to the store.
    public var inserted: Int
    /// Documents that replaced a different earlier version.
    public var replaced: Int
    /// Documents identical to the stored version, left untouched.
    public var unchanged: Int
}

extension Store {
    /// Inserts or replaces `documents`, encoding their texts with the store's encoder (document side).
    ///
    /// All documents are committed in one transaction, or none are. A document whose id is
    /// already stored replaces the earlier version; one identical to it is left untouched.
    /// When the same id occurs twice in `documents`, the later one wins.
    @discardableResult
    public func upsert(_ documents: [Document]) throws -> UpsertSummary {
        try write(documents, vectors: documentVectors(for: documents))
    }

    /// Validates `documents` as ``upsert(_:)`` does, then encodes their texts with the store's
    /// encoder (document side): the first half of an upsert, which may run on another thread.
    func documentVectors(for documents: [Document]) throws(QuiverError) -> [[Float]] {
        try validate(documents)
        do {
            return try encoder.encode(documents.map(\.text), role: .document)
        } catch {
            throw QuiverError.encodingFailed(underlying: String(describing: error))
        }
    }

    /// Inserts or replaces `documents` with `encodedVectors` from ``documentVectors(for:)``:
    /// ``upsert(_:)`` without the encoding. The documents are validated again (cheap), so this
    /// fails exactly as ``upsert(_:)`` would.
    @discardableResult
    func upsert(_ documents: [Document], encodedVectors: [[Float]]) throws -> UpsertSummary {
        try validate(documents)
        guard documents.count == encodedVectors.count else {
            throw QuiverError.vectorCountMismatch(documents: documents.count, vectors: encodedVectors.count)
        }
        return try write(documents, vectors: encodedVectors)
    }

    /// Inserts or replaces `documents` with caller-supplied vectors (bring your own embeddings).
    ///
    /// `vectors[i]` belongs to `documents[i]` and must have ``dimension`` finite values.
    @discardableResult
    public func upsert(_ documents: [Document], vectors: [[Float]]) throws -> UpsertSummary {
        guard documents.count == vectors.count else {
            throw QuiverError.vectorCountMismatch(documents: documents.count, vectors: vectors.count)
        }
        try validate(documents)
        for (document, vector) in zip(documents, vectors) {
            guard vector.count == dimension else {
                throw QuiverError.dimensionMismatch(expected: dimension, actual: vector.count)
            }
            guard vector.allSatisfy(\.isFinite) else { throw QuiverError.nonFiniteVector(id: document.id) }
        }
        return try write(documents, vectors: vectors)
    }

    /// Deletes the documents with `ids`; returns how many existed. Missing ids are ignored.
    @discardableResult
    public func delete(ids: [String]) throws -> Int {
        guard !isReadOnly else { throw QuiverError.readOnly }
        return try storageErrors {
            try environment.write { txn in
                var counters = try MetaCounters.read(from: txn, meta: databases.meta)
                var chunks = ChunkEditor(layout: layout, database: databases.vectors, sq8: sq8)
                var retired: Set<UInt32> = []
                for id in Set(ids) {
                    guard let row = try internalID(of: id, in: txn) else { continue }
                    try retire(row, externalID: id, txn: txn, chunks: &chunks)
                    counters.liveCount -= 1
                    retired.insert(row)
                }
                try chunks.flush(to: txn)
                try updateCodes(txn: txn, added: [], retired: retired)
                try updateGraph(txn: txn, idLimit: Int(counters.nextID), retired: retired, added: [])
                try counters.write(to: txn, meta: databases.meta)
                return retired.count
            }
        }
    }

    private func validate(_ documents: [Document]) throws(QuiverError) {
        guard !isReadOnly else { throw QuiverError.readOnly }
        for document in documents {
            let idBytes = document.id.utf8.count
            if idBytes == 0 { throw QuiverError.invalidID(document.id, reason: "ids must not be empty") }
            if idBytes > Document.maximumIDLength {
                throw QuiverError.invalidID(
                    document.id, reason: "\(idBytes) UTF-8 bytes; the limit is \(Document.maximumIDLength)")
            }
            let textBytes = document.text.utf8.count
            if textBytes > maximumTextLength {
                throw QuiverError.textTooLong(id: document.id, bytes: textBytes, limit: maximumTextLength)
            }
            for name in document.metadata.keys where name.isEmpty || name.utf8.count > 255 {
                throw QuiverError.invalidFieldName(name)
            }
        }
    }

    /// Writes already-validated documents and their raw vectors in one transaction.
    private func write(_ documents: [Document], vectors: [[Float]]) throws -> UpsertSummary {
        // The last occurrence of an id wins.
        var lastIndex: [String: Int] = [:]
        for (i, document) in documents.enumerated() { lastIndex[document.id] = i }
        let order = documents.indices.filter { lastIndex[documents[$0].id] == $0 }
        let prepared = order.map { i -> (document: Document, bytes: [UInt8], vector: [Float]) in
            var vector = vectors[i]
            if metric == .cosine { Kernels.normalize(&vector) }
            return (documents[i], DocumentCodec.encode(documents[i]), vector)
        }
        let summary = try storageErrors {
            try environment.write { txn in
                var counters = try MetaCounters.read(from: txn, meta: databases.meta)
                var chunks = ChunkEditor(layout: layout, database: databases.vectors, sq8: sq8)
                var catalog = try fieldCatalog(in: txn)
                var summary = UpsertSummary(inserted: 0, replaced: 0, unchanged: 0)
                var retired: Set<UInt32> = []
                var added: [UInt32] = []
                for (document, bytes, vector) in prepared {
                    if let old = try internalID(of: document.id, in: txn) {
                        if try isUnchanged(old, bytes: bytes, vector: vector, txn: txn, chunks: chunks) {
                            summary.unchanged += 1
                            continue
                        }
                        try retire(old, externalID: document.id, txn: txn, chunks: &chunks)
                        retired.insert(old)
                        counters.liveCount -= 1
                        summary.replaced += 1
                    } else {
                        summary.inserted += 1
                    }
                    let id = counters.nextID
                    guard id < UInt32.max else {
                        throw QuiverError.idSpaceExhausted
                    }
                    counters.nextID += 1
                    counters.liveCount += 1
                    try withUnsafeBytes(of: id.littleEndian) { value in
                        try document.id.withKeyBytes { try txn.put(databases.keys, key: $0, value: value) }
                    }
                    try txn.put(databases.docs, key: id, value: bytes)
                    try indexMetadata(of: document, id: id, catalog: &catalog, txn: txn)
                    try chunks.set(id, vector: vector, txn: txn)
                    added.append(id)
                }
                try chunks.flush(to: txn)
                try saveFieldCatalog(&catalog, txn: txn)
                try updateCodes(txn: txn, added: added, retired: retired)
                try updateGraph(txn: txn, idLimit: Int(counters.nextID), retired: retired, added: added)
                try counters.write(to: txn, meta: databases.meta)
                return summary
            }
        }
        try trainQuantizerIfDue()
        return summary
    }

    /// The row id stored for external id `id`.
    func internalID(of id: String, in txn: Transaction) throws -> UInt32? {
        guard let bytes = try txn.get(databases.keys, key: id) else { return nil }
        guard bytes.count == 4 else {
            throw QuiverError.corruptRecord(database: "keys", key: id, reason: "value is \(bytes.count) bytes, not 4")
        }
        return UInt32(littleEndian: bytes.loadUnaligned(as: UInt32.self))
    }

    private func isUnchanged(
        _ old: UInt32, bytes: [UInt8], vector: [Float], txn: Transaction, chunks: ChunkEditor
    ) throws -> Bool {
        guard let stored = try txn.get(databases.docs, key: old), stored.elementsEqual(bytes) else { return false }
        return try chunks.vector(old, txn: txn) == vector
    }

    /// Tombstones row id `id`: removes its key mapping, document and vector slot.
    private func retire(_ id: UInt32, externalID: String, txn: Transaction, chunks: inout ChunkEditor) throws {
        try txn.delete(databases.keys, key: externalID)
        try unindexMetadata(of: id, txn: txn)
        try txn.delete(databases.docs, key: id)
        try txn.put(databases.deleted, key: id, value: [])
        try chunks.clear(id, txn: txn)
    }

    /// Runs `body`, turning LMDB errors into ``QuiverError/storage(_:)``.
    func storageErrors<R>(_ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as LMDBError {
            throw QuiverError.storage(error)
        }
    }
}
