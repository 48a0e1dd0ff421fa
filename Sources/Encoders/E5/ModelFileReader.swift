/// A cursor over a memory-mapped model file that reads little-endian fields, checking each
/// one lies inside the file and naming it in the error when it does not.
struct ModelFileReader {
    /// The file being read.
    let file: MappedFile
    /// The byte offset of the next field.
    private(set) var offset: Int

    /// A reader at `offset` of `file`.
    init(file: MappedFile, offset: Int = 0) {
        self.file = file
        self.offset = offset
    }

    /// Throws unless `count` bytes starting at the current offset lie inside the file.
    ///
    /// - Throws: ``ModelFileError/truncatedField(path:field:offset:size:)`` naming `field`.
    func require(_ count: Int, for field: String) throws {
        guard count >= 0, offset <= file.count, count <= file.count - offset else {
            throw ModelFileError.truncatedField(path: file.path, field: field, offset: offset, size: file.count)
        }
    }

    /// Reads an integer field.
    mutating func read<Value: FixedWidthInteger>(_ type: Value.Type, _ field: String) throws -> Value {
        try require(MemoryLayout<Value>.size, for: field)
        let value = Value(littleEndian: file.base.loadUnaligned(fromByteOffset: offset, as: Value.self))
        offset += MemoryLayout<Value>.size
        return value
    }

    /// Reads a float32 field.
    mutating func readFloat(_ field: String) throws -> Float {
        Float(bitPattern: try read(UInt32.self, field))
    }

    /// Reads a signed 32-bit count or size, requiring it to lie in `range`.
    ///
    /// - Throws: ``ModelFileError/malformedField(path:field:offset:reason:)`` when it is outside `range`.
    mutating func readCount(_ field: String, in range: ClosedRange<Int>) throws -> Int {
        let start = offset
        let value = Int(try read(Int32.self, field))
        guard range.contains(value) else {
            throw ModelFileError.malformedField(path: file.path, field: field, offset: start, reason: "\(value) is outside \(range.lowerBound)…\(range.upperBound)")
        }
        return value
    }

    /// Skips `count` bytes (which must lie inside the file), returning where they start.
    mutating func skip(_ count: Int, _ field: String) throws -> Int {
        try require(count, for: field)
        let start = offset
        offset += count
        return start
    }

    /// The error for a malformed field at `offset`.
    func malformed(_ field: String, at offset: Int, _ reason: String) -> ModelFileError {
        .malformedField(path: file.path, field: field, offset: offset, reason: reason)
    }
}
