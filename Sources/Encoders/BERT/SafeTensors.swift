import Foundation

/// A memory-mapped safetensors file: an 8-byte little-endian header length, a JSON header
/// describing each tensor (`dtype`, `shape`, `data_offsets` relative to the data section),
/// then the raw little-endian tensor data.
///
/// Opening the file validates the whole header: every entry's data type is known, its shape
/// is non-negative, its byte size equals its shape times its element size, its offsets lie
/// inside the data section, and no two tensors overlap. Tensor data is never copied: float32
/// tensors are handed out as pointers into the mapping.
struct SafeTensorsFile: Sendable {
    /// One tensor's header entry.
    struct Entry: Sendable, Hashable {
        /// The tensor's element type.
        let dataType: SafeTensorsDataType
        /// The tensor's dimensions, outermost first.
        let shape: [Int]
        /// The tensor's bytes as absolute offsets in the file.
        let byteRange: Range<Int>
    }

    /// The largest header accepted (the reference implementation's limit).
    static let maximumHeaderLength = 100_000_000

    /// The file's path, for error messages.
    var path: String { mapping.path }
    /// The mapped file.
    let mapping: MappedFile
    /// The tensors by name (the optional `__metadata__` entry excluded).
    let entries: [String: Entry]
    /// The file offset where the data section starts (just after the header).
    let dataOffset: Int

    /// The header's JSON text, exactly as stored (including any padding).
    var headerJSON: UnsafeRawBufferPointer { mapping.bytes(8..<dataOffset) }

    /// Opens and validates the safetensors file at `path`.
    ///
    /// - Throws: ``ModelFileError`` naming the file (and the tensor, for a bad entry).
    init(path: String) throws {
        let mapping = try MappedFile(path: path)
        let size = mapping.count
        guard size >= 8 else {
            throw ModelFileError.truncatedFile(path: path, size: size, needed: 8)
        }
        let declared = mapping.base.loadUnaligned(as: UInt64.self).littleEndian
        guard declared <= UInt64(SafeTensorsFile.maximumHeaderLength) else {
            throw ModelFileError.malformedHeader(path: path, reason: "declared header length \(declared) exceeds \(SafeTensorsFile.maximumHeaderLength) bytes")
        }
        let headerLength = Int(declared)
        guard headerLength > 0 else {
            throw ModelFileError.malformedHeader(path: path, reason: "header length is 0")
        }
        guard 8 + headerLength <= size else {
            throw ModelFileError.truncatedFile(path: path, size: size, needed: 8 + headerLength)
        }
        let header = mapping.bytes(8..<(8 + headerLength))
        let dataSize = size - 8 - headerLength
        self.mapping = mapping
        self.dataOffset = 8 + headerLength
        self.entries = try SafeTensorsFile.parseHeader(header, path: path, dataOffset: 8 + headerLength, dataSize: dataSize)
    }

    /// The float32 tensor `name`, checked to have `shape`.
    ///
    /// - Throws: ``ModelFileError/missingTensor(path:tensor:)``,
    ///   ``ModelFileError/wrongDataType(path:tensor:expected:found:)``,
    ///   ``ModelFileError/wrongShape(path:tensor:expected:found:)`` or
    ///   ``ModelFileError/misalignedTensor(path:tensor:offset:)``.
    func floatTensor(_ name: String, shape: [Int]) throws -> FloatTensor {
        guard let entry = entries[name] else {
            throw ModelFileError.missingTensor(path: path, tensor: name)
        }
        guard entry.dataType == .float32 else {
            throw ModelFileError.wrongDataType(path: path, tensor: name, expected: SafeTensorsDataType.float32.rawValue, found: entry.dataType.rawValue)
        }
        guard entry.shape == shape else {
            throw ModelFileError.wrongShape(path: path, tensor: name, expected: shape, found: entry.shape)
        }
        let start = mapping.base + entry.byteRange.lowerBound
        guard Int(bitPattern: start) % MemoryLayout<Float>.alignment == 0 else {
            throw ModelFileError.misalignedTensor(path: path, tensor: name, offset: entry.byteRange.lowerBound)
        }
        let elements = start.bindMemory(to: Float.self, capacity: entry.byteRange.count / MemoryLayout<Float>.stride)
        return FloatTensor(name: name, shape: shape, owner: mapping, elements: elements)
    }

    /// The raw bytes of tensor `name` (any data type), or `nil` if there is none.
    func bytes(of name: String) -> UnsafeRawBufferPointer? {
        entries[name].map { mapping.bytes($0.byteRange) }
    }

