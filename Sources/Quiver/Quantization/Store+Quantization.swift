import Dispatch
import Foundation
import LMDB
import VectorMath

extension Store {
    /// Trains (or retrains) the product quantizer now, then encodes every existing vector in
    /// batched write transactions; searches keep using full vectors until every vector has a code.
    ///
    /// `options` default to the store's ``StoreOptions/quantization``. Upserts made meanwhile are
    /// encoded in their own transactions. With `keepsFullVectors == false` the full vectors are
    /// deleted once everything is encoded, which cannot be undone.
    @discardableResult
    public func trainQuantizer(_ options: QuantizationOptions? = nil) throws -> QuantizationStatistics {
        guard !isReadOnly else { throw QuiverError.readOnly }
        let options = options ?? quantization.options
        let m = options.m ?? max(1, dimension / 4)
        guard (1...dimension).contains(m) else {
            throw QuantizationError.invalidOption("m must be between 1 and the dimension \(dimension), got \(m)")
        }
        guard options.sampleSize >= ProductQuantizer.centroidCount else {
            throw QuantizationError.invalidOption("the sample size must be at least 256, got \(options.sampleSize)")
        }
        guard options.iterations >= 1 else { throw QuantizationError.invalidOption("iterations must be at least 1") }
        guard options.encodingBatchSize >= 1 else { throw QuantizationError.invalidOption("the encoding batch size must be at least 1") }
        if try quantization.fullVectorsDiscarded(environment) {
            throw QuantizationError.fullVectorsDiscarded(operation: "retraining the quantizer")
        }
        let qdb = try storageErrors { try quantization.createDatabases(environment) }
        let started = Date()
        let sample = try storageErrors { try trainingSample(size: options.sampleSize, seed: options.seed) }
        let layout: SubspaceLayout
        do {
            layout = try SubspaceLayout(dimension: dimension, count: m)
            try ProductQuantizer.validate(sample: sample, dimension: dimension, iterations: options.iterations)
        } catch {
            throw QuantizationError.training(error)
        }
        let quantizer = try Self.trainConcurrently(sample: sample, layout: layout, options: options)
        let trainingSeconds = Date().timeIntervalSince(started)
        let n = sample.count / dimension
        var squaredNorms = 0.0
        for x in sample { squaredNorms += Double(x) * Double(x) }
        var record = QuantizerRecord(
            generation: 0, dimension: dimension, m: m, codeChunkCapacity: CodeChunkLayout.capacity(forCodeBytes: m),
            trainingVectors: n, iterations: options.iterations, seed: options.seed,
            meanSquaredError: quantizer.meanSquaredError(sample), meanSquaredNorm: squaredNorms / Double(n),
            trainingSeconds: trainingSeconds, keepsFullVectors: options.keepsFullVectors)
        // 1. Codebook and state in one transaction; from here on upserts encode their own vectors.
        let state = try storageErrors {
            try environment.write { txn -> QuantizerState in
                let previous = try quantization.state(in: txn, qdb)
                let counters = try MetaCounters.read(from: txn, meta: databases.meta)
                record.generation = previous.generation + 1
                let state = QuantizerState(
                    generation: record.generation, encodeLimit: counters.nextID, phase: .encoding, fullVectorsDiscarded: false)
                try txn.empty(qdb.codes)
                try txn.put(qdb.pq, key: QuantizationDatabases.Key.parameters, value: try record.encoded())
                try txn.put(qdb.pq, key: QuantizationDatabases.Key.codebook, reservingCount: quantizer.codebook.count * 4) { target in
                    for (i, x) in quantizer.codebook.enumerated() {
                        target.storeBytes(of: x.bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self)
                    }
                }
                try txn.put(qdb.pq, key: QuantizationDatabases.Key.state, value: state.bytes)
                return state
            }
        }
        // 2. The vectors that existed, in batches.
        let codeLayout = CodeChunkLayout(m: m, capacity: record.codeChunkCapacity)
        var low: UInt32 = 0
        while low < state.encodeLimit {
            let high = UInt32(min(Int(state.encodeLimit), Int(low) + options.encodingBatchSize))
            try storageErrors {
                try environment.write { txn in
                    guard try quantization.state(in: txn, qdb).generation == state.generation else { return }
                    try encodeExisting(low..<high, quantizer: quantizer, codeLayout: codeLayout, qdb: qdb, txn: txn)
                }
            }
            low = high
        }
        // 3. Ready; a compressed-only store drops its full vectors in the same transaction.
        try storageErrors {
            try environment.write { txn in
                var current = try quantization.state(in: txn, qdb)
                guard current.generation == state.generation else { return }
                current.phase = .ready
                if !options.keepsFullVectors {
                    try txn.empty(databases.vectors)
                    if let sq8 { try txn.empty(sq8.database) }
                    current.fullVectorsDiscarded = true
                }
                try txn.put(qdb.pq, key: QuantizationDatabases.Key.state, value: current.bytes)
            }
        }
        if !options.keepsFullVectors { quantization.markDiscarded() }
        return try quantizationStatistics()
    }

