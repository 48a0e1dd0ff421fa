/// A metadata value attached to a document.
public enum Value: Sendable, Hashable {
    /// A keyword (exact-match string).
    case string(String)
    /// A 64-bit signed integer.
    case int(Int64)
    /// A 64-bit floating-point number.
    case double(Double)
    /// A boolean.
    case bool(Bool)
    /// A set of tags (an array of strings, order kept).
    case strings([String])

    /// The type of this value.
    public var type: ValueType {
        switch self {
        case .string: .string
        case .int: .int
        case .double: .double
        case .bool: .bool
        case .strings: .strings
        }
    }
}

/// The type of a metadata field.
public enum ValueType: String, Sendable, Codable, CaseIterable {
    /// Keyword strings.
    case string
    /// 64-bit signed integers.
    case int
    /// 64-bit floating-point numbers.
    case double
    /// Booleans.
    case bool
    /// Arrays of strings (tags).
    case strings
}

extension Value: ExpressibleByStringLiteral {
    /// Creates a `.string` value from a literal.
    public init(stringLiteral value: String) { self = .string(value) }
}

extension Value: ExpressibleByIntegerLiteral {
    /// Creates an `.int` value from a literal.
    public init(integerLiteral value: Int64) { self = .int(value) }
}

extension Value: ExpressibleByFloatLiteral {
    /// Creates a `.double` value from a literal.
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension Value: ExpressibleByBooleanLiteral {
    /// Creates a `.bool` value from a literal.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension Value: ExpressibleByArrayLiteral {
    /// Creates a `.strings` value from a literal.
    public init(arrayLiteral elements: String...) { self = .strings(elements) }
}
