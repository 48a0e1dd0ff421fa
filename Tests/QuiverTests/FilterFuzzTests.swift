import Foundation
import XCTest
@testable import Quiver

/// Property-based fuzzing of the filter parser: generated valid filters round-trip through
/// their canonical text; token soup and mutated filters never crash, and every rejection is a
/// ``FilterSyntaxError`` whose offset lies inside the input.
final class FilterFuzzTests: XCTestCase {
    private static let fields = ["city", "year", "price", "in_stock", "tags", "名前", "a_b"]
    private static let strings = ["上海", "Paris", "it's", "quote\"d", "tab\there", "", "😀", "back\\slash"]

    private func literal(_ rng: inout SeededGenerator, stringOnly: Bool = false) -> String {
        switch stringOnly ? 0 : Int.random(in: 0..<4, using: &rng) {
        case 0:
            let text = Self.strings[Int.random(in: 0..<Self.strings.count, using: &rng)]
            let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\t", with: "\\t")
            return "\"\(escaped)\""
        case 1: return String(Int64.random(in: -1_000_000...1_000_000, using: &rng))
        case 2: return String(Double(Int.random(in: -10_000...10_000, using: &rng)) / 16)
        default: return Bool.random(using: &rng) ? "true" : "false"
        }
    }

    /// A random valid filter of bounded depth.
    private func validFilter(_ rng: inout SeededGenerator, depth: Int = 0) -> String {
        let field = Self.fields[Int.random(in: 0..<Self.fields.count, using: &rng)]
        if depth < 3 && Int.random(in: 0..<3, using: &rng) == 0 {
            let left = validFilter(&rng, depth: depth + 1), right = validFilter(&rng, depth: depth + 1)
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: return "(\(left)) AND (\(right))"
            case 1: return "(\(left)) OR (\(right))"
            default: return "NOT (\(left))"
            }
        }
        switch Int.random(in: 0..<5, using: &rng) {
        case 0:
            let ops = ["=", "!=", "<", "<=", ">", ">="]
            return "\(field) \(ops[Int.random(in: 0..<ops.count, using: &rng)]) \(literal(&rng))"
        case 1:
            let values = (0..<Int.random(in: 1...3, using: &rng)).map { _ in literal(&rng) }.joined(separator: ", ")
            return "\(field) \(Bool.random(using: &rng) ? "IN" : "NOT IN") [\(values)]"
        case 2: return "\(field) CONTAINS \(literal(&rng, stringOnly: true))"
        case 3: return "\(field) EXISTS"
        default: return "\(field) = \(literal(&rng))"
        }
    }

    private static let soup = [
        "city", "=", "!=", "<", ">=", "(", ")", "[", "]", ",", "AND", "OR", "NOT", "IN", "CONTAINS", "EXISTS",
        "\"", "\"x\"", "'y'", "\\", "\\u{1F600}", "\\q", "12", "-3.5", "1e999", "0x1F", "上海", " ", "\t", "@", "#",
        "true", "nan", "\u{0}", "é",
    ]

    func testGeneratedFiltersRoundTripAndGarbageIsATypedError() {
        var rng = SeededGenerator(seed: 0xF117)
        var valid = 0, rejected = 0, accepted = 0
        for _ in 0..<3_000 {
            let text = validFilter(&rng)
            do {
                let filter = try Filter(parsing: text)
                XCTAssertEqual(try Filter(parsing: filter.description), filter, text)
                valid += 1
            } catch {
                XCTFail("a generated valid filter was rejected: \(text): \(error)")
            }
        }
        for round in 0..<10_000 {
            var text: String
            if round % 2 == 0 {
                text = (0..<Int.random(in: 0...12, using: &rng)).map { _ in Self.soup[Int.random(in: 0..<Self.soup.count, using: &rng)] }
                    .joined(separator: Bool.random(using: &rng) ? " " : "")
            } else {
                // A valid filter with one character deleted, doubled or replaced.
                var characters = Array(validFilter(&rng))
                if !characters.isEmpty {
                    let at = Int.random(in: 0..<characters.count, using: &rng)
                    switch Int.random(in: 0..<3, using: &rng) {
                    case 0: characters.remove(at: at)
                    case 1: characters.insert(characters[at], at: at)
                    default: characters[at] = Self.soup[Int.random(in: 0..<Self.soup.count, using: &rng)].first ?? Character("x")
                    }
                }
                text = String(characters)
            }
            do {
                let filter = try Filter(parsing: text)
                accepted += 1
                XCTAssertEqual(try Filter(parsing: filter.description), filter, "canonical text of \(text)")
            } catch {
                // Filter(parsing:) throws only FilterSyntaxError (typed throws), so `error` is one.
                rejected += 1
                XCTAssertTrue((0...text.count).contains(error.offset), "offset \(error.offset) outside \(text.debugDescription)")
                XCTAssertFalse(error.description.isEmpty)
            }
        }
        // A pathological nesting depth is a typed error, not a stack overflow.
        XCTAssertThrowsError(try Filter(parsing: String(repeating: "(", count: 100_000) + "a EXISTS"))
        XCTAssertThrowsError(try Filter(parsing: String(repeating: "NOT ", count: 100_000) + "a EXISTS"))
        print("filter fuzz: \(valid) generated filters round-tripped; 10,000 mangled inputs: \(accepted) parsed, \(rejected) typed errors")
    }
}
