import XCTest
@testable import Quiver

/// The candidate bitmap's walks: plain, and with prefetching a window ahead (scans rely on both
/// visiting every id once, in increasing order, and on the prefetch running ahead of the body).
final class CandidateSetTests: XCTestCase {
    func testLookaheadWalkVisitsEveryIdInOrderAndPrefetchesAhead() {
        var rng = SeededGenerator(seed: 9)
        for size in [0, 1, 2, 5, 64, 65, 1_000] {
            var set = CandidateSet(idLimit: 5_000)
            var expected: [UInt32] = []
            while expected.count < size {
                let id = UInt32(rng.next() % 5_000)
                if !set.contains(id) { set.insert(id); expected.append(id) }
            }
            expected.sort()
            XCTAssertEqual(set.ids, expected)
            for window in [1, 3, 16] {
                var prefetched: [UInt32] = [], visited: [UInt32] = []
                set.forEach(lookahead: window, prefetch: { prefetched.append($0) }) { id in
                    // By the time an id is visited, it and the `window` ids after it were prefetched.
                    XCTAssertEqual(prefetched.count, min(expected.count, visited.count + window + 1), "size \(size) window \(window)")
                    visited.append(id)
                }
                XCTAssertEqual(visited, expected, "size \(size) window \(window)")
                XCTAssertEqual(prefetched, expected, "size \(size) window \(window)")
            }
        }
    }
}
