import Encoders
import Foundation
import XCTest
@testable import Quiver

/// Exact search must return the true top-k: checked against a naive Double-precision reference.
final class ExactSearchTests: XCTestCase {
    private func randomVectors(_ n: Int, _ d: Int, _ rng: inout SeededGenerator) -> [[Float]] {
        (0..<n).map { _ in (0..<d).map { _ in Float.random(in: -1...1, using: &rng) } }
    }

    private func reference(_ query: [Float], _ base: [[Float]], metric: Metric) -> [(Int, Double)] {
        func norm(_ v: [Float]) -> Double { v.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot() }
        let scored = base.enumerated().map { i, v -> (Int, Double) in
            let dot = zip(query, v).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            switch metric {
            case .dot: return (i, -dot)
            case .cosine: return (i, -dot / (norm(query) * norm(v)))
            case .l2: return (i, zip(query, v).reduce(0.0) { $0 + pow(Double($1.0) - Double($1.1), 2) })
            }
        }
        return scored.sorted { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
    }

    func testExactSearchMatchesNaiveReferenceForEveryMetric() throws {
        var rng = SeededGenerator(seed: 42)
        for metric in Metric.allCases {
            for dimension in [3, 16, 37] {
                let directory = try TemporaryDirectory()
                defer { directory.remove() }
                let store = try Store.open(
                    at: directory.child("db"),
                    options: StoreOptions(encoder: try HashingEncoder(dimension: dimension), metric: metric))
                // More than one chunk, with deletions making holes in the live bitmaps.
                let n = 700
                let base = randomVectors(n, dimension, &rng)
                try store.upsert((0..<n).map { Document(id: "v\($0)", text: "") }, vectors: base)
                let deleted = Set((0..<n).filter { $0 % 7 == 3 })
                try store.delete(ids: deleted.map { "v\($0)" })
                let live = (0..<n).filter { !deleted.contains($0) }
                for query in randomVectors(10, dimension, &rng) {
                    for k in [1, 10, 50] {
                        let got = try store.search(vector: query, k: k, exact: true)
                        let expected = reference(query, live.map { base[$0] }, metric: metric).prefix(k)
                        XCTAssertEqual(got.count, k)
                        // Compare by distance, tolerating float rounding at tie boundaries.
                        for (hit, (index, distance)) in zip(got, expected) {
                            let expectedID = "v\(live[index])"
                            if hit.id != expectedID {
                                let hitIndex = try XCTUnwrap(Int(hit.id.dropFirst()))
                                let hitDistance = reference(query, [base[hitIndex]], metric: metric)[0].1
                                XCTAssertEqual(hitDistance, distance, accuracy: 1e-4, "\(metric) d=\(dimension) k=\(k)")
                            }
                        }
                        XCTAssertTrue(got.allSatisfy { !deleted.contains(Int($0.id.dropFirst()) ?? -1) })
                    }
                }
            }
        }
    }

    func testScoresFollowTheMetric() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try Store.open(
            at: directory.child("db"), options: StoreOptions(encoder: try HashingEncoder(dimension: 2), metric: .l2))
        try store.upsert([Document(id: "o", text: ""), Document(id: "far", text: "")], vectors: [[0, 0], [3, 4]])
        let hits = try store.search(vector: [0, 0], k: 2)
        XCTAssertEqual(hits.map(\.id), ["o", "far"])
        XCTAssertEqual(hits[1].distance, 5, accuracy: 1e-6)
        XCTAssertEqual(hits[1].score, -5, accuracy: 1e-6)
    }

    func testKLargerThanCountReturnsEverything() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try Store.open(at: directory.child("db"))
        XCTAssertEqual(try store.search(text: "anything", k: 5).count, 0)
        try store.upsert([Document(id: "1", text: "one"), Document(id: "2", text: "two")])
        XCTAssertEqual(Set(try store.search(text: "one", k: 100).map(\.id)), ["1", "2"])
    }
}
