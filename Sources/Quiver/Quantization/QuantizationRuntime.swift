import LMDB
import VectorMath

/// A store's product-quantization runtime state: the options it was opened with, the `pq`/`codes`
/// database handles once they exist, the decoded quantizer of the current generation, and the
/// code snapshot of the latest read transaction — so searches decode the codebook once per
/// training and walk the `codes` chunks once per snapshot.
final class QuantizationRuntime: @unchecked Sendable {
    let options: QuantizationOptions
    /// Reusable ADC tables, so searches do not allocate one per query.
    let tables = ADCTablePool()
    private let lock = NSLockShim()
    private var databases: QuantizationDatabases?
    private var lookedUp = false
    private var loaded: LoadedQuantizer?
    private var codeSnapshot: CodeSnapshot?
    private var discarded: Bool?
    private var knownTrained = false

    /// Looks the databases up once, at open (outside any transaction); a failed lookup is
    /// treated as "never trained".
    init(options: QuantizationOptions, environment: Environment) {
        self.options = options
        databases = (try? QuantizationDatabases.open(environment, create: false)) ?? nil
        lookedUp = true
    }

    /// Whether this process has seen the quantizer trained (automatic training then stops checking).
    var isKnownTrained: Bool { lock.withLock { knownTrained } }

    /// Records that the store has a trained quantizer.
    func markKnownTrained() { lock.withLock { knownTrained = true } }

    /// The quantizer of one generation with its code layout.
    struct LoadedQuantizer: Sendable {
        let generation: UInt64
        let quantizer: ProductQuantizer
        let codeLayout: CodeChunkLayout
        let record: QuantizerRecord
    }

    /// The `pq`/`codes` handles, opening them once (nil: the store was never trained). Must be
    /// called outside any transaction of this environment.
    func databases(_ environment: Environment) throws -> QuantizationDatabases? {
        try lock.withLock {
            if let databases { return databases }
            if lookedUp { return nil }
            lookedUp = true
            databases = try QuantizationDatabases.open(environment, create: false)
            return databases
        }
    }

    /// The handles, creating the databases when missing (training).
    func createDatabases(_ environment: Environment) throws -> QuantizationDatabases {
        if let existing = try databases(environment) { return existing }
        let created = try QuantizationDatabases.open(environment, create: true)
        guard let created else { throw QuantizationError.invalidOption("the store is read-only") }
        lock.withLock { databases = created }
        return created
    }

    /// The handles already known, without touching the environment (for use inside a transaction).
    var knownDatabases: QuantizationDatabases? { lock.withLock { databases } }

    /// The quantizer state stored in `txn`'s snapshot.
    func state(in txn: Transaction, _ databases: QuantizationDatabases) throws -> QuantizerState {
        guard let bytes = try txn.get(databases.pq, key: QuantizationDatabases.Key.state) else { return .untrained }
        return try QuantizerState(bytes: bytes)
    }

    /// The quantizer of `generation`, decoded from `txn` unless already cached.
    func quantizer(generation: UInt64, txn: Transaction, _ databases: QuantizationDatabases, dimension: Int) throws -> LoadedQuantizer {
        if let loaded = lock.withLock({ loaded }), loaded.generation == generation { return loaded }
        guard let recordBytes = try txn.get(databases.pq, key: QuantizationDatabases.Key.parameters),
              let codebookBytes = try txn.get(databases.pq, key: QuantizationDatabases.Key.codebook)
        else { throw QuantizationError.corruptQuantizer("pq/parameters or pq/codebook is missing") }
        let record = try QuantizerRecord.decode(recordBytes)
        guard record.generation == generation, record.dimension == dimension,
              codebookBytes.count == dimension * ProductQuantizer.centroidCount * 4
        else { throw QuantizationError.corruptQuantizer("parameters, state and codebook disagree") }
        let codebook = (0..<(codebookBytes.count / 4)).map {
            Float(bitPattern: UInt32(littleEndian: codebookBytes.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))
        }
        let quantizer: ProductQuantizer
        do {
            quantizer = try ProductQuantizer(layout: SubspaceLayout(dimension: dimension, count: record.m), codebook: codebook)
        } catch {
            throw QuantizationError.corruptQuantizer("\(error)")
        }
        let fresh = LoadedQuantizer(
            generation: generation, quantizer: quantizer,
            codeLayout: CodeChunkLayout(m: record.m, capacity: record.codeChunkCapacity), record: record)
        lock.withLock { loaded = fresh }
        return fresh
    }

    /// The code snapshot of `txn`, built once per snapshot.
    func codes(
        txn: Transaction, mapGeneration: Int, _ databases: QuantizationDatabases, layout: CodeChunkLayout, idLimit: Int
    ) throws -> CodeSnapshot {
        try lock.withLock {
            if let codeSnapshot, codeSnapshot.txnID == txn.id, codeSnapshot.mapGeneration == mapGeneration,
               codeSnapshot.layout == layout {
                return codeSnapshot
            }
            let fresh = try CodeSnapshot(
                txn: txn, mapGeneration: mapGeneration, codes: databases.codes, layout: layout, idLimit: idLimit)
            codeSnapshot = fresh
            return fresh
        }
    }

    /// Whether this store keeps only codes. Read from the store once, then remembered: discarding
    /// is permanent. (Another process discarding the vectors is seen after reopening.)
    func fullVectorsDiscarded(_ environment: Environment) throws -> Bool {
        if let discarded = lock.withLock({ discarded }) { return discarded }
        guard let databases = try databases(environment) else {
            lock.withLock { discarded = false }
            return false
        }
        let value = try environment.read { try state(in: $0, databases).fullVectorsDiscarded }
        lock.withLock { discarded = value }
        return value
    }

    /// Records that the full vectors were discarded (by this process's training).
    func markDiscarded() { lock.withLock { discarded = true } }
}
