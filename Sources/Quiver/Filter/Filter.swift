/// A condition on document metadata, used to restrict a search to the documents it matches.
///
/// Build one in Swift or parse the string form (the same language the CLI's `--filter` takes):
///
/// ```swift
/// let typed = Filter.field("city") == "上海" && Filter.field("year") >= 2020
/// let parsed = try Filter(parsing: #"city = "上海" AND year >= 2020"#)
/// // typed == parsed
/// ```
///
/// The grammar, the types and how searches use filters are described in docs/filters.md.
/// A document without a field never satisfies a predicate on that field, so `year != 2020`
/// needs `year` to exist, whereas `NOT year = 2020` also matches documents without a year.
public indirect enum Filter: Sendable, Hashable {
    /// `field op value`: a comparison with one literal.
    case comparison(field: String, operator: ComparisonOperator, value: Value)
    /// `field IN [values]` (or `NOT IN` when `negated`): equal to one of the values, or for a
    /// tags field, holding one of them. `NOT IN` needs the field to exist.
    case oneOf(field: String, values: [Value], negated: Bool)
    /// `field CONTAINS "tag"`: a tags field holding `tag`.
    case contains(field: String, tag: String)
    /// `field EXISTS`: the document has the field.
    case exists(field: String)
    /// Both conditions hold.
    case and(Filter, Filter)
    /// At least one condition holds.
    case or(Filter, Filter)
    /// The condition does not hold (documents without the field included).
    case not(Filter)

    /// Parses the string form of a filter, e.g. `city = "上海" AND (year >= 2020 OR tags CONTAINS "new")`.
    ///
    /// - Throws: ``FilterSyntaxError`` naming the character offset and what was expected there.
    public init(parsing text: String) throws(FilterSyntaxError) {
        var parser = try FilterParser(text)
        self = try parser.parseFilter()
    }

    /// Every field name the filter mentions, in order of first mention.
    public var fieldNames: [String] {
        var names: [String] = []
        func visit(_ filter: Filter) {
            switch filter {
            case .comparison(let field, _, _), .oneOf(let field, _, _), .contains(let field, _), .exists(let field):
                if !names.contains(field) { names.append(field) }
            case .and(let a, let b), .or(let a, let b):
                visit(a)
                visit(b)
            case .not(let inner):
                visit(inner)
            }
        }
        visit(self)
        return names
    }
}

/// A comparison operator of the filter language.
public enum ComparisonOperator: String, Sendable, Hashable, CaseIterable {
    /// `=` (also written `==`): equal.
    case equal = "="
    /// `!=` (also written `<>`): not equal; the field must exist.
    case notEqual = "!="
    /// `<`: less than.
    case less = "<"
    /// `<=`: less than or equal.
    case lessOrEqual = "<="
    /// `>`: greater than.
    case greater = ">"
    /// `>=`: greater than or equal.
    case greaterOrEqual = ">="

    /// Whether this is one of the range operators `<`, `<=`, `>`, `>=`.
    public var isRange: Bool {
        switch self {
        case .equal, .notEqual: false
        case .less, .lessOrEqual, .greater, .greaterOrEqual: true
        }
    }
}
