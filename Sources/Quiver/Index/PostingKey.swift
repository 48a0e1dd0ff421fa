/// Keys of the `postings` database: `u8 name length ‖ field name (UTF-8) ‖ encoded value`,
/// where the value's bytes sort like the values (so a range is one cursor walk):
///
/// - int: 8 bytes big-endian of the value with its sign bit flipped;
/// - double: 8 bytes big-endian of the IEEE bits, all flipped for negatives, sign bit set for
///   positives (−0 is stored as +0);
/// - bool: one byte, 0 or 1;
/// - string and each tag: its UTF-8 bytes, cut to ``maximumValueBytes``. A key whose value
///   part is exactly that long may stand for a longer value: matches through it are checked
///   against the document.
enum PostingKey {
    /// The longest value part stored (field names are at most 255 bytes; LMDB keys at most 511).
    static let maximumValueBytes = 250

    /// `u8 length ‖ name`: the prefix of every key of field `name`.
    static func prefix(field name: String) -> [UInt8] {
        var out: [UInt8] = [UInt8(truncatingIfNeeded: name.utf8.count)]
        out.append(contentsOf: name.utf8)
        return out
    }

    /// The encoded value parts of `value` (one per distinct tag for `.strings`; none for NaN).
    static func valueParts(_ value: Value) -> [[UInt8]] {
        switch value {
        case .string(let s): [encode(string: s)]
        case .int(let i): [encode(int: i)]
        case .double(let d): d.isNaN ? [] : [encode(double: d)]
        case .bool(let b): [encode(bool: b)]
        case .strings(let tags): Array(Set(tags.map(encode(string:))))
        }
    }

    static func encode(int value: Int64) -> [UInt8] {
        bigEndianBytes(UInt64(bitPattern: value) ^ (1 << 63))
    }

    static func encode(double value: Double) -> [UInt8] {
        let bits = (value == 0 ? 0.0 : value).bitPattern
        return bigEndianBytes(bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63))
    }

    static func encode(bool value: Bool) -> [UInt8] { [value ? 1 : 0] }

    static func encode(string value: String) -> [UInt8] {
        Array(value.utf8.prefix(maximumValueBytes))
    }

    /// Whether a stored value part may be a cut longer string (so matches need checking).
    static func mayBeTruncated(valueBytes: Int) -> Bool { valueBytes >= maximumValueBytes }

    private static func bigEndianBytes(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) }
    }
}
