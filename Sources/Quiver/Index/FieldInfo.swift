/// What a store records about one metadata field.
public struct FieldInfo: Sendable, Hashable {
    /// The field's type: declared when the store was created or taken from the first value
    /// stored; `nil` for a field declared unindexed that no document has used yet.
    public var type: ValueType?
    /// Whether the field has postings in the metadata index (and so can be used in filters).
    public var isIndexed: Bool

    /// Creates field information.
    public init(type: ValueType?, isIndexed: Bool) {
        self.type = type
        self.isIndexed = isIndexed
    }

    /// The stored form: `u8 version (1)`, `u8 type tag (0: none yet)`, `u8 flags (bit 0: indexed)`.
    var encoded: [UInt8] {
        [1, type.map(Self.tag(of:)) ?? 0, isIndexed ? 1 : 0]
    }

    init?(encoded bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 3, bytes[0] == 1 else { return nil }
        if bytes[1] == 0 {
            type = nil
        } else {
            guard let type = Self.type(ofTag: bytes[1]) else { return nil }
            self.type = type
        }
        isIndexed = bytes[2] & 1 != 0
    }

    /// The same tags as the `docs` records use.
    static func tag(of type: ValueType) -> UInt8 {
        switch type {
        case .string: 1
        case .int: 2
        case .double: 3
        case .bool: 4
        case .strings: 5
        }
    }

    static func type(ofTag tag: UInt8) -> ValueType? {
        switch tag {
        case 1: .string
        case 2: .int
        case 3: .double
        case 4: .bool
        case 5: .strings
        default: nil
        }
    }
}
