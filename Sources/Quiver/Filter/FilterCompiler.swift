import LMDB

/// Turns a filter into the set of live internal ids it matches, by cursor walks over the
/// `postings` database inside one read transaction.
///
/// Each predicate walks the keys of its field between bounds; ids of a key are read a page
/// at a time (`MDB_GET_MULTIPLE`) into a bitmap. `AND`, `OR` and `NOT` are bitmap operations
/// (`NOT` against the live ids). Keys that may stand for a cut long string are checked
/// against the stored documents, so every predicate's set is exact.
struct FilterCompiler {
    let txn: Transaction
    let postings: Database
    let catalog: FieldCatalog
    let idLimit: Int
    /// The live ids, for `NOT`.
    let liveIDs: () throws -> CandidateSet
    /// The metadata of a live id, for checking keys that may be cut.
    let metadata: (UInt32) throws -> [String: Value]?

    /// Posting keys visited so far.
    private(set) var keysVisited = 0
    /// Documents read to check cut string keys.
    private(set) var documentsChecked = 0
    private var live: CandidateSet?

    init(
        txn: Transaction, postings: Database, catalog: FieldCatalog, idLimit: Int,
        liveIDs: @escaping () throws -> CandidateSet, metadata: @escaping (UInt32) throws -> [String: Value]?
    ) {
        self.txn = txn
        self.postings = postings
        self.catalog = catalog
        self.idLimit = idLimit
        self.liveIDs = liveIDs
        self.metadata = metadata
    }

    // MARK: - Checking

