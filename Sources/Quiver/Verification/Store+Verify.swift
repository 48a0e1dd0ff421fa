import LMDB

extension Store {
    /// Checks every invariant of the store on one snapshot and reports each violation.
    ///
    /// Checked: each external id maps to a live internal id below the id counter whose
    /// document carries that external id; each document has its key mapping and a live vector
    /// slot; each live slot has a document and a finite vector (of unit length for cosine
    /// stores) and an 8-bit copy equal to its encoding; the live count in `meta` equals the live
    /// slots; tombstones are below the id counter and neither live nor documents; vector and graph chunks have their fixed sizes;
    /// and the graph's invariants (every live document is a node and every node live, no edge
    /// to a missing node, degrees within bounds, upper lists only on a node's levels, entry
    /// point live and on the top level).
    ///
    /// A read: it runs beside searches and writes, on the snapshot current when it starts.
    public func verify() throws -> VerificationReport {
        try storageErrors {
            try environment.read { txn in
                var checker = StoreChecker(store: self, txn: txn)
                try checker.run()
                return VerificationReport(problems: checker.problems, checked: checker.checked)
            }
        }
    }
}

/// The checks behind ``Store/verify()``, over one read transaction.
private struct StoreChecker {
    let store: Store
    let txn: Transaction
    var problems: [VerificationProblem] = []
    var checked: [String: Int] = [:]
    /// Problems of one kind beyond this many are summarised, not listed one by one.
    let limitPerKind = 100
    private var counts: [String: Int] = [:]
    private var sq8Chunks = 0
    private var sq8Expected: [UInt8] = []

    init(store: Store, txn: Transaction) {
        self.store = store
        self.txn = txn
    }

    mutating func report(_ area: VerificationProblem.Area, _ kind: String, _ message: String, ids: [UInt32] = []) {
        counts[kind, default: 0] += 1
        let seen = counts[kind, default: 0]
        if seen <= limitPerKind {
            problems.append(VerificationProblem(area: area, message: message, internalIDs: ids))
        } else if seen == limitPerKind + 1 {
            problems.append(VerificationProblem(area: area, message: "more problems like the above (\(kind)) not listed"))
        }
    }

