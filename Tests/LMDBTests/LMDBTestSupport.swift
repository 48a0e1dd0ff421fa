import Foundation
import XCTest

import LMDB

/// A test case with a fresh temporary directory per test, removed afterwards.
class LMDBTestCase: XCTestCase {
    /// The per-test scratch directory (exists during the test).
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("quiver-lmdb-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    /// A new, empty subdirectory of the scratch directory.
    func makeSubdirectory(_ name: String = UUID().uuidString) throws -> String {
        let url = directory.appendingPathComponent(name, isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    /// Opens an environment in a new subdirectory (skipping fsync: these tests never need durability
    /// against power loss, and it keeps them fast).
    func makeEnvironment(_ options: Environment.Options = Environment.Options(skipSync: true)) throws -> Environment {
        try Environment(path: makeSubdirectory(), options: options)
    }
}

/// A copy of `buffer`'s bytes, or nil.
func bytes(_ buffer: UnsafeRawBufferPointer?) -> [UInt8]? {
    buffer.map { Array($0) }
}

/// `buffer` decoded as UTF-8, or nil.
func string(_ buffer: UnsafeRawBufferPointer?) -> String? {
    buffer.map { String(decoding: $0, as: UTF8.self) }
}

/// The UTF-8 bytes of `text`.
func utf8(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A big-endian 4-byte encoding, whose byte order (memcmp) equals numeric order.
func bigEndianBytes(_ value: UInt32) -> [UInt8] {
    withUnsafeBytes(of: value.bigEndian) { Array($0) }
}

/// A value shared between threads under a lock.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withValue<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }

    var current: Value { withValue { $0 } }
}

/// Starts `body` on a new thread; the returned semaphore is signalled when it finishes.
@discardableResult
func startThread(_ body: @escaping @Sendable () -> Void) -> DispatchSemaphore {
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        body()
        done.signal()
    }
    thread.start()
    return done
}

/// A small deterministic pseudo-random generator (SplitMix64), so failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