    /// Checks every field and literal of `filter` against the recorded field types.
    func validate(_ filter: Filter) throws(FilterError) {
        switch filter {
        case .and(let a, let b), .or(let a, let b):
            try validate(a)
            try validate(b)
        case .not(let inner):
            try validate(inner)
        case .exists(let field):
            _ = try fieldType(field)
        case .contains(let field, _):
            let type = try fieldType(field)
            guard type == .strings else {
                throw .unsupportedOperator(
                    field: field, fieldType: type, operator: "CONTAINS",
                    hint: "CONTAINS tests a tags (string array) field; compare a \(type.rawValue) field with = or IN")
            }
        case .oneOf(let field, let values, let negated):
            let type = try fieldType(field)
            for value in values {
                if type == .strings {
                    guard case .string = value else { throw .typeMismatch(field: field, fieldType: type, literal: value) }
                } else {
                    try check(value, against: type, field: field)
                }
            }
            _ = negated
        case .comparison(let field, let op, let value):
            let type = try fieldType(field)
            if type == .strings {
                throw .unsupportedOperator(
                    field: field, fieldType: type, operator: op.rawValue,
                    hint: #"test tags with CONTAINS "tag", IN ["a", "b"] or NOT IN [...]"#)
            }
            if type == .bool && op.isRange {
                throw .unsupportedOperator(field: field, fieldType: type, operator: op.rawValue, hint: "compare booleans with = or !=")
            }
            try check(value, against: type, field: field)
        }
    }

    private func fieldType(_ field: String) throws(FilterError) -> ValueType {
        guard let info = catalog[field] else {
            throw .unknownField(field, known: catalog.fields.filter { $0.value.isIndexed }.map(\.key).sorted())
        }
        guard info.isIndexed, let type = info.type else { throw .unindexedField(field) }
        return type
    }

    private func check(_ value: Value, against type: ValueType, field: String) throws(FilterError) {
        switch (type, value) {
        case (.string, .string), (.int, .int), (.double, .double), (.double, .int), (.bool, .bool): return
        default: throw .typeMismatch(field: field, fieldType: type, literal: value)
        }
    }

    // MARK: - Evaluation

    /// The ids `filter` matches (call ``validate(_:)`` first).
    mutating func evaluate(_ filter: Filter) throws -> CandidateSet {
        switch filter {
        case .and(let a, let b):
            var set = try evaluate(a)
            if set.isEmpty { return set }
            set.formIntersection(try evaluate(b))
            return set
        case .or(let a, let b):
            var set = try evaluate(a)
            set.formUnion(try evaluate(b))
            return set
        case .not(let inner):
            var set = try liveSet()
            set.subtract(try evaluate(inner))
            return set
        case .exists(let field):
            return try walk(field: field, from: nil, through: nil, leaf: filter) { _ in .include }
        case .contains(let field, let tag):
            return try equal(field: field, literal: .string(tag), leaf: filter)
        case .oneOf(let field, let values, let negated):
            var set = CandidateSet(idLimit: idLimit)
            for value in values {
                set.formUnion(try equal(field: field, literal: value, leaf: .oneOf(field: field, values: [value], negated: false)))
            }
            guard negated else { return set }
            var existing = try evaluate(.exists(field: field))
            existing.subtract(set)
            return existing
        case .comparison(let field, let op, let value):
            let literal = try normalized(value, field: field)
            switch op {
            case .equal:
                return try equal(field: field, literal: literal, leaf: filter)
            case .notEqual:
                var existing = try evaluate(.exists(field: field))
                existing.subtract(try equal(field: field, literal: literal, leaf: .comparison(field: field, operator: .equal, value: value)))
                return existing
            case .less, .lessOrEqual:
                let bytes = Self.valueBytes(literal)
                return try walk(field: field, from: nil, through: Self.cut(bytes), leaf: filter) { part in
                    let order = Self.compare(part, bytes)
                    return order < 0 || (order == 0 && op == .lessOrEqual) ? .include : .exclude
                }
            case .greater, .greaterOrEqual:
                let bytes = Self.valueBytes(literal)
                return try walk(field: field, from: Self.cut(bytes), through: nil, leaf: filter) { part in
                    let order = Self.compare(part, bytes)
                    return order > 0 || (order == 0 && op == .greaterOrEqual) ? .include : .exclude
                }
            }
        }
    }

    private mutating func liveSet() throws -> CandidateSet {
        if let live { return live }
        let set = try liveIDs()
        live = set
        return set
    }

    /// An integer literal compared with a double field, as a double.
    private func normalized(_ value: Value, field: String) throws -> Value {
        if case .int(let i) = value, catalog[field]?.type == .double { return .double(Double(i)) }
        return value
    }

    private mutating func equal(field: String, literal: Value, leaf: Filter) throws -> CandidateSet {
        let literal = try normalized(literal, field: field)
        let bytes = Self.valueBytes(literal)
        let key = Self.cut(bytes)
        return try walk(field: field, from: key, through: key, leaf: leaf) { part in
            Self.compare(part, bytes) == 0 ? .include : .exclude
        }
    }

    /// The full (uncut) value bytes of a literal, ordered like the stored value parts.
    private static func valueBytes(_ value: Value) -> [UInt8] {
        switch value {
        case .string(let s): Array(s.utf8)
        case .int(let i): PostingKey.encode(int: i)
        case .double(let d): PostingKey.encode(double: d)
        case .bool(let b): PostingKey.encode(bool: b)
        case .strings: []
        }
    }

    private static func cut(_ bytes: [UInt8]) -> [UInt8] { Array(bytes.prefix(PostingKey.maximumValueBytes)) }

    /// Byte-wise three-way comparison.
    private static func compare(_ a: UnsafeRawBufferPointer, _ b: [UInt8]) -> Int {
        let n = min(a.count, b.count)
        for i in 0..<n where a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }

    private enum Decision { case include, exclude }

    /// Walks the keys of `field` whose value part lies in [`from`, `through`] (either open),
    /// adding the ids of every key `decide` includes. A key whose value part may be a cut
    /// string is decided per document with `leaf` instead.
    private mutating func walk(
        field: String, from low: [UInt8]?, through high: [UInt8]?, leaf: Filter,
        decide: (UnsafeRawBufferPointer) -> Decision
    ) throws -> CandidateSet {
        var set = CandidateSet(idLimit: idLimit)
        let prefix = PostingKey.prefix(field: field)
        let isString = catalog[field].map { $0.type == .string || $0.type == .strings } ?? false
        let cursor = try txn.cursor(postings)
        var entry = try cursor.seek(atLeast: prefix + (low ?? []))
        while let (key, value) = entry {
            guard key.count >= prefix.count, prefix.withUnsafeBytes({ key.prefix(prefix.count).elementsEqual($0) }) else { break }
            let part = UnsafeRawBufferPointer(rebasing: key[prefix.count...])
            if let high, Self.compare(part, high) > 0 { break }
            keysVisited += 1
            if isString && PostingKey.mayBeTruncated(valueBytes: part.count) {
                var ids = CandidateSet(idLimit: idLimit)
                try readIDs(cursor: cursor, first: value, into: &ids)
                try ids.forEach { id in
                    documentsChecked += 1
                    if let metadata = try metadata(id), leaf.matches(metadata) { set.insert(id) }
                }
            } else if decide(part) == .include {
                try readIDs(cursor: cursor, first: value, into: &set)
            }
            entry = try cursor.nextKey()
        }
        return set
    }

    /// Adds every id of the cursor's current key, a page at a time.
    private func readIDs(cursor: Cursor, first: UnsafeRawBufferPointer, into set: inout CandidateSet) throws {
        let page = try cursor.duplicatePage()
        if page.count == 0 {
            set.insert(packed: first)
            return
        }
        set.insert(packed: page)
        while let next = try cursor.nextDuplicatePage() { set.insert(packed: next) }
    }
}