    /// Decodes and validates the JSON header.
    private static func parseHeader(_ header: UnsafeRawBufferPointer, path: String, dataOffset: Int, dataSize: Int) throws -> [String: Entry] {
        guard header.first == UInt8(ascii: "{") else {
            throw ModelFileError.malformedHeader(path: path, reason: "the header does not start with '{'")
        }
        let raw: RawHeader
        do {
            raw = try JSONDecoder().decode(RawHeader.self, from: Data(header))
        } catch {
            throw ModelFileError.malformedHeader(path: path, reason: "not a JSON object of tensor entries (\(error))")
        }
        var entries: [String: Entry] = [:]
        entries.reserveCapacity(raw.entries.count)
        for (name, decoded) in raw.entries {
            let fields: RawEntry
            switch decoded {
            case .success(let value):
                fields = value
            case .failure(let error):
                throw ModelFileError.malformedTensor(path: path, tensor: name, reason: "the entry is not {\"dtype\": string, \"shape\": [int], \"data_offsets\": [int, int]} (\(error))")
            }
            let entry = try validate(fields, name: name, path: path, dataSize: dataSize)
            entries[name] = Entry(
                dataType: entry.dataType,
                shape: entry.shape,
                byteRange: (dataOffset + entry.byteRange.lowerBound)..<(dataOffset + entry.byteRange.upperBound)
            )
        }
        // No two tensors may share bytes.
        let sorted = entries.sorted { ($0.value.byteRange.lowerBound, $0.key) < ($1.value.byteRange.lowerBound, $1.key) }
        for (previous, next) in zip(sorted, sorted.dropFirst())
        where next.value.byteRange.lowerBound < previous.value.byteRange.upperBound && !next.value.byteRange.isEmpty {
            throw ModelFileError.malformedTensor(path: path, tensor: next.key, reason: "its bytes overlap tensor \"\(previous.key)\"")
        }
        return entries
    }

    /// Validates one decoded tensor entry, returning it with offsets relative to the data section.
    private static func validate(_ fields: RawEntry, name: String, path: String, dataSize: Int) throws -> Entry {
        guard let dataType = SafeTensorsDataType(rawValue: fields.dtype) else {
            throw ModelFileError.unknownDataType(path: path, tensor: name, dataType: fields.dtype)
        }
        let shape = fields.shape
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw ModelFileError.malformedTensor(path: path, tensor: name, reason: "shape \(shape) has a negative dimension")
        }
        guard fields.offsets.count == 2 else {
            throw ModelFileError.malformedTensor(path: path, tensor: name, reason: "\"data_offsets\" has \(fields.offsets.count) values, not 2")
        }
        let (start, end) = (fields.offsets[0], fields.offsets[1])
        guard start >= 0, start <= end else {
            throw ModelFileError.malformedTensor(path: path, tensor: name, reason: "\"data_offsets\" [\(start), \(end)] are reversed or negative")
        }
        guard end <= dataSize else {
            throw ModelFileError.tensorOutOfBounds(path: path, tensor: name, start: start, end: end, dataSize: dataSize)
        }
        var byteCount = dataType.byteCount
        for dimension in shape {
            let (product, overflow) = byteCount.multipliedReportingOverflow(by: dimension)
            guard !overflow else {
                throw ModelFileError.malformedTensor(path: path, tensor: name, reason: "shape \(shape) is too large")
            }
            byteCount = product
        }
        guard byteCount == end - start else {
            throw ModelFileError.malformedTensor(path: path, tensor: name, reason: "shape \(shape) of \(fields.dtype) needs \(byteCount) bytes, but \"data_offsets\" [\(start), \(end)] span \(end - start)")
        }
        return Entry(dataType: dataType, shape: shape, byteRange: start..<end)
    }
}

/// One tensor entry as written in the header.
private struct RawEntry: Decodable {
    let dtype: String
    let shape: [Int]
    let offsets: [Int]

    private enum CodingKeys: String, CodingKey {
        case dtype
        case shape
        case offsets = "data_offsets"
    }
}

/// The header object: each tensor entry decoded on its own so a bad one can be named.
private struct RawHeader: Decodable {
    let entries: [(String, Result<RawEntry, any Error>)]

    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        entries = container.allKeys.filter { $0.stringValue != "__metadata__" }.map { key in
            (key.stringValue, Result { try container.decode(RawEntry.self, forKey: key) })
        }
    }
}
