/// Why a filter's string form could not be parsed, with the character offset (counting
/// `Character`s from 0, so `上` is one character) where the problem is.
public enum FilterSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A character that starts no token, e.g. `$` or a lone `!`.
    case unexpectedCharacter(Character, offset: Int)
    /// A string literal (or backtick-quoted field name) that is never closed; `offset` is its opening quote.
    case unterminatedString(offset: Int)
    /// A backslash escape that is not one of `\"` `\'` `` \` `` `\\` `\n` `\t` `\r` `\0` `\uXXXX` `\u{X…}`.
    case invalidEscape(String, offset: Int)
    /// A number that is malformed or out of range (integers are 64-bit, doubles finite).
    case invalidNumber(String, offset: Int, reason: String)
    /// A token (or the end of input) where something else was expected.
    case unexpected(found: String, expected: String, offset: Int)
    /// Parentheses or `NOT`s nested more than ``FilterParser/maximumDepth`` deep.
    case nestingTooDeep(offset: Int)

    /// The character offset of the problem.
    public var offset: Int {
        switch self {
        case .unexpectedCharacter(_, let offset), .unterminatedString(let offset), .invalidEscape(_, let offset),
             .invalidNumber(_, let offset, _), .unexpected(_, _, let offset), .nestingTooDeep(let offset):
            offset
        }
    }

    /// What the parser expected at ``offset``.
    public var expected: String {
        switch self {
        case .unexpectedCharacter: "a field name, value, operator, parenthesis, bracket or comma"
        case .unterminatedString: "a closing quote"
        case .invalidEscape: #"one of \" \' \` \\ \n \t \r \0 \uXXXX \u{X…}"#
        case .invalidNumber: "a 64-bit integer or a finite decimal number"
        case .unexpected(_, let expected, _): expected
        case .nestingTooDeep: "at most \(FilterParser.maximumDepth) nested parentheses or NOTs"
        }
    }

    /// A message naming the position, what was found and what was expected.
    public var description: String {
        switch self {
        case .unexpectedCharacter(let c, let offset):
            "filter syntax error at character \(offset): unexpected character \(String(c).debugDescription); expected \(expected)"
        case .unterminatedString(let offset):
            "filter syntax error at character \(offset): the quoted text starting here is never closed; expected \(expected)"
        case .invalidEscape(let sequence, let offset):
            "filter syntax error at character \(offset): invalid escape \(sequence.debugDescription); expected \(expected)"
        case .invalidNumber(let text, let offset, let reason):
            "filter syntax error at character \(offset): invalid number \(text.debugDescription) (\(reason)); expected \(expected)"
        case .unexpected(let found, let expected, let offset):
            "filter syntax error at character \(offset): expected \(expected), found \(found)"
        case .nestingTooDeep(let offset):
            "filter syntax error at character \(offset): nested too deeply; expected \(expected)"
        }
    }
}