    mutating func run() throws {
        let databases = store.databases
        let counters = try MetaCounters.read(from: txn, meta: databases.meta)
        let idLimit = counters.nextID
        let layout = store.layout

        // Live ids: from the vector chunks, or the code chunks of a compressed-only store.
        let pq = try store.quantizerState(in: txn)
        var live = Set<UInt32>()
        var liveCodes: Set<UInt32>?
        if let pq, let codeLayout = pq.layout {
            liveCodes = try store.liveCodeIDs(in: txn, layout: codeLayout, codes: pq.databases.codes)
        }
        if let pq, pq.state.fullVectorsDiscarded {
            live = liveCodes ?? []
        }
        let vectorCursor = try txn.cursor(databases.vectors)
        var chunk = try vectorCursor.first()
        var chunks = 0
        while let (key, value) = chunk {
            chunks += 1
            guard key.count == 4 else {
                report(.vectors, "vector-key", "a vector chunk has a \(key.count)-byte key")
                chunk = try vectorCursor.next()
                continue
            }
            let number = key.loadUnaligned(as: UInt32.self)
            guard value.count == layout.chunkBytes else {
                report(.vectors, "vector-size", "vector chunk \(number) is \(value.count) bytes, not \(layout.chunkBytes)")
                chunk = try vectorCursor.next()
                continue
            }
            for slot in 0..<layout.capacity where layout.isLive(slot: slot, in: value) {
                let id = number &* UInt32(layout.capacity) &+ UInt32(slot)
                live.insert(id)
                if id >= idLimit {
                    report(.vectors, "live-beyond-counter", "slot \(id) is live but the id counter is \(idLimit)", ids: [id])
                }
                checkVector(id, value: value, slot: slot)
            }
            if let sq8 = store.sq8 { try checkSQ8(number, vectors: value, sq8: sq8) }
            chunk = try vectorCursor.next()
        }
        checked["vector_chunks"] = chunks
        if let sq8 = store.sq8 {
            // Every 8-bit chunk belongs to a vector chunk.
            let cursor = try txn.cursor(sq8.database)
            var entry = try cursor.first()
            while let (key, _) = entry {
                let hasVectors = key.count == 4 ? try txn.get(databases.vectors, key: key) != nil : false
                if !hasVectors {
                    report(.vectors, "sq8-orphan", "an 8-bit chunk (\(SQ8Chunks.name)) has no vector chunk")
                }
                entry = try cursor.next()
            }
            checked["sq8_chunks"] = sq8Chunks
        }
        checked["live_slots"] = live.count
        if let pq, pq.state.phase == .ready, let liveCodes, !pq.state.fullVectorsDiscarded {
            // Once PQ is trained every live vector has a code, and only live vectors do.
            checked["codes"] = liveCodes.count
            for id in live.subtracting(liveCodes).sorted() {
                report(.codes, "code-missing", "live vector \(id) has no PQ code", ids: [id])
            }
            for id in liveCodes.subtracting(live).sorted() {
                report(.codes, "code-dead", "PQ code \(id) belongs to no live vector", ids: [id])
            }
        } else if let liveCodes {
            checked["codes"] = liveCodes.count
        }
        if live.count != Int(counters.liveCount) {
            report(.meta, "live-count", "meta counts \(counters.liveCount) live documents but \(live.count) vector slots are live")
        }

        // keys → internal ids.
        var mapped: [UInt32: String] = [:]
        let keyCursor = try txn.cursor(databases.keys)
        var entry = try keyCursor.first()
        while let (key, value) = entry {
            let external = String(decoding: key, as: UTF8.self)
            if value.count != 4 {
                report(.keys, "key-size", "key \(quoted(external)) maps to a \(value.count)-byte value")
            } else {
                let id = UInt32(littleEndian: value.loadUnaligned(as: UInt32.self))
                if let other = mapped[id] {
                    report(.keys, "key-shared", "keys \(quoted(other)) and \(quoted(external)) map to the same id \(id)", ids: [id])
                }
                mapped[id] = external
                if !live.contains(id) {
                    report(.keys, "key-dead", "key \(quoted(external)) maps to id \(id), which has no live vector", ids: [id])
                }
            }
            entry = try keyCursor.next()
        }
        checked["keys"] = mapped.count

        // docs ↔ keys (and the postings each document should have).
        let catalog = try store.fieldCatalog(in: txn)?.fields
        var expectedPostings = Set<[UInt8]>()
        var documents = 0
        let docCursor = try txn.cursor(databases.docs)
        entry = try docCursor.first()
        while let (key, value) = entry {
            documents += 1
            guard key.count == 4 else {
                report(.documents, "doc-key", "a document has a \(key.count)-byte key")
                entry = try docCursor.next()
                continue
            }
            let id = key.loadUnaligned(as: UInt32.self)
            do {
                let document = try DocumentCodec.decode(value)
                if let catalog {
                    for (name, value) in document.metadata {
                        guard let info = catalog[name] else {
                            report(.postings, "field-unknown", "document \(id) has field '\(name)', which the field catalog lacks", ids: [id])
                            continue
                        }
                        if let type = info.type, type != value.type {
                            report(.postings, "field-type", "document \(id) holds a \(value.type.rawValue) in '\(name)', a \(type.rawValue) field", ids: [id])
                        }
                        guard info.isIndexed else { continue }
                        let prefix = PostingKey.prefix(field: name)
                        for part in PostingKey.valueParts(value) {
                            expectedPostings.insert(prefix + part + withUnsafeBytes(of: id) { Array($0) })
                        }
                    }
                }
                if let external = mapped[id] {
                    if external != document.id {
                        report(.documents, "doc-id", "document \(id) has id \(quoted(document.id)) but key \(quoted(external)) maps to it", ids: [id])
                    }
                } else {
                    report(.documents, "doc-unmapped", "document \(id) (\(quoted(document.id))) has no key mapping to it", ids: [id])
                }
            } catch {
                report(.documents, "doc-decode", "document \(id) cannot be decoded: \(error.reason)", ids: [id])
            }
            if !live.contains(id) {
                report(.documents, "doc-dead", "document \(id) exists but its vector slot is not live", ids: [id])
            }
            entry = try docCursor.next()
        }
        checked["documents"] = documents
        for id in live.sorted() where try txn.get(databases.docs, key: id) == nil {
            report(.vectors, "live-without-doc", "slot \(id) is live but has no document", ids: [id])
        }
        for id in live.sorted() where mapped[id] == nil {
            report(.vectors, "live-unmapped", "slot \(id) is live but no key maps to it", ids: [id])
        }

        // Postings ↔ documents, both ways.
        if let index = store.metadataIndex, catalog != nil {
            var postings = 0
            let cursor = try txn.cursor(index.postings)
            var posting = try cursor.first()
            while let (key, value) = posting {
                postings += 1
                let pair = Array(key) + Array(value)
                if expectedPostings.remove(pair) == nil {
                    let id = value.count == 4 ? value.loadUnaligned(as: UInt32.self) : UInt32.max
                    report(.postings, "posting-stray", "a posting of id \(id) matches no value of its document", ids: [id])
                }
                posting = try cursor.next()
            }
            checked["postings"] = postings
            for pair in expectedPostings.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                let id = pair.suffix(4).withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
                report(.postings, "posting-missing", "document \(id) lacks a posting for one of its indexed values", ids: [id])
            }
        }

