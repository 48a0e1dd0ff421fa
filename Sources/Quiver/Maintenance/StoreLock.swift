import Foundation

/// The advisory lock that keeps compaction and reindexing apart from other processes' use of
/// a store: `flock(2)` on the file `quiver.lock` in the store's directory.
///
/// A store opened for writing holds it shared for its whole life; a store opened read-only
/// holds it shared only while opening (so it never opens between compaction's swap of the data
/// file and its removal of the stale `lock.mdb`); compaction and reindexing hold it exclusively.
/// `flock` locks belong to the open file, so two stores in one process conflict just as two
/// processes do, and the kernel drops a killed process's lock.
final class StoreLock: @unchecked Sendable {
    /// The lock file's name inside a store's directory.
    static let fileName = "quiver.lock"

    private let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)  // releases the lock
    }

    /// Takes the lock of the store in `directory` without waiting, shared or exclusive.
    ///
    /// Returns nil when the lock file cannot be created (a read-only directory without one:
    /// nobody can compact such a store either). Throws ``QuiverError/storeBusy(path:reason:)``
    /// when another holder's lock conflicts.
    static func acquire(directory: String, exclusive: Bool) throws -> StoreLock? {
        let path = (directory as NSString).appendingPathComponent(fileName)
        var descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if descriptor < 0 { descriptor = open(path, O_RDONLY | O_CLOEXEC) }
        guard descriptor >= 0 else { return nil }
        if flock(descriptor, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0 {
            let code = errno
            close(descriptor)
            if code == EWOULDBLOCK {
                throw QuiverError.storeBusy(
                    path: directory,
                    reason: exclusive
                        ? "another store has it open for writing (close it, or stop the process that has it open)"
                        : "it is being compacted or reindexed; try again when that finishes")
            }
            return nil
        }
        return StoreLock(descriptor: descriptor)
    }
}
