import XCTest
@testable import Quiver

final class FilterParserTests: XCTestCase {
    private func parse(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Filter? {
        do {
            return try Filter(parsing: text)
        } catch {
            XCTFail("\(text): \(error)", file: file, line: line)
            return nil
        }
    }

    private func syntaxError(_ text: String) -> FilterSyntaxError? {
        do {
            _ = try Filter(parsing: text)
            return nil
        } catch {
            return error
        }
    }

    func testComparisons() {
        XCTAssertEqual(parse("year = 2020"), .comparison(field: "year", operator: .equal, value: .int(2020)))
        XCTAssertEqual(parse("year == 2020"), .comparison(field: "year", operator: .equal, value: .int(2020)))
        XCTAssertEqual(parse("year != 2020"), .comparison(field: "year", operator: .notEqual, value: .int(2020)))
        XCTAssertEqual(parse("year <> 2020"), .comparison(field: "year", operator: .notEqual, value: .int(2020)))
        XCTAssertEqual(parse("year<2020"), .comparison(field: "year", operator: .less, value: .int(2020)))
        XCTAssertEqual(parse("year<=2020"), .comparison(field: "year", operator: .lessOrEqual, value: .int(2020)))
        XCTAssertEqual(parse("year>-5"), .comparison(field: "year", operator: .greater, value: .int(-5)))
        XCTAssertEqual(parse("price >= 3.5"), .comparison(field: "price", operator: .greaterOrEqual, value: .double(3.5)))
        XCTAssertEqual(parse("price >= -1e-3"), .comparison(field: "price", operator: .greaterOrEqual, value: .double(-0.001)))
        XCTAssertEqual(parse("price < .5"), .comparison(field: "price", operator: .less, value: .double(0.5)))
        XCTAssertEqual(parse("stock = TRUE"), .comparison(field: "stock", operator: .equal, value: .bool(true)))
        XCTAssertEqual(parse("stock = false"), .comparison(field: "stock", operator: .equal, value: .bool(false)))
        XCTAssertEqual(parse("n = -9223372036854775808"), .comparison(field: "n", operator: .equal, value: .int(.min)))
        XCTAssertEqual(parse("city = 'Paris'"), .comparison(field: "city", operator: .equal, value: .string("Paris")))
    }

    func testSetsTagsAndExistence() {
        XCTAssertEqual(parse(#"city IN ["a", "b"]"#), .oneOf(field: "city", values: ["a", "b"], negated: false))
        XCTAssertEqual(parse("year not in [1, 2,3]"), .oneOf(field: "year", values: [1, 2, 3], negated: true))
        XCTAssertEqual(parse("year IN []"), .oneOf(field: "year", values: [], negated: false))
        XCTAssertEqual(parse(#"tags CONTAINS "spicy""#), .contains(field: "tags", tag: "spicy"))
        XCTAssertEqual(parse("title EXISTS"), .exists(field: "title"))
    }

    func testPrecedenceAndParentheses() {
        let a = Filter.field("a") == 1, b = Filter.field("b") == 2, c = Filter.field("c") == 3
        XCTAssertEqual(parse("a = 1 OR b = 2 AND c = 3"), a || (b && c))
        XCTAssertEqual(parse("(a = 1 OR b = 2) AND c = 3"), (a || b) && c)
        XCTAssertEqual(parse("NOT a = 1 AND b = 2"), !a && b)
        XCTAssertEqual(parse("NOT (a = 1 AND b = 2)"), !(a && b))
        XCTAssertEqual(parse("a = 1 and b = 2 and c = 3"), (a && b) && c)
        XCTAssertEqual(parse("NOT NOT a = 1"), !(!a))
        XCTAssertEqual(parse("((a = 1))"), a)
    }

    func testUnicodeAndEscapes() {
        XCTAssertEqual(parse(#"city = "上海""#), Filter.field("city") == "上海")
        XCTAssertEqual(parse(#"城市 = "上海" AND 年份 >= 2020"#), Filter.field("城市") == "上海" && Filter.field("年份") >= 2020)
        XCTAssertEqual(parse(#"name = "Zoë 🇫🇷""#), Filter.field("name") == "Zoë 🇫🇷")
        XCTAssertEqual(parse(#"s = "a\"b\\c\nd\te\r'\u00e9\u{1F600}\ud83d\ude00\0""#),
                       Filter.field("s") == .string("a\"b\\c\nd\te\r'é😀😀\0"))
        XCTAssertEqual(parse(#"s = 'it\'s'"#), Filter.field("s") == "it's")
        XCTAssertEqual(parse("`my field` = 1"), Filter.field("my field") == 1)
        XCTAssertEqual(parse("`and` = 1"), Filter.field("and") == 1)
        XCTAssertEqual(parse("meta.year_2 = 1"), Filter.field("meta.year_2") == 1)
    }

    func testBuilderMatchesParser() {
        let built = (Filter.field("city") == "上海" && Filter.field("year") >= 2020)
            || Filter.field("tags").contains("new") && !Filter.field("draft").exists
            || Filter.field("lang").isIn(["zh", "en"]) && Filter.field("year").isNotIn([1999])
            && Filter.field("price") < 9.5 && Filter.field("price") > 1 && Filter.field("n") <= 3
            && Filter.field("m") != true
        XCTAssertEqual(parse(built.description), built)
    }

    func testDescriptionRoundTrips() {
        let texts = [
            #"city = "上海" AND year >= 2020"#,
            #"a = 1 OR b = 2 AND NOT (c = 3 OR d CONTAINS "x\"y")"#,
            "a = 1 AND (b = 2 AND c = 3)",
            "a = 1 OR (b = 2 OR c = 3)",
            "`weird name` IN [1.5, 2.0, 1e+300] AND `x-y` NOT IN [true, false]",
            "s = \"tab\\tnew\\nline\\u{1}\"",
        ]
        for text in texts {
            guard let filter = parse(text) else { continue }
            XCTAssertEqual(parse(filter.description), filter, text)
        }
    }

    func testEveryErrorFormNamesThePosition() {
        let cases: [(String, FilterSyntaxError)] = [
            ("", .unexpected(found: "the end of the filter", expected: "a condition such as year >= 2020", offset: 0)),
            ("year >= ", .unexpected(found: "the end of the filter", expected: "a value (a quoted string, a number, true or false)", offset: 8)),
            ("year 2020", .unexpected(found: "number 2020", expected: "an operator after the field name (=, !=, <, <=, >, >=, IN, NOT IN, CONTAINS or EXISTS)", offset: 5)),
            ("year = 1 year = 2", .unexpected(found: "field name year", expected: "AND, OR or the end of the filter", offset: 9)),
            ("(a = 1", .unexpected(found: "the end of the filter", expected: "')', AND or OR", offset: 6)),
            ("a = 1)", .unexpected(found: "')'", expected: "AND, OR or the end of the filter", offset: 5)),
            ("a IN [1 2]", .unexpected(found: "number 2", expected: "',' or ']' in the list", offset: 8)),
            ("a IN 1", .unexpected(found: "number 1", expected: "'[' starting a list of values", offset: 5)),
            ("a NOT 1", .unexpected(found: "number 1", expected: "IN after NOT", offset: 6)),
            ("a CONTAINS 1", .unexpected(found: "number 1", expected: "a string after CONTAINS", offset: 11)),
            ("= 1", .unexpected(found: "'='", expected: "a field name, NOT or '('", offset: 0)),
            ("AND a = 1", .unexpected(found: "AND", expected: "a field name, NOT or '('", offset: 0)),
            ("a = b", .unexpected(found: "field name b", expected: "a value (a quoted string, a number, true or false)", offset: 4)),
            ("a = 1 AND", .unexpected(found: "the end of the filter", expected: "a field name, NOT or '('", offset: 9)),
            ("a ! 1", .unexpectedCharacter("!", offset: 2)),
            ("a = 1 $", .unexpectedCharacter("$", offset: 6)),
            (#"城市 = "上海"#, .unterminatedString(offset: 5)),
            ("`a = 1", .unterminatedString(offset: 0)),
            (#"a = "x\q""#, .invalidEscape("\\q", offset: 6)),
            (#"a = "\u12""#, .invalidEscape("\\u12", offset: 5)),
            (#"a = "\u{110000}""#, .invalidEscape("\\u{110000}", offset: 5)),
            (#"a = "\ud800x""#, .invalidEscape("\\ud800", offset: 5)),
            ("a = 9223372036854775808", .invalidNumber("9223372036854775808", offset: 4, reason: "outside the 64-bit integer range; write it as a decimal to compare as a double")),
            ("a = 1e999", .invalidNumber("1e999", offset: 4, reason: "out of the range of a double")),
            ("a = 12abc", .invalidNumber("12abc", offset: 4, reason: "a number followed by letters")),
            ("a = 1.5e", .invalidNumber("1.5e", offset: 4, reason: "malformed decimal number")),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(syntaxError(text), expected, text)
        }
        XCTAssertEqual(syntaxError("exists = 1")?.offset, 0)
        XCTAssertTrue(syntaxError("exists = 1")?.description.contains("backticks") ?? false)
        let deep = String(repeating: "(", count: 500) + "a = 1" + String(repeating: ")", count: 500)
        XCTAssertEqual(syntaxError(deep), .nestingTooDeep(offset: FilterParser.maximumDepth))
        let message = syntaxError(#"城市 = "上海" AND"#)?.description ?? ""
        XCTAssertTrue(message.contains("character 13"), message)
        XCTAssertTrue(message.contains("expected a field name"), message)
    }
}