        // Tombstones.
        var tombstones = 0
        let deletedCursor = try txn.cursor(databases.deleted)
        entry = try deletedCursor.first()
        while let (key, _) = entry {
            tombstones += 1
            if key.count == 4 {
                let id = key.loadUnaligned(as: UInt32.self)
                if id >= idLimit { report(.tombstones, "tomb-beyond", "tombstone \(id) is beyond the id counter \(idLimit)", ids: [id]) }
                if live.contains(id) { report(.tombstones, "tomb-live", "tombstone \(id) is still live", ids: [id]) }
            } else {
                report(.tombstones, "tomb-key", "a tombstone has a \(key.count)-byte key")
            }
            entry = try deletedCursor.next()
        }
        checked["tombstones"] = tombstones

        // Graph.
        let graphCursor = try txn.cursor(databases.graph)
        entry = try graphCursor.first()
        while let (key, value) = entry {
            if value.count != store.graphLayout.chunkBytes {
                let number = key.count == 4 ? "\(key.loadUnaligned(as: UInt32.self))" : "?"
                report(.graph, "graph-size", "graph chunk \(number) is \(value.count) bytes, not \(store.graphLayout.chunkBytes)")
            }
            entry = try graphCursor.next()
        }
        let graphProblems = try store.graphViolations(in: txn)
        for problem in graphProblems.prefix(limitPerKind) { problems.append(VerificationProblem(area: .graph, message: problem)) }
        if graphProblems.count > limitPerKind {
            problems.append(VerificationProblem(area: .graph, message: "\(graphProblems.count - limitPerKind) more graph problems not listed"))
        }
        var nodes = 0
        try store.forEachGraphNode(in: txn) { _, _ in nodes += 1 }
        checked["graph_nodes"] = nodes
    }

    /// The 8-bit chunk of vector chunk `number` must exist and hold exactly the encoding of its
    /// live vectors (zeros elsewhere): a search walks these records.
    private mutating func checkSQ8(_ number: UInt32, vectors: UnsafeRawBufferPointer, sq8: SQ8Chunks) throws {
        guard let stored = try txn.get(sq8.database, key: number) else {
            report(.vectors, "sq8-missing", "vector chunk \(number) has no 8-bit chunk (\(SQ8Chunks.name))")
            return
        }
        sq8Chunks += 1
        guard stored.count == sq8.layout.chunkBytes else {
            report(.vectors, "sq8-size", "8-bit chunk \(number) is \(stored.count) bytes, not \(sq8.layout.chunkBytes)")
            return
        }
        if sq8Expected.count != sq8.layout.chunkBytes { sq8Expected = [UInt8](repeating: 0, count: sq8.layout.chunkBytes) }
        sq8.encodeChunk(vectors, vectorLayout: store.layout, into: &sq8Expected)
        let layout = sq8.layout
        for slot in 0..<layout.capacity {
            let offset = layout.recordOffset(slot: slot)
            var same = true
            for i in offset..<(offset + layout.recordBytes) where sq8Expected[i] != stored[i] {
                same = false
                break
            }
            if !same {
                let id = number &* UInt32(layout.capacity) &+ UInt32(slot)
                report(.vectors, "sq8-mismatch", "the 8-bit copy of slot \(id) does not match its vector", ids: [id])
            }
        }
    }

    /// A live vector must be finite, and of unit length in a cosine store.
    private mutating func checkVector(_ id: UInt32, value: UnsafeRawBufferPointer, slot: Int) {
        let layout = store.layout
        let offset = layout.vectorOffset(slot: slot)
        var norm: Float = 0
        for i in 0..<layout.dimension {
            let x = Float(bitPattern: UInt32(littleEndian: value.loadUnaligned(fromByteOffset: offset + 4 * i, as: UInt32.self)))
            guard x.isFinite else {
                report(.vectors, "vector-nonfinite", "vector \(id) holds a non-finite number", ids: [id])
                return
            }
            norm += x * x
        }
        if store.metric == .cosine && abs(norm - 1) > 1e-3 {
            report(.vectors, "vector-norm", "vector \(id) has squared length \(norm), not 1 (cosine store)", ids: [id])
        }
    }

    private func quoted(_ text: String) -> String { "\"\(text)\"" }
}
