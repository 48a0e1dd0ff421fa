/// A metadata field named in a filter built in Swift: `Filter.field("year") >= 2020`.
public struct FilterField: Sendable {
    /// The field's name.
    public let name: String

    /// Creates a reference to the field `name`.
    public init(_ name: String) {
        self.name = name
    }

    /// `field = value`.
    public static func == (field: FilterField, value: Value) -> Filter {
        .comparison(field: field.name, operator: .equal, value: value)
    }

    /// `field != value` (the field must exist).
    public static func != (field: FilterField, value: Value) -> Filter {
        .comparison(field: field.name, operator: .notEqual, value: value)
    }

    /// `field < value`.
    public static func < (field: FilterField, value: Value) -> Filter {
        .comparison(field: field.name, operator: .less, value: value)
    }

    /// `field <= value`.
    public static func <= (field: FilterField, value: Value) -> Filter {
        .comparison(field: field.name, operator: .lessOrEqual, value: value)
    }

    /// `field > value`.
    public static func > (field: FilterField, value: Value) -> Filter {
        .comparison(field: field.name, operator: .greater, value: value)
    }

    /// `field >= value`.
    public static func >= (field: FilterField, value: Value) -> Filter {
        .comparison(field: field.name, operator: .greaterOrEqual, value: value)
    }

    /// `field IN [values]`: equal to one of `values` (for tags: holding one of them).
    public func isIn(_ values: [Value]) -> Filter {
        .oneOf(field: name, values: values, negated: false)
    }

    /// `field NOT IN [values]`: the field exists and matches none of `values`.
    public func isNotIn(_ values: [Value]) -> Filter {
        .oneOf(field: name, values: values, negated: true)
    }

    /// `field CONTAINS tag`: a tags field holding `tag`.
    public func contains(_ tag: String) -> Filter {
        .contains(field: name, tag: tag)
    }

    /// `field EXISTS`: the document has the field.
    public var exists: Filter { .exists(field: name) }
}

extension Filter {
    /// A field to compare: `Filter.field("city") == "上海"`.
    public static func field(_ name: String) -> FilterField { FilterField(name) }

    /// Both filters hold.
    public static func && (lhs: Filter, rhs: Filter) -> Filter { .and(lhs, rhs) }

    /// At least one filter holds.
    public static func || (lhs: Filter, rhs: Filter) -> Filter { .or(lhs, rhs) }

    /// The filter does not hold.
    public static prefix func ! (filter: Filter) -> Filter { .not(filter) }
}
