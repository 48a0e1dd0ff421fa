/// One entry of an `E5S1` file's tensor directory: where a tensor's data is and how it is stored.
struct E5TensorEntry: Sendable, Hashable {
    /// How a tensor's elements are stored.
    enum DataType: UInt8, Sendable, CustomStringConvertible {
        /// Little-endian float32, 4 bytes per element.
        case float32 = 0
        /// ggml Q4_0 blocks, 18 bytes per 32 elements (see ``Q4Block``).
        case q4_0 = 1

        /// The type's name in error messages.
        var description: String {
            switch self {
            case .float32: return "f32"
            case .q4_0: return "Q4_0"
            }
        }

        /// The number of data bytes `count` elements take, or `nil` when `count` does not fit this type.
        func byteCount(elements count: Int) -> Int? {
            switch self {
            case .float32: return count * 4
            case .q4_0: return count % Q4Block.weights == 0 ? count / Q4Block.weights * Q4Block.byteCount : nil
            }
        }
    }

    /// The tensor's name, e.g. `l3.fi.w`.
    let name: String
    /// How the elements are stored.
    let dataType: DataType
    /// The number of elements.
    let count: Int
    /// The absolute file offset of the data.
    let offset: Int
    /// The data's size in bytes.
    let byteCount: Int

    /// Reads the entry at `reader`'s offset, checking it against the file.
    ///
    /// - Throws: ``ModelFileError`` naming the field or tensor that is truncated, malformed or out of bounds.
    init(reading reader: inout ModelFileReader) throws {
        let path = reader.file.path
        let nameLength = Int(try reader.read(UInt16.self, "tensor name length"))
        let nameOffset = try reader.skip(nameLength, "tensor name")
        let nameBytes = reader.file.bytes(nameOffset..<nameOffset + nameLength)
        guard nameLength > 0, nameBytes.allSatisfy({ (0x21..<0x7F).contains($0) }) else {
            throw reader.malformed("tensor name", at: nameOffset, "not a non-empty printable ASCII name")
        }
        name = String(decoding: nameBytes, as: UTF8.self)
        let typeOffset = reader.offset
        let rawType = try reader.read(UInt8.self, "data type of tensor \(name)")
        guard let dataType = DataType(rawValue: rawType) else {
            throw ModelFileError.unknownDataType(path: path, tensor: name, dataType: "\(rawType) (at byte \(typeOffset))")
        }
        self.dataType = dataType
        count = Int(try reader.read(UInt32.self, "element count of tensor \(name)"))
        let rawOffset = try reader.read(UInt64.self, "data offset of tensor \(name)")
        let rawSize = try reader.read(UInt64.self, "data size of tensor \(name)")
        guard let expected = dataType.byteCount(elements: count), UInt64(expected) == rawSize else {
            throw ModelFileError.malformedTensor(
                path: path, tensor: name,
                reason: "\(rawSize) data bytes do not hold \(count) \(dataType) elements")
        }
        guard rawOffset <= UInt64(reader.file.count), rawSize <= UInt64(reader.file.count) - rawOffset else {
            throw ModelFileError.tensorOutOfBounds(
                path: path, tensor: name, start: Int(clamping: rawOffset), end: Int(clamping: rawOffset &+ rawSize),
                dataSize: reader.file.count)
        }
        offset = Int(rawOffset)
        byteCount = expected
    }
}
