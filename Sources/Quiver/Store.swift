import Encoders
import Foundation
import LMDB

/// An embedded vector database: documents, their vectors and metadata in one LMDB directory.
///
/// A store is safe to share between threads: any number of searches run at once on
/// consistent snapshots, and writes are serialised. Every `upsert` or `delete` call is one
/// transaction: all of it is committed, or none of it, even if the process is killed.
///
/// ```swift
/// let store = try Store.open(at: "/path/to/db")
/// try store.upsert([Document(id: "1", text: "green tea brewing", metadata: ["year": 2024])])
/// let hits = try store.search(text: "how to brew tea", k: 5)
/// ```
public final class Store: Sendable {
    /// The store's directory.
    public let path: String
    /// The encoder used for documents on upsert and for queries on search.
    public let encoder: any TextEncoder
    /// The length of every vector in the store.
    public var dimension: Int { manifest.dimension }
    /// How nearness is measured.
    public var metric: Metric { manifest.metric }
    /// Whether the store was opened read-only.
    public let isReadOnly: Bool

    let environment: Environment
    let databases: StoreDatabases
    let manifest: Manifest
    let layout: VectorChunkLayout
    let graphLayout: GraphLayout
    let maximumTextLength: Int
    /// Threads for inserting large batches into the graph (at least 1).
    let indexingThreads: Int
    let snapshots = GraphSnapshotCache()
    /// The metadata index; nil only for a store from before it existed, opened read-only.
    let metadataIndex: MetadataDatabases?
    /// Compiled filters of the latest snapshot searched.
    let candidateCache = CandidateCache()
    let scratchPool: ScratchPool
    /// Running totals of what searches read (``searchActivity``).
    let activity = SearchActivityCounters()
    /// Held shared for a writable store's life, so no compaction runs beside its writes.
    let writerLock: StoreLock?
    /// Product-quantization state: options, database handles, the decoded codebook.
    let quantization: QuantizationRuntime
    /// The 8-bit copies of the vectors; nil for a store from before them opened read-only.
    let sq8: SQ8Chunks?
    /// Whether graph searches walk ``sq8`` (``StoreOptions/quantizedTraversal``, and the copies exist).
    let walksSQ8: Bool

    private init(
        path: String, environment: Environment, databases: StoreDatabases, manifest: Manifest,
        encoder: any TextEncoder, options: StoreOptions, metadataIndex: MetadataDatabases?, sq8: SQ8Chunks?,
        lock: StoreLock?
    ) {
        self.path = path
        self.writerLock = options.readOnly ? nil : lock
        self.metadataIndex = metadataIndex
        self.environment = environment
        self.databases = databases
        self.manifest = manifest
        self.encoder = encoder
        self.isReadOnly = options.readOnly
        self.layout = VectorChunkLayout(dimension: manifest.dimension, capacity: manifest.chunkCapacity)
        self.graphLayout = GraphLayout(m: manifest.graph.m)
        self.scratchPool = ScratchPool(dimension: manifest.dimension)
        self.maximumTextLength = options.maximumTextLength
        self.indexingThreads = max(1, options.indexingThreads ?? ProcessInfo.processInfo.activeProcessorCount)
        self.quantization = QuantizationRuntime(options: options.quantization, environment: environment)
        self.sq8 = sq8
        self.walksSQ8 = sq8 != nil && options.quantizedTraversal
    }

    /// Opens the store in directory `path`, creating it when missing (unless `options` say not to).
    ///
    /// Fails, changing nothing, when the path is not a Quiver store, the store's format is
    /// newer than this build, or the options' encoder, dimension or metric differ from the store's.
    public static func open(at path: String, options: StoreOptions = StoreOptions()) throws -> Store {
        try open(at: path, options: options, locking: true)
    }

    /// Opens a store; `locking: false` is for compaction, which already holds the store's lock exclusively.
    static func open(at path: String, options: StoreOptions, locking: Bool) throws -> Store {
        do {
            return try openOrCreate(at: path, options: options, locking: locking)
        } catch let error as LMDBError {
            throw QuiverError.storage(error)
        }
    }

