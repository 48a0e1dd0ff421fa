extension Filter: CustomStringConvertible {
    /// The canonical string form: parsing it gives back an equal filter.
    public var description: String { render(parentPrecedence: 0) }

    /// 1: OR, 2: AND, 3: NOT and predicates.
    private var precedence: Int {
        switch self {
        case .or: 1
        case .and: 2
        default: 3
        }
    }

    private func render(parentPrecedence: Int) -> String {
        let text: String
        switch self {
        case .comparison(let field, let op, let value):
            text = "\(Self.render(name: field)) \(op.rawValue) \(Self.render(value: value))"
        case .oneOf(let field, let values, let negated):
            let list = values.map(Self.render(value:)).joined(separator: ", ")
            text = "\(Self.render(name: field)) \(negated ? "NOT IN" : "IN") [\(list)]"
        case .contains(let field, let tag):
            text = "\(Self.render(name: field)) CONTAINS \(Self.render(string: tag))"
        case .exists(let field):
            text = "\(Self.render(name: field)) EXISTS"
        case .and(let a, let b):
            // AND and OR associate to the left, so a right operand of equal precedence needs parentheses.
            text = "\(a.render(parentPrecedence: 2)) AND \(b.render(parentPrecedence: 3))"
        case .or(let a, let b):
            text = "\(a.render(parentPrecedence: 1)) OR \(b.render(parentPrecedence: 2))"
        case .not(let inner):
            text = "NOT \(inner.render(parentPrecedence: 3))"
        }
        return precedence < parentPrecedence ? "(\(text))" : text
    }

    /// A field name as written in the language: bare when it is an identifier, else in backticks.
    static func render(name: String) -> String {
        if FilterLexer.isIdentifier(name) && FilterKeyword(rawValue: name.uppercased()) == nil { return name }
        var out = "`"
        for scalar in name.unicodeScalars {
            switch scalar {
            case "`": out += "\\`"
            case "\\": out += "\\\\"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "`"
    }

    static func render(value: Value) -> String {
        switch value {
        case .string(let s): render(string: s)
        case .int(let i): String(i)
        case .double(let d): "\(d)"  // shortest round-trip form, always with "." or "e"
        case .bool(let b): b ? "true" : "false"
        case .strings(let list): "[" + list.map(render(string:)).joined(separator: ", ") + "]"
        }
    }

    /// A double-quoted string literal with `\"`, `\\` and control characters escaped.
    static func render(string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
