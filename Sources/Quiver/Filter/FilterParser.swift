/// A recursive-descent parser for the filter language:
///
/// ```
/// filter    = or
/// or        = and { "OR" and }
/// and       = unary { "AND" unary }
/// unary     = "NOT" unary | "(" filter ")" | predicate
/// predicate = name ( compare value | ["NOT"] "IN" list | "CONTAINS" string | "EXISTS" )
/// compare   = "=" | "==" | "!=" | "<>" | "<" | "<=" | ">" | ">="
/// list      = "[" [ value { "," value } ] "]"
/// value     = string | integer | decimal | "true" | "false"
/// ```
struct FilterParser {
    /// The deepest nesting of parentheses and `NOT`s accepted (deeper input is refused, not a stack overflow).
    static let maximumDepth = 200

    private let tokens: [FilterToken]
    private var index = 0
    private var depth = 0

    init(_ text: String) throws(FilterSyntaxError) {
        var lexer = FilterLexer(text)
        tokens = try lexer.tokenize()
    }

    private var current: FilterToken { tokens[min(index, tokens.count - 1)] }

    private mutating func advance() { index += 1 }

    private func fail(expected: String) -> FilterSyntaxError {
        .unexpected(found: current.display, expected: expected, offset: current.offset)
    }

    /// Parses the whole input as one filter.
    mutating func parseFilter() throws(FilterSyntaxError) -> Filter {
        if current.kind == .end { throw fail(expected: "a condition such as year >= 2020") }
        let filter = try parseOr()
        guard current.kind == .end else { throw fail(expected: "AND, OR or the end of the filter") }
        return filter
    }

    private mutating func parseOr() throws(FilterSyntaxError) -> Filter {
        var left = try parseAnd()
        while current.kind == .keyword(.or) {
            advance()
            left = .or(left, try parseAnd())
        }
        return left
    }

    private mutating func parseAnd() throws(FilterSyntaxError) -> Filter {
        var left = try parseUnary()
        while current.kind == .keyword(.and) {
            advance()
            left = .and(left, try parseUnary())
        }
        return left
    }

    private mutating func parseUnary() throws(FilterSyntaxError) -> Filter {
        let start = current
        switch start.kind {
        case .keyword(.not):
            try enter(start)
            defer { depth -= 1 }
            advance()
            return .not(try parseUnary())
        case .leftParenthesis:
            try enter(start)
            defer { depth -= 1 }
            advance()
            let inner = try parseOr()
            guard current.kind == .rightParenthesis else { throw fail(expected: "')', AND or OR") }
            advance()
            return inner
        case .name(let field):
            advance()
            return try parsePredicate(field: field)
        case .keyword(let keyword) where keyword != .and && keyword != .or:
            throw .unexpected(
                found: start.display,
                expected: "a field name, NOT or '(' (write a field named like a keyword in backticks: `\(keyword.rawValue.lowercased())`)",
                offset: start.offset)
        default:
            throw fail(expected: "a field name, NOT or '('")
        }
    }

    private mutating func enter(_ token: FilterToken) throws(FilterSyntaxError) {
        depth += 1
        if depth > Self.maximumDepth { throw .nestingTooDeep(offset: token.offset) }
    }

    private mutating func parsePredicate(field: String) throws(FilterSyntaxError) -> Filter {
        switch current.kind {
        case .comparison(let op):
            advance()
            return .comparison(field: field, operator: op, value: try parseValue())
        case .keyword(.in):
            advance()
            return .oneOf(field: field, values: try parseList(), negated: false)
        case .keyword(.not):
            advance()
            guard current.kind == .keyword(.in) else { throw fail(expected: "IN after NOT") }
            advance()
            return .oneOf(field: field, values: try parseList(), negated: true)
        case .keyword(.contains):
            advance()
            guard case .string(let tag) = current.kind else { throw fail(expected: "a string after CONTAINS") }
            advance()
            return .contains(field: field, tag: tag)
        case .keyword(.exists):
            advance()
            return .exists(field: field)
        default:
            throw fail(expected: "an operator after the field name (=, !=, <, <=, >, >=, IN, NOT IN, CONTAINS or EXISTS)")
        }
    }

    private mutating func parseValue() throws(FilterSyntaxError) -> Value {
        let value: Value
        switch current.kind {
        case .string(let s): value = .string(s)
        case .integer(let i): value = .int(i)
        case .double(let d): value = .double(d)
        case .keyword(.true): value = .bool(true)
        case .keyword(.false): value = .bool(false)
        default: throw fail(expected: "a value (a quoted string, a number, true or false)")
        }
        advance()
        return value
    }

    private mutating func parseList() throws(FilterSyntaxError) -> [Value] {
        guard current.kind == .leftBracket else { throw fail(expected: "'[' starting a list of values") }
        advance()
        var values: [Value] = []
        if current.kind == .rightBracket {
            advance()
            return values
        }
        while true {
            values.append(try parseValue())
            if current.kind == .rightBracket {
                advance()
                return values
            }
            guard current.kind == .comma else { throw fail(expected: "',' or ']' in the list") }
            advance()
        }
    }
}
