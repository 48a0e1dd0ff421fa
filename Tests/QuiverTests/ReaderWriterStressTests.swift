import Dispatch
import Encoders
import Foundation
import XCTest
@testable import Quiver

/// Four reader threads search while a writer replaces, deletes and re-adds documents for a
/// bounded time; every read must match some committed state.
///
/// The writer keeps an invariant in every transaction it commits: all present documents
/// carry the same generation `g` (in their metadata, text and vector), and the present ids
/// are either all of `d0…d(n−1)` or exactly the first half. A reader that sees two
/// generations in one search, a torn document, or a count other than n or n/2 has seen a
/// state no transaction committed.
final class ReaderWriterStressTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        directory.remove()
    }

    private static let count = 120
    private static let dimension = 16

    /// The vector of document `i` in generation `g`: near a per-document direction, shifted by g.
    private static func vector(_ i: Int, _ g: Int) -> [Float] {
        (0..<dimension).map { j in Float(sin(Double(i * 31 + j * 7))) + 0.05 * Float((g + j) % 5) }
    }

    private static func document(_ i: Int, _ g: Int) -> Document {
        Document(id: "d\(i)", text: "document \(i) generation \(g)", metadata: ["gen": .int(Int64(g)), "i": .int(Int64(i))])
    }

    func testReadersSeeOnlyCommittedStatesWhileAWriterChurns() throws {
        let store = try Store.open(
            at: directory.child("db"),
            options: StoreOptions(
                encoder: try HashingEncoder(dimension: Self.dimension), graph: GraphParameters(m: 8, efConstruction: 64),
                skipSync: true))
        let n = Self.count
        try store.upsert((0..<n).map { Self.document($0, 0) }, vectors: (0..<n).map { Self.vector($0, 0) })
        let done = ManagedAtomicFlag()
        let failures = FailureLog()
        let readsDone = ReadCounter()
        let readers = DispatchGroup()
        for reader in 0..<4 {
            DispatchQueue.global().async(group: readers) {
                var rng = SeededGenerator(seed: UInt64(reader + 1))
                var reads = 0
                while !done.isSet || reads < 10 {
                    do {
                        let count = try store.count()
                        if count != n && count != n / 2 { failures.record("reader \(reader): count \(count)") }
                        let query = Self.vector(Int.random(in: 0..<n, using: &rng), 0)
                        let exact = reads % 3 == 0
                        let hits = try store.search(vector: query, k: n, ef: 2 * n, exact: exact)
                        var generations = Set<Int64>()
                        for hit in hits {
                            guard case .int(let g)? = hit.metadata["gen"], case .int(let i)? = hit.metadata["i"],
                                  hit.id == "d\(i)", hit.text == "document \(i) generation \(g)"
                            else {
                                failures.record("reader \(reader): torn document \(hit.id)")
                                continue
                            }
                            generations.insert(g)
                        }
                        if generations.count > 1 {
                            failures.record("reader \(reader): generations \(generations.sorted()) in one search")
                        }
                        if exact && hits.count != n && hits.count != n / 2 {
                            failures.record("reader \(reader): exact search returned \(hits.count)")
                        }
                    } catch {
                        failures.record("reader \(reader): \(error)")
                    }
                    reads += 1
                }
                readsDone.add(reads)
            }
        }
        // The writer: for two seconds, one of replace-all (new generation), delete the second
        // half, or put the second half back — each one transaction.
        var generation = 0
        var full = true
        var writes = 0
        var rng = SeededGenerator(seed: 77)
        let deadline = Date().addingTimeInterval(2)
        while Date() < deadline {
            if full && Bool.random(using: &rng) {
                try store.delete(ids: (n / 2..<n).map { "d\($0)" })
                full = false
            } else if !full {
                try store.upsert((n / 2..<n).map { Self.document($0, generation) },
                                 vectors: (n / 2..<n).map { Self.vector($0, generation) })
                full = true
            } else {
                generation += 1
                try store.upsert((0..<n).map { Self.document($0, generation) },
                                 vectors: (0..<n).map { Self.vector($0, generation) })
            }
            writes += 1
        }
        done.set()
        XCTAssertEqual(readers.wait(timeout: .now() + 60), .success)
        XCTAssertEqual(failures.entries.prefix(10), [])
        XCTAssertGreaterThan(writes, 5)
        XCTAssertGreaterThan(readsDone.total, 40)
        XCTAssertEqual(try store.verify().problems, [])
        print("reader/writer stress: \(writes) write transactions, \(readsDone.total) reads, \(failures.entries.count) failures")
    }
}

/// A total added to by several threads.
private final class ReadCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    var total: Int { lock.withLock { value } }
    func add(_ n: Int) { lock.withLock { value += n } }
}
