extension Filter {
    /// Whether a document with `metadata` satisfies the filter, by the same rules the index
    /// applies: strings compare by their UTF-8 bytes, an integer literal compares with a
    /// double field as a double, and a predicate on a missing field is false (an empty tags
    /// array counts as missing).
    public func matches(_ metadata: [String: Value]) -> Bool {
        func present(_ field: String) -> Value? {
            if case .strings(let tags)? = metadata[field], tags.isEmpty { return nil }
            return metadata[field]
        }
        switch self {
        case .and(let a, let b): return a.matches(metadata) && b.matches(metadata)
        case .or(let a, let b): return a.matches(metadata) || b.matches(metadata)
        case .not(let inner): return !inner.matches(metadata)
        case .exists(let field): return present(field) != nil
        case .contains(let field, let tag):
            guard case .strings(let tags)? = metadata[field] else { return false }
            return tags.contains { $0.utf8.elementsEqual(tag.utf8) }
        case .oneOf(let field, let values, let negated):
            guard let stored = present(field) else { return false }
            let any = values.contains { Self.equal(stored, $0) }
            return negated ? !any : any
        case .comparison(let field, let op, let literal):
            guard let stored = present(field), let order = Self.compare(stored, literal) else { return false }
            switch op {
            case .equal: return order == 0
            case .notEqual: return order != 0
            case .less: return order < 0
            case .lessOrEqual: return order <= 0
            case .greater: return order > 0
            case .greaterOrEqual: return order >= 0
            }
        }
    }

    /// Equality as `IN` sees it: for tags, holding the value.
    private static func equal(_ stored: Value, _ literal: Value) -> Bool {
        if case .strings(let tags) = stored, case .string(let s) = literal {
            return tags.contains { $0.utf8.elementsEqual(s.utf8) }
        }
        return compare(stored, literal) == 0
    }

    /// −1, 0 or 1 comparing a stored value with a literal of a comparable type; nil otherwise.
    static func compare(_ stored: Value, _ literal: Value) -> Int? {
        func sign<T: Comparable>(_ a: T, _ b: T) -> Int { a < b ? -1 : (a == b ? 0 : 1) }
        switch (stored, literal) {
        case (.string(let a), .string(let b)):
            if a.utf8.elementsEqual(b.utf8) { return 0 }
            return a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1
        case (.int(let a), .int(let b)): return sign(a, b)
        case (.double(let a), .double(let b)): return a.isNaN || b.isNaN ? nil : sign(a, b)
        case (.double(let a), .int(let b)): return a.isNaN ? nil : sign(a, Double(b))
        case (.bool(let a), .bool(let b)): return sign(a ? 1 : 0, b ? 1 : 0)
        default: return nil
        }
    }
}
