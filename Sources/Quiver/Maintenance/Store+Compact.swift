import Foundation
import LMDB

extension Store {
    /// Rewrites the store at `path` without its tombstones, with dense ids, and swaps the copy in.
    ///
    /// The copy is built beside the store (`.compact-work`, then LMDB's compacting copy in
    /// `.compact-final`), checked with ``verify()``, and only then renamed over `data.mdb`; the
    /// stale `lock.mdb` is removed with it. Until that rename the old store is untouched and
    /// usable, and a compaction killed at any moment leaves either the old store or the new
    /// one, whole. Search results are unchanged: ids are renumbered in the same order, so the
    /// carried-over graph visits and ties exactly as before. With ``CompactionOptions/graph``
    /// the graph is instead rebuilt with new parameters (a reindex).
    ///
    /// Needs the store to itself: throws ``QuiverError/storeBusy(path:reason:)`` while another
    /// store (in any process) has it open for writing. Processes that keep a store open
    /// read-only during the swap go on reading the old data until they reopen.
    @discardableResult
    public static func compact(
        at path: String, options: CompactionOptions = CompactionOptions(),
        progress: (CompactionProgress) -> Void = { _ in }
    ) throws -> CompactionReport {
        let started = Date()
        let fileManager = FileManager.default
        guard fileManager.fileExists(atPath: (path as NSString).appendingPathComponent("data.mdb")) else {
            throw QuiverError.storeNotFound(path: path)
        }
        guard let lock = try StoreLock.acquire(directory: path, exclusive: true) else {
            throw QuiverError.accessDenied(path: path, reason: "cannot create \(StoreLock.fileName) in it")
        }
        return try withExtendedLifetime(lock) {
            let dataFile = (path as NSString).appendingPathComponent("data.mdb")
            let work = (path as NSString).appendingPathComponent(".compact-work")
            let final = (path as NSString).appendingPathComponent(".compact-final")
            for directory in [work, final] {
                try? fileManager.removeItem(atPath: directory)
                try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            defer {
                try? fileManager.removeItem(atPath: work)
                try? fileManager.removeItem(atPath: final)
            }
            let bytesBefore = fileSize(dataFile)
            var sourceOptions = options.store
            sourceOptions.creation = .openExisting
            sourceOptions.readOnly = true
            let (counts, rebuild, verifyOptions) = try {
                let source = try Store.open(at: path, options: sourceOptions, locking: false)
                let parameters = options.graph ?? source.manifest.graph
                try parameters.validate()
                let rebuild = options.rebuildGraph || parameters.m != source.manifest.graph.m
                let counts = try StoreCompactor(source: source, targetPath: work, graph: parameters, rebuildGraph: rebuild,
                                                batchSize: max(1, options.batchSize)).run(progress: progress)
                var verifyOptions = sourceOptions
                verifyOptions.encoder = source.encoder
                return (counts, rebuild, verifyOptions)
            }()
            do {
                var targetOptions = verifyOptions
                targetOptions.readOnly = false
                targetOptions.skipSync = true
                let target = try Store.open(at: work, options: targetOptions, locking: false)
                if rebuild {
                    try target.rebuildGraph(batchSize: max(1, options.batchSize), progress: progress)
                } else {
                    // A graph copied from a store written before every write kept each node
                    // reachable may hold stranded nodes; relink them so the copy verifies.
                    try target.reconnectGraph()
                }
            }
            progress(CompactionProgress(step: .compactingCopy, done: 0, total: 0))
            do {
                let environment = try Environment(path: work, options: Environment.Options(maximumDatabases: 16))
                try environment.copy(to: final, compact: true)
            }
            progress(CompactionProgress(step: .verifying, done: 0, total: 0))
            do {
                let copy = try Store.open(at: final, options: verifyOptions, locking: false)
                let report = try copy.verify()
                guard report.isSound, try copy.count() == counts.documents else {
                    throw QuiverError.corruptStore(
                        path: path,
                        reason: "the compacted copy failed verification (\(report.problems.prefix(3).map(\.description))); "
                            + "the store is unchanged")
                }
            }
            progress(CompactionProgress(step: .swapping, done: 0, total: 0))
            let newData = (final as NSString).appendingPathComponent("data.mdb")
            syncFile(newData)
            guard rename(newData, dataFile) == 0 else {
                throw QuiverError.storage(LMDBError(code: errno, operation: "rename(\(newData), \(dataFile))"))
            }
            // The old lock file describes the old data file; the next opener makes a new one.
            unlink((path as NSString).appendingPathComponent("lock.mdb"))
            syncFile(path)
            return CompactionReport(
                documents: counts.documents, tombstonesDropped: counts.tombstones, bytesBefore: bytesBefore,
                bytesAfter: fileSize(dataFile), graphRebuilt: rebuild, seconds: Date().timeIntervalSince(started))
        }
    }

    /// Links every live node into an empty graph, in batches (the reindex step of compaction).
    func rebuildGraph(batchSize: Int, progress: (CompactionProgress) -> Void) throws {
        let total = try count()
        guard total > 0 else { return }
        for start in stride(from: 0, to: total, by: batchSize) {
            let batch = (start..<min(start + batchSize, total)).map { UInt32($0) }
            try storageErrors {
                try environment.write { txn in
                    try updateGraph(txn: txn, idLimit: total, retired: [], added: batch)
                }
            }
            progress(CompactionProgress(step: .buildingGraph, done: start + batch.count, total: total))
        }
    }
}

/// The size of the file at `path` in bytes (0 when missing).
private func fileSize(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
}

/// `fsync` of a file or directory, so a rename that follows is durable.
@discardableResult
private func syncFile(_ path: String) -> Bool {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    return fsync(descriptor) == 0
}