    /// Trains every sub-space on all cores.
    private static func trainConcurrently(
        sample: [Float], layout: SubspaceLayout, options: QuantizationOptions
    ) throws -> ProductQuantizer {
        let results = SubspaceResults(count: layout.count)
        DispatchQueue.concurrentPerform(iterations: layout.count) { j in
            results.set(j, Result {
                try ProductQuantizer.trainSubspace(j, layout: layout, sample: sample, iterations: options.iterations, seed: options.seed)
            })
        }
        do {
            return try ProductQuantizer(layout: layout, subspaceCentroids: try results.blocks())
        } catch let error as ProductQuantizerError {
            throw QuantizationError.training(error)
        }
    }

    /// Up to `size` live vectors drawn without replacement (seeded), in id order, row-major.
    private func trainingSample(size: Int, seed: UInt64) throws -> [Float] {
        try environment.read { txn in
            var ids: [UInt32] = []
            let cursor = try txn.cursor(databases.vectors)
            var entry = try cursor.first()
            while let (key, chunk) = entry {
                if key.count == 4, chunk.count == layout.chunkBytes {
                    let first = key.loadUnaligned(as: UInt32.self) &* UInt32(layout.capacity)
                    for slot in 0..<layout.capacity where layout.isLive(slot: slot, in: chunk) {
                        ids.append(first &+ UInt32(slot))
                    }
                }
                entry = try cursor.next()
            }
            if ids.count > size {
                var random = SplitMixRandom(seed: seed)
                for i in 0..<size {
                    let j = i + Int(random.next() % UInt64(ids.count - i))
                    ids.swapAt(i, j)
                }
                ids.removeLast(ids.count - size)
                ids.sort()
            }
            var sample = [Float]()
            sample.reserveCapacity(ids.count * dimension)
            for id in ids {
                guard let chunk = try txn.get(databases.vectors, key: layout.chunk(of: id)) else { continue }
                let offset = layout.vectorOffset(slot: layout.slot(of: id))
                for t in 0..<dimension {
                    sample.append(Float(bitPattern: UInt32(littleEndian: chunk.loadUnaligned(
                        fromByteOffset: offset + t * 4, as: UInt32.self))))
                }
            }
            return sample
        }
    }

