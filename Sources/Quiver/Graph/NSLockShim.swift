import Foundation

/// A plain mutex (Foundation's `NSLock`), with a closure-scoped `withLock`.
final class NSLockShim: @unchecked Sendable {
    private let lock = NSLock()

    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