    private static func openOrCreate(at path: String, options: StoreOptions, locking: Bool) throws -> Store {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        let exists = fileManager.fileExists(atPath: path, isDirectory: &isDirectory)
        if exists && !isDirectory.boolValue {
            throw QuiverError.notAStore(path: path, reason: "it is a file, not a directory")
        }
        let dataFile = (path as NSString).appendingPathComponent("data.mdb")
        let dataSize = (try? fileManager.attributesOfItem(atPath: dataFile)[.size] as? Int) ?? nil
        // A data file of zero bytes is what a process killed while creating the store leaves.
        if dataSize == nil || dataSize == 0 {
            let contents = exists ? ((try? fileManager.contentsOfDirectory(atPath: path)) ?? []) : []
            if !contents.allSatisfy({ $0 == "data.mdb" || $0 == "lock.mdb" || $0 == StoreLock.fileName }) {
                throw QuiverError.notAStore(path: path, reason: "the directory is not empty and holds no data.mdb")
            }
            guard options.creation == .createIfMissing, !options.readOnly else {
                throw QuiverError.storeNotFound(path: path)
            }
            try fileManager.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        let lockPath = (path as NSString).appendingPathComponent(StoreLock.fileName)
        let hadLockFile = fileManager.fileExists(atPath: lockPath)
        let lock = locking ? try StoreLock.acquire(directory: path, exclusive: false) : nil
        do {
            let environment = try openEnvironment(at: path, options: options)
            if try isUninitialized(environment) {
                // A new environment, or one whose creating process died before its first commit.
                guard options.creation == .createIfMissing, !options.readOnly else {
                    throw QuiverError.storeNotFound(path: path)
                }
                return try initialize(environment, at: path, options: options, lock: lock)
            }
            return try openExisting(environment, at: path, options: options, lock: lock)
        } catch {
            // A refused open leaves the directory as it found it.
            if !hadLockFile { try? fileManager.removeItem(atPath: lockPath) }
            throw error
        }
    }

    private static func environmentOptions(_ options: StoreOptions) -> Environment.Options {
        Environment.Options(
            mapSize: options.initialMapSize, maximumMapSize: max(options.maximumMapSize, options.initialMapSize),
            maximumDatabases: 16,
            readOnly: options.readOnly, skipSync: options.skipSync)
    }

    private static func openEnvironment(at path: String, options: StoreOptions) throws -> Environment {
        do {
            let environment = try Environment(path: path, options: environmentOptions(options))
            // A data file shorter than its own last page (cut off by a bad copy or a full disk)
            // would fault with SIGBUS on the first read of a missing page: refuse it here.
            let dataFile = (path as NSString).appendingPathComponent("data.mdb")
            if let size = (try? FileManager.default.attributesOfItem(atPath: dataFile)[.size]) as? Int, size > 0,
               size < environment.usedBytes {
                throw QuiverError.corruptStore(
                    path: path,
                    reason: "data.mdb is truncated: \(size) bytes, but its pages run to \(environment.usedBytes) bytes")
            }
            return environment
        } catch let error as LMDBError where error.isInvalidFile || error.isCorrupted {
            throw QuiverError.corruptStore(path: path, reason: error.message)
        } catch let error as LMDBError where error.code == EACCES || error.code == EROFS || error.code == EPERM {
            throw QuiverError.accessDenied(path: path, reason: error.message)
        } catch let error as LMDBError {
            throw QuiverError.storage(error)
        }
    }

    /// Whether the environment holds nothing at all: no named database, no key.
    private static func isUninitialized(_ environment: Environment) throws -> Bool {
        let main = try environment.openDatabase(nil, create: false)
        return try environment.read { txn in try txn.count(main) == 0 }
    }

    /// Creates every database and writes the manifest in one transaction: a store either
    /// exists whole or not at all.
    private static func initialize(
        _ environment: Environment, at path: String, options: StoreOptions, lock: StoreLock?
    ) throws -> Store {
        let encoder = try options.encoder ?? HashingEncoder(dimension: options.dimension ?? 256)
        if let dimension = options.dimension, dimension != encoder.dimension {
            throw QuiverError.dimensionMismatch(expected: encoder.dimension, actual: dimension)
        }
        try options.graph.validate()
        let manifest = Manifest(
            magic: Manifest.magic, formatVersion: Manifest.currentFormatVersion,
            dimension: encoder.dimension, metric: options.metric ?? .cosine,
            encoder: encoder.descriptor,
            chunkCapacity: VectorChunkLayout.capacity(forDimension: encoder.dimension),
            graph: options.graph)
        let bytes = try manifest.encoded()
        var catalog = try FieldCatalog(declared: options.fieldTypes, unindexed: options.unindexedFields)
        let sq8Layout = SQ8Layout(
            vectors: VectorChunkLayout(dimension: manifest.dimension, capacity: manifest.chunkCapacity), metric: manifest.metric)
        let (databases, metadataIndex, sq8) = try environment.write { txn in
            let databases = try StoreDatabases(txn: txn, create: true)
            let metadataIndex = try MetadataDatabases(txn: txn, create: true)
            let sq8 = try SQ8Chunks.create(txn: txn, layout: sq8Layout)
            try txn.put(databases.meta, key: MetaKey.manifest, value: bytes, flags: .noOverwrite)
            try MetaCounters(nextID: 0, liveCount: 0).write(to: txn, meta: databases.meta)
            try catalog.save(to: metadataIndex.fields, txn: txn)
            return (databases, metadataIndex, sq8)
        }
        return Store(
            path: path, environment: environment, databases: databases, manifest: manifest,
            encoder: encoder, options: options, metadataIndex: metadataIndex, sq8: sq8, lock: lock)
    }

    private static func openExisting(
        _ environment: Environment, at path: String, options: StoreOptions, lock: StoreLock?
    ) throws -> Store {
        let manifest = try readManifest(environment: environment, path: path)
        guard manifest.formatVersion <= Manifest.currentFormatVersion else {
            throw QuiverError.unsupportedFormatVersion(
                found: manifest.formatVersion, supported: Manifest.currentFormatVersion)
        }
        let encoder = try options.encoder ?? EncoderRegistry.makeEncoder(manifest.encoder)
        if encoder.descriptor.fingerprint != manifest.encoder.fingerprint
            || encoder.descriptor.kind != manifest.encoder.kind {
            throw QuiverError.encoderMismatch(stored: manifest.encoder, requested: encoder.descriptor)
        }
        if encoder.dimension != manifest.dimension {
            throw QuiverError.dimensionMismatch(expected: manifest.dimension, actual: encoder.dimension)
        }
        if let dimension = options.dimension, dimension != manifest.dimension {
            throw QuiverError.dimensionMismatch(expected: manifest.dimension, actual: dimension)
        }
        if let metric = options.metric, metric != manifest.metric {
            throw QuiverError.metricMismatch(stored: manifest.metric, requested: metric)
        }
        do {
            let databases = try environment.withDatabaseTransaction { txn in
                try StoreDatabases(txn: txn, create: false)
            }
            let metadataIndex = try openMetadataIndex(environment, databases: databases, readOnly: options.readOnly)
            let vectorLayout = VectorChunkLayout(dimension: manifest.dimension, capacity: manifest.chunkCapacity)
            let sq8 = try SQ8Chunks.open(
                environment, meta: databases.meta, vectors: databases.vectors, vectorLayout: vectorLayout,
                layout: SQ8Layout(vectors: vectorLayout, metric: manifest.metric), readOnly: options.readOnly)
            return Store(
                path: path, environment: environment, databases: databases, manifest: manifest,
                encoder: encoder, options: options, metadataIndex: metadataIndex, sq8: sq8, lock: lock)
        } catch let error as LMDBError where error.isNotFound {
            throw QuiverError.corruptStore(path: path, reason: "a database of the store is missing")
        } catch let error as LMDBError {
            throw QuiverError.storage(error)
        }
    }

    /// Reads the manifest without creating anything; refuses environments that are not Quiver stores.
    private static func readManifest(environment: Environment, path: String) throws -> Manifest {
        let meta: Database
        do {
            meta = try environment.openDatabase("meta", create: false)
        } catch let error as LMDBError where error.isNotFound {
            throw QuiverError.notAStore(path: path, reason: "an LMDB environment without Quiver's 'meta' database")
        } catch let error as LMDBError where error.isIncompatible {
            // A key named "meta" in the main database that is not a named database.
            throw QuiverError.notAStore(path: path, reason: "an LMDB environment of another application")
        } catch let error as LMDBError {
            throw QuiverError.storage(error)
        }
        let manifest: Manifest? = try environment.read { txn in
            guard let bytes = try txn.get(meta, key: MetaKey.manifest) else { return nil }
            return try? Manifest.decode(bytes)
        }
        guard let manifest, manifest.magic == Manifest.magic else {
            throw QuiverError.notAStore(path: path, reason: "its 'meta' database holds no Quiver manifest")
        }
        return manifest
    }
}