    /// Encodes the live vectors with ids in `range` (on all cores) and writes their codes.
    private func encodeExisting(
        _ range: Range<UInt32>, quantizer: ProductQuantizer, codeLayout: CodeChunkLayout,
        qdb: QuantizationDatabases, txn: Transaction
    ) throws {
        var ids: [UInt32] = []
        var pointers: [UnsafeRawPointer] = []
        var number = layout.chunk(of: range.lowerBound)
        while Int(number) * layout.capacity < Int(range.upperBound) {
            if let chunk = try txn.get(databases.vectors, key: number), chunk.count == layout.chunkBytes,
               let base = chunk.baseAddress {
                for slot in 0..<layout.capacity where layout.isLive(slot: slot, in: chunk) {
                    let id = number &* UInt32(layout.capacity) &+ UInt32(slot)
                    if range.contains(id) {
                        ids.append(id)
                        pointers.append(base + layout.vectorOffset(slot: slot))
                    }
                }
            }
            number += 1
        }
        let m = quantizer.subspaceCount
        var codes = [UInt8](repeating: 0, count: ids.count * m)
        codes.withUnsafeMutableBufferPointer { out in
            let shared = EncodingJob(pointers: pointers, out: out.baseAddress, m: m)
            let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, ids.count / 256))
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: ProductQuantizer.centroidCount)
                defer { scratch.deallocate() }
                var i = w
                while i < shared.pointers.count {
                    if let out = shared.out { quantizer.encode(shared.pointers[i], into: out + i * shared.m, scratch: scratch) }
                    i += workers
                }
            }
        }
        var editor = CodeChunkEditor(layout: codeLayout, database: qdb.codes)
        try codes.withUnsafeBytes { all in
            for (i, id) in ids.enumerated() {
                try editor.set(id, code: UnsafeRawBufferPointer(rebasing: all[(i * m)..<((i + 1) * m)]), txn: txn)
            }
        }
        try editor.flush(to: txn)
    }

    /// Inside an upsert or delete transaction, after the vector chunks are written: clears the
    /// codes of `retired` ids and encodes the `added` ones, when the store has a quantizer.
    /// Compressed-only stores refuse (their graph needs full vectors to re-link).
    func updateCodes(txn: Transaction, added: [UInt32], retired: Set<UInt32>) throws {
        guard !added.isEmpty || !retired.isEmpty else { return }
        let qdb: QuantizationDatabases
        if let known = quantization.knownDatabases {
            qdb = known
        } else {
            // Trained by another process since this store was opened: use handles of this transaction.
            do {
                qdb = QuantizationDatabases(
                    pq: try txn.openDatabase("pq"), codes: try txn.openDatabase("codes", flags: .integerKey))
            } catch let error as LMDBError where error.isNotFound {
                return
            }
        }
        let state = try quantization.state(in: txn, qdb)
        if state.fullVectorsDiscarded {
            throw QuantizationError.fullVectorsDiscarded(operation: added.isEmpty ? "deleting documents" : "upserting documents")
        }
        guard state.phase != .untrained else { return }
        let loaded = try quantization.quantizer(generation: state.generation, txn: txn, qdb, dimension: dimension)
        var editor = CodeChunkEditor(layout: loaded.codeLayout, database: qdb.codes)
        for id in retired.sorted() { try editor.clear(id, txn: txn) }
        var code = [UInt8](repeating: 0, count: loaded.quantizer.subspaceCount)
        var scratch = [Float](repeating: 0, count: ProductQuantizer.centroidCount)
        for id in added {
            guard let chunk = try txn.get(databases.vectors, key: layout.chunk(of: id)), chunk.count == layout.chunkBytes,
                  let base = chunk.baseAddress
            else { continue }
            code.withUnsafeMutableBufferPointer { c in
                scratch.withUnsafeMutableBufferPointer { s in
                    loaded.quantizer.encode(
                        base + layout.vectorOffset(slot: layout.slot(of: id)),
                        into: c.baseAddress.unsafelyUnwrapped, scratch: s.baseAddress.unsafelyUnwrapped)
                }
            }
            try code.withUnsafeBytes { try editor.set(id, code: $0, txn: txn) }
        }
        try editor.flush(to: txn)
    }

    /// After a committed upsert: trains the quantizer if the store has just reached the
    /// automatic-training threshold (``QuantizationOptions/trainingThreshold``).
    func trainQuantizerIfDue() throws {
        guard let threshold = quantization.options.trainingThreshold, !isReadOnly,
              !quantization.isKnownTrained else { return }
        let due = try storageErrors {
            try environment.read { txn -> Bool in
                if let qdb = quantization.knownDatabases, try quantization.state(in: txn, qdb).phase != .untrained {
                    quantization.markKnownTrained()
                    return false
                }
                let live = try MetaCounters.read(from: txn, meta: databases.meta).liveCount
                return live >= UInt64(max(threshold, ProductQuantizer.centroidCount))
            }
        }
        guard due else { return }
        do {
            try trainQuantizer()
            quantization.markKnownTrained()
        } catch {
            throw QuantizationError.automaticTrainingFailed(underlying: String(describing: error))
        }
    }

    /// The quantizer's state, parameters and error.
    public func quantizationStatistics() throws -> QuantizationStatistics {
        guard let qdb = try storageErrors({ try quantization.databases(environment) }) else { return .untrained }
        return try storageErrors {
            try environment.read { txn in
                let state = try quantization.state(in: txn, qdb)
                guard state.phase != .untrained else { return .untrained }
                let loaded = try quantization.quantizer(generation: state.generation, txn: txn, qdb, dimension: dimension)
                let counters = try MetaCounters.read(from: txn, meta: databases.meta)
                let codes = try quantization.codes(
                    txn: txn, mapGeneration: environment.mapGeneration, qdb, layout: loaded.codeLayout,
                    idLimit: Int(counters.nextID))
                var encoded = 0
                codes.forEachCode { _, _ in encoded += 1 }
                let record = loaded.record
                return QuantizationStatistics(
                    phase: state.phase == .ready ? "ready" : "encoding", trained: true, m: record.m,
                    trainingVectors: record.trainingVectors, iterations: record.iterations,
                    meanSquaredError: record.meanSquaredError,
                    relativeError: record.meanSquaredNorm > 0 ? record.meanSquaredError / record.meanSquaredNorm : 0,
                    trainingSeconds: record.trainingSeconds, encodedVectors: encoded,
                    keepsFullVectors: !state.fullVectorsDiscarded, reranksWithFullVectors: !state.fullVectorsDiscarded)
            }
        }
    }

    /// Bytes in pages of the `pq` and `codes` databases (empty when untrained).
    func quantizationDatabaseBytes() throws -> [String: Int] {
        guard let qdb = try storageErrors({ try quantization.databases(environment) }) else { return [:] }
        return try storageErrors {
            try environment.read { txn in
                ["pq": try txn.statistics(qdb.pq).bytes, "codes": try txn.statistics(qdb.codes).bytes]
            }
        }
    }
}

/// Per-sub-space training results, filled concurrently.
private final class SubspaceResults: @unchecked Sendable {
    private let lock = NSLockShim()
    private var results: [Result<[Float], any Error>?]

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func set(_ j: Int, _ result: Result<[Float], any Error>) { lock.withLock { results[j] = result } }

    func blocks() throws -> [[Float]] {
        try lock.withLock { try results.map { try ($0 ?? .success([])).get() } }
    }
}

/// The inputs of a concurrent encoding pass: each worker writes disjoint codes.
private struct EncodingJob: @unchecked Sendable {
    let pointers: [UnsafeRawPointer]
    let out: UnsafeMutablePointer<UInt8>?
    let m: Int
}

