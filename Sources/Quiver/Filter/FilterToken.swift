/// A reserved word of the filter language (matched without regard to letter case).
enum FilterKeyword: String, CaseIterable {
    case and = "AND", or = "OR", not = "NOT", `in` = "IN", contains = "CONTAINS", exists = "EXISTS"
    case `true` = "TRUE", `false` = "FALSE"
}

/// One token of a filter's string form and the character offset where it starts.
struct FilterToken: Equatable {
    enum Kind: Equatable {
        /// A field name: a bare identifier or a backtick-quoted name.
        case name(String)
        case keyword(FilterKeyword)
        case string(String)
        case integer(Int64)
        case double(Double)
        case comparison(ComparisonOperator)
        case leftParenthesis, rightParenthesis, leftBracket, rightBracket, comma
        case end
    }

    let kind: Kind
    let offset: Int

    /// How the token is named in error messages.
    var display: String {
        switch kind {
        case .name(let name): "field name \(Filter.render(name: name))"
        case .keyword(let keyword): keyword.rawValue
        case .string(let s): "string \(Filter.render(string: s))"
        case .integer(let i): "number \(i)"
        case .double(let d): "number \(d)"
        case .comparison(let op): "'\(op.rawValue)'"
        case .leftParenthesis: "'('"
        case .rightParenthesis: "')'"
        case .leftBracket: "'['"
        case .rightBracket: "']'"
        case .comma: "','"
        case .end: "the end of the filter"
        }
    }
}
