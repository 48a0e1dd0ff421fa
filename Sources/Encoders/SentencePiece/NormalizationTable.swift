/// SentencePiece's per-code-point normalisation map (`nmt_nfkc`: NFKC folding, whitespace
/// variants to U+0020, most control characters deleted), as stored in an `E5S1` model file.
///
/// Code points not in the table map to themselves.
struct NormalizationTable: Sendable {
    /// The replacement of every listed code point (empty: the code point is deleted).
    private let replacements: [UInt32: [Unicode.Scalar]]

    /// The number of listed code points.
    var count: Int { replacements.count }

    /// A table from explicit entries (for tests).
    init(_ replacements: [UInt32: [Unicode.Scalar]]) {
        self.replacements = replacements
    }

    /// Reads the table at `reader`'s offset (`i32` entry count, `u32` byte size, then entries of
    /// `u32` code point, `u8` k, k × `u32` replacement), leaving the reader after it.
    ///
    /// - Throws: ``ModelFileError/truncatedField(path:field:offset:size:)`` or
    ///   ``ModelFileError/malformedField(path:field:offset:reason:)``: entries out of order, a
    ///   value that is not a Unicode scalar, or a byte size that disagrees with the entries.
    init(reading reader: inout ModelFileReader) throws {
        let entryCount = try reader.readCount("normalisation entry count", in: 0...0x11_0000)
        let sizeOffset = reader.offset
        let byteCount = Int(try reader.read(UInt32.self, "normalisation table size"))
        try reader.require(byteCount, for: "normalisation table")
        let end = reader.offset + byteCount
        var table: [UInt32: [Unicode.Scalar]] = [:]
        table.reserveCapacity(entryCount)
        var previous: Int64 = -1
        for _ in 0..<entryCount {
            let entryOffset = reader.offset
            let key = try reader.read(UInt32.self, "normalisation entry")
            guard Unicode.Scalar(key) != nil, Int64(key) > previous else {
                throw reader.malformed("normalisation entry", at: entryOffset, "code point \(key) is not a Unicode scalar above the previous entry's")
            }
            previous = Int64(key)
            let length = Int(try reader.read(UInt8.self, "normalisation entry length"))
            var value: [Unicode.Scalar] = []
            value.reserveCapacity(length)
            for _ in 0..<length {
                let valueOffset = reader.offset
                guard let scalar = Unicode.Scalar(try reader.read(UInt32.self, "normalisation replacement")) else {
                    throw reader.malformed("normalisation replacement", at: valueOffset, "not a Unicode scalar")
                }
                value.append(scalar)
            }
            guard reader.offset <= end else {
                throw reader.malformed("normalisation table size", at: sizeOffset, "\(byteCount) bytes do not hold \(entryCount) entries")
            }
            table[key] = value
        }
        guard reader.offset == end else {
            throw reader.malformed("normalisation table size", at: sizeOffset, "\(entryCount) entries take \(reader.offset - (sizeOffset + 4)) bytes, not \(byteCount)")
        }
        replacements = table
    }

    /// The replacement of `scalar`, or `nil` when it maps to itself.
    @inline(__always)
    func replacement(for scalar: Unicode.Scalar) -> [Unicode.Scalar]? {
        replacements[scalar.value]
    }
}
