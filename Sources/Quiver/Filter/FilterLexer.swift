/// Splits a filter's string form into tokens, counting offsets in `Character`s.
struct FilterLexer {
    private let characters: [Character]
    private var position = 0

    init(_ text: String) {
        characters = Array(text)
    }

    /// Whether `name` can be written without backticks: a letter or `_`, then letters, digits, `_` or `.`.
    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.first, isIdentifierStart(first) else { return false }
        return name.dropFirst().allSatisfy(isIdentifierContinuation)
    }

    private static func isIdentifierStart(_ c: Character) -> Bool { c.isLetter || c == "_" }

    private static func isIdentifierContinuation(_ c: Character) -> Bool {
        c.isLetter || c.isNumber || c == "_" || c == "."
    }

    /// Every token, ending with `.end`.
    mutating func tokenize() throws(FilterSyntaxError) -> [FilterToken] {
        var tokens: [FilterToken] = []
        while true {
            let token = try next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private func peek(_ ahead: Int = 0) -> Character? {
        position + ahead < characters.count ? characters[position + ahead] : nil
    }

    private mutating func next() throws(FilterSyntaxError) -> FilterToken {
        while let c = peek(), c.isWhitespace { position += 1 }
        let start = position
        guard let c = peek() else { return FilterToken(kind: .end, offset: start) }
        func single(_ kind: FilterToken.Kind, length: Int = 1) -> FilterToken {
            position += length
            return FilterToken(kind: kind, offset: start)
        }
        switch c {
        case "(": return single(.leftParenthesis)
        case ")": return single(.rightParenthesis)
        case "[": return single(.leftBracket)
        case "]": return single(.rightBracket)
        case ",": return single(.comma)
        case "=": return single(.comparison(.equal), length: peek(1) == "=" ? 2 : 1)
        case "!":
            guard peek(1) == "=" else { throw .unexpectedCharacter(c, offset: start) }
            return single(.comparison(.notEqual), length: 2)
        case "<":
            if peek(1) == "=" { return single(.comparison(.lessOrEqual), length: 2) }
            if peek(1) == ">" { return single(.comparison(.notEqual), length: 2) }
            return single(.comparison(.less))
        case ">":
            return peek(1) == "=" ? single(.comparison(.greaterOrEqual), length: 2) : single(.comparison(.greater))
        case "\"", "'":
            return FilterToken(kind: .string(try quoted(by: c)), offset: start)
        case "`":
            return FilterToken(kind: .name(try quoted(by: c)), offset: start)
        default:
            if c.isASCII && (c.isNumber || ((c == "-" || c == "+" || c == ".") && (peek(1).map { $0.isASCII && $0.isNumber } ?? false))) {
                return try number()
            }
            if Self.isIdentifierStart(c) {
                var word = ""
                while let d = peek(), Self.isIdentifierContinuation(d) {
                    word.append(d)
                    position += 1
                }
                if let keyword = FilterKeyword(rawValue: word.uppercased()) {
                    return FilterToken(kind: .keyword(keyword), offset: start)
                }
                return FilterToken(kind: .name(word), offset: start)
            }
            throw .unexpectedCharacter(c, offset: start)
        }
    }

    /// Reads a literal closed by `quote`, resolving backslash escapes.
    private mutating func quoted(by quote: Character) throws(FilterSyntaxError) -> String {
        let start = position
        position += 1
        var text = ""
        while let c = peek() {
            position += 1
            if c == quote { return text }
            if c == "\\" {
                text.unicodeScalars.append(try escape(at: position - 1))
            } else {
                text.append(c)
            }
        }
        throw .unterminatedString(offset: start)
    }

    /// Resolves the escape whose backslash is at `start` (the position is just after it).
    private mutating func escape(at start: Int) throws(FilterSyntaxError) -> Unicode.Scalar {
        guard let c = peek() else { throw .unterminatedString(offset: start) }
        position += 1
        switch c {
        case "\"": return "\""
        case "'": return "'"
        case "`": return "`"
        case "\\": return "\\"
        case "/": return "/"
        case "n": return "\n"
        case "t": return "\t"
        case "r": return "\r"
        case "0": return "\0"
        case "u":
            let value: UInt32
            if peek() == "{" {
                position += 1
                var digits = ""
                while let d = peek(), d != "}", digits.count <= 8 {
                    digits.append(d)
                    position += 1
                }
                guard peek() == "}", (1...8).contains(digits.count), let v = UInt32(digits, radix: 16) else {
                    throw .invalidEscape(sourceText(from: start), offset: start)
                }
                position += 1
                value = v
            } else {
                let high = try hex4(escapeStart: start)
                if (0xD800...0xDBFF).contains(high) {
                    // A UTF-16 surrogate pair written as two escapes, as JSON does.
                    guard peek() == "\\", peek(1) == "u" else { throw .invalidEscape(sourceText(from: start), offset: start) }
                    position += 2
                    let low = try hex4(escapeStart: start)
                    guard (0xDC00...0xDFFF).contains(low) else { throw .invalidEscape(sourceText(from: start), offset: start) }
                    value = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    value = high
                }
            }
            guard let scalar = Unicode.Scalar(value) else { throw .invalidEscape(sourceText(from: start), offset: start) }
            return scalar
        default:
            throw .invalidEscape("\\" + String(c), offset: start)
        }
    }

    private mutating func hex4(escapeStart: Int) throws(FilterSyntaxError) -> UInt32 {
        var digits = ""
        while digits.count < 4, let d = peek(), d.isHexDigit {
            digits.append(d)
            position += 1
        }
        guard digits.count == 4, let value = UInt32(digits, radix: 16) else {
            throw .invalidEscape(sourceText(from: escapeStart), offset: escapeStart)
        }
        return value
    }

    private func sourceText(from start: Int) -> String {
        String(characters[start..<min(position, characters.count)])
    }

    /// Reads an integer (`-12`) or a decimal number (`3.5`, `-1e-3`).
    private mutating func number() throws(FilterSyntaxError) -> FilterToken {
        let start = position
        var text = ""
        var isDouble = false
        if let c = peek(), c == "-" || c == "+" {
            text.append(c)
            position += 1
        }
        func digits() {
            while let d = peek(), d.isASCII, d.isNumber {
                text.append(d)
                position += 1
            }
        }
        digits()
        if peek() == "." {
            isDouble = true
            text.append(".")
            position += 1
            digits()
        }
        if let e = peek(), e == "e" || e == "E" {
            isDouble = true
            text.append(e)
            position += 1
            if let sign = peek(), sign == "-" || sign == "+" {
                text.append(sign)
                position += 1
            }
            digits()
        }
        // A number must not run into a name: `12abc` is an error, not 12 followed by abc.
        if let c = peek(), Self.isIdentifierContinuation(c) {
            while let d = peek(), Self.isIdentifierContinuation(d) {
                text.append(d)
                position += 1
            }
            throw .invalidNumber(text, offset: start, reason: "a number followed by letters")
        }
        if isDouble {
            guard let value = Double(text) else {
                throw .invalidNumber(text, offset: start, reason: "malformed decimal number")
            }
            guard value.isFinite else { throw .invalidNumber(text, offset: start, reason: "out of the range of a double") }
            return FilterToken(kind: .double(value), offset: start)
        }
        guard let value = Int64(text) else {
            throw .invalidNumber(text, offset: start, reason: "outside the 64-bit integer range; write it as a decimal to compare as a double")
        }
        return FilterToken(kind: .integer(value), offset: start)
    }
}
