import Encoders
import Foundation
import XCTest
@testable import Quiver

/// An encoder that fails on texts containing "boom", to fail a batch midway through encoding.
private struct FailingEncoder: TextEncoder {
    struct Boom: Error {}
    let inner: HashingEncoder
    var dimension: Int { inner.dimension }
    var descriptor: EncoderDescriptor { inner.descriptor }
    func encode(_ texts: [String], role: EncodingRole) throws -> [[Float]] {
        if texts.contains(where: { $0.contains("boom") }) { throw Boom() }
        return try inner.encode(texts, role: role)
    }
}

/// All or nothing: failed batches leave the store exactly as before; readers see whole commits only.
final class AtomicityTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        directory.remove()
    }

    /// Everything observable about a store's contents.
    private func contents(_ store: Store, ids: [String]) throws -> [String: Document] {
        var result: [String: Document] = [:]
        for id in ids { result[id] = try store.document(id: id) }
        return result
    }

    func testBatchFailingInsideTheTransactionLeavesStoreAsBefore() throws {
        // A map capped at 4 MiB: a large batch runs out of space in the middle of its transaction.
        let store = try Store.open(
            at: directory.child("db"),
            options: StoreOptions(initialMapSize: 1 << 20, maximumMapSize: 4 << 20))
        let first = (0..<100).map { Document(id: "d\($0)", text: "small document \($0)") }
        try store.upsert(first)
        let ids = (0..<2_000).map { "d\($0)" }
        let before = try contents(store, ids: ids)
        let beforeSearch = try store.search(text: "small document 42", k: 5)

        let bigText = String(repeating: "lorem ipsum dolor sit amet ", count: 200)
        // Replaces existing documents and adds new ones, needing far more than 4 MiB.
        let huge = (0..<2_000).map { Document(id: "d\($0)", text: bigText + "\($0)") }
        XCTAssertThrowsError(try store.upsert(huge)) { error in
            guard case QuiverError.storage(let inner) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(inner.isMapFull, "\(inner)")
        }
        XCTAssertEqual(try store.count(), 100)
        XCTAssertEqual(try contents(store, ids: ids), before)
        XCTAssertEqual(try store.search(text: "small document 42", k: 5), beforeSearch)
        XCTAssertEqual(try store.statistics().deleted, 0, "no replacement was half-applied")
        // And the store still takes writes that fit.
        try store.upsert([Document(id: "after", text: "fits")])
        XCTAssertEqual(try store.count(), 101)
    }

    func testBatchFailingDuringEncodingWritesNothing() throws {
        let encoder = FailingEncoder(inner: try HashingEncoder())
        let store = try Store.open(at: directory.child("db"), options: StoreOptions(encoder: encoder))
        try store.upsert([Document(id: "a", text: "alpha")])
        XCTAssertThrowsError(try store.upsert([
            Document(id: "b", text: "beta"), Document(id: "a", text: "boom"), Document(id: "c", text: "gamma"),
        ]))
        XCTAssertEqual(try store.count(), 1)
        XCTAssertEqual(try store.document(id: "a")?.text, "alpha")
        XCTAssertNil(try store.document(id: "b"))
    }

    func testMapGrowsPastInitialSize() throws {
        let store = try Store.open(at: directory.child("db"), options: StoreOptions(initialMapSize: 256 << 10))
        let initial = try store.statistics().mapSizeBytes
        let text = String(repeating: "growth test text ", count: 100)
        for batch in 0..<10 {
            try store.upsert((0..<200).map { Document(id: "b\(batch)-\($0)", text: text + "\($0)") })
        }
        let stats = try store.statistics()
        XCTAssertEqual(stats.documents, 2_000)
        XCTAssertGreaterThan(stats.mapSizeBytes, initial)
        XCTAssertGreaterThan(stats.mapUsedBytes, initial)
        XCTAssertEqual(try store.document(id: "b9-199")?.text, text + "199")
    }

    func testConcurrentReadersSeeWholeCommitsOnly() throws {
        let store = try Store.open(at: directory.child("db"), options: StoreOptions(skipSync: true))
        let batchSize = 50
        let batches = 40
        let done = ManagedAtomicFlag()
        let failures = FailureLog()
        let readers = DispatchGroup()
        for reader in 0..<3 {
            DispatchQueue.global().async(group: readers) {
                var observations = 0
                while !done.isSet || observations < 5 {
                    do {
                        let count = try store.count()
                        if count % batchSize != 0 { failures.record("reader \(reader) saw count \(count)") }
                        let hits = try store.search(text: "batch item", k: 10)
                        for hit in hits {
                            // Every visible document is complete: text and metadata agree with its id.
                            guard let batch = hit.metadata["batch"], case .int(let b) = batch,
                                  hit.text == "batch item \(hit.id) of batch \(b)" else {
                                failures.record("reader \(reader) saw a torn document \(hit)")
                                continue
                            }
                        }
                    } catch {
                        failures.record("reader \(reader): \(error)")
                    }
                    observations += 1
                }
            }
        }
        for b in 0..<batches {
            try store.upsert((0..<batchSize).map { i in
                let id = "\(b)-\(i)"
                return Document(id: id, text: "batch item \(id) of batch \(b)", metadata: ["batch": .int(Int64(b))])
            })
        }
        done.set()
        XCTAssertEqual(readers.wait(timeout: .now() + 60), .success)
        XCTAssertEqual(failures.entries, [])
        XCTAssertEqual(try store.count(), batchSize * batches)
    }
}

/// A flag set once by one thread and read by others.
final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// Failures collected from several threads.
final class FailureLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    var entries: [String] { lock.withLock { list } }
    func record(_ message: String) { lock.withLock { list.append(message) } }
}
