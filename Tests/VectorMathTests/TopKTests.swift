import XCTest
import VectorMath

final class TopKTests: XCTestCase {
    /// The k nearest by sorting everything: distance ascending, then id ascending.
    private func reference(_ entries: [Neighbor], k: Int) -> [Neighbor] {
        let sorted = entries.sorted { ($0.distance, $0.id) < ($1.distance, $1.id) }
        return Array(sorted.prefix(k))
    }

    private func collect(_ entries: [Neighbor], k: Int) -> TopK {
        var top = TopK(k: k)
        for entry in entries {
            top.insert(id: entry.id, distance: entry.distance)
        }
        return top
    }

    func testMatchesSortReferenceOnRandomDataWithTies() {
        var rng = SplitMix64(seed: 10)
        for trial in 0..<200 {
            let count = Int.random(in: 0...300, using: &rng)
            // Few distinct distances force many ties; ids are shuffled so ties arrive in any order.
            let distinctDistances = Int.random(in: 1...20, using: &rng)
            var ids = Array(UInt32(0)..<UInt32(count))
            ids.shuffle(using: &rng)
            let entries = ids.map { id in
                Neighbor(id: id, distance: Float(Int.random(in: 0..<distinctDistances, using: &rng)) * 0.5)
            }
            let k = Int.random(in: 1...40, using: &rng)
            let top = collect(entries, k: k)
            XCTAssertEqual(top.sorted(), reference(entries, k: k), "trial \(trial), count \(count), k \(k)")
            XCTAssertEqual(top.count, min(k, count))
        }
    }

    func testMatchesSortReferenceOnContinuousRandomData() {
        var rng = SplitMix64(seed: 11)
        for k in [1, 2, 10, 100] {
            let entries = (0..<5_000).map { Neighbor(id: UInt32($0), distance: Float.random(in: 0...1, using: &rng)) }
            XCTAssertEqual(collect(entries, k: k).sorted(), reference(entries, k: k), "k \(k)")
        }
    }

    func testKLargerThanCountKeepsEverythingSorted() {
        let entries = [Neighbor(id: 5, distance: 2), Neighbor(id: 1, distance: 3), Neighbor(id: 9, distance: 1)]
        let top = collect(entries, k: 10)
        XCTAssertEqual(top.count, 3)
        XCTAssertEqual(top.k, 10)
        XCTAssertEqual(top.threshold, .infinity)
        XCTAssertEqual(top.sorted(), [Neighbor(id: 9, distance: 1), Neighbor(id: 5, distance: 2), Neighbor(id: 1, distance: 3)])
    }

    func testKOfOneKeepsTheNearestWithSmallestIdOnTies() {
        var top = TopK(k: 1)
        XCTAssertEqual(top.threshold, .infinity)
        top.insert(id: 7, distance: 4)
        XCTAssertEqual(top.threshold, 4)
        top.insert(id: 3, distance: 4)
        XCTAssertEqual(top.sorted(), [Neighbor(id: 3, distance: 4)])
        top.insert(id: 8, distance: 4)
        top.insert(id: 2, distance: 5)
        XCTAssertEqual(top.sorted(), [Neighbor(id: 3, distance: 4)])
        top.insert(id: 100, distance: 1)
        XCTAssertEqual(top.sorted(), [Neighbor(id: 100, distance: 1)])
        XCTAssertEqual(top.threshold, 1)
    }

    func testThresholdIsWorstKeptDistanceOnceFull() {
        var top = TopK(k: 3)
        top.insert(id: 1, distance: 0.5)
        top.insert(id: 2, distance: 0.1)
        XCTAssertEqual(top.threshold, .infinity)
        top.insert(id: 3, distance: 0.9)
        XCTAssertEqual(top.threshold, 0.9)
        top.insert(id: 4, distance: 0.2)
        XCTAssertEqual(top.threshold, 0.5)
        XCTAssertEqual(top.sorted().map(\.id), [2, 4, 1])
    }

    func testEmptyCollectorSortsToNothing() {
        let top = TopK(k: 4)
        XCTAssertEqual(top.count, 0)
        XCTAssertEqual(top.sorted(), [])
    }
}
