import XCTest
@testable import Quiver

/// The visited set a beam search marks: the branch-free mark agrees with the plain one.
final class SearchScratchTests: XCTestCase {
    func testMarkVisitedCountsEachIDOncePerSearch() {
        let scratch = SearchScratch(capacity: 2_000, dimension: 4)
        scratch.reset(idLimit: 2_000)
        XCTAssertEqual(scratch.markVisited(7), 1)
        XCTAssertEqual(scratch.markVisited(7), 0)
        XCTAssertFalse(scratch.visit(7), "the two forms share one visited set")
        XCTAssertTrue(scratch.visit(8))
        XCTAssertEqual(scratch.markVisited(8), 0)
        XCTAssertEqual(scratch.markVisited(1_999), 1)
        XCTAssertEqual(scratch.markVisited(2_000), 0, "ids beyond the set count as visited")
        XCTAssertEqual(scratch.visitCount, 3)

        scratch.reset(idLimit: 2_000)
        XCTAssertEqual(scratch.visitCount, 0)
        XCTAssertEqual(scratch.markVisited(7), 1, "a new search starts with nothing visited")
    }

    func testMarkVisitedMatchesVisitOnARandomStream() {
        let plain = SearchScratch(capacity: 1_024, dimension: 4)
        let branchFree = SearchScratch(capacity: 1_024, dimension: 4)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3 {
            plain.reset(idLimit: 1_024)
            branchFree.reset(idLimit: 1_024)
            for _ in 0..<5_000 {
                let id = UInt32.random(in: 0..<1_100, using: &generator)
                XCTAssertEqual(plain.visit(id) ? 1 : 0, branchFree.markVisited(id))
            }
            XCTAssertEqual(plain.visitCount, branchFree.visitCount)
        }
    }
}
