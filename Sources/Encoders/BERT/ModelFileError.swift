/// Why a neural encoder's model files could not be loaded, naming the file and, where there is one, the tensor.
public enum ModelFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A required model file does not exist.
    case missingFile(path: String)
    /// A file exists but could not be opened, inspected or memory-mapped.
    case unreadableFile(path: String, reason: String)
    /// A safetensors file is shorter than its 8-byte header length, or than the header length it declares.
    case truncatedFile(path: String, size: Int, needed: Int)
    /// A safetensors header is not the expected JSON object of tensor entries.
    case malformedHeader(path: String, reason: String)
    /// A tensor entry is malformed (negative dimension, reversed offsets, a size that disagrees with its shape).
    case malformedTensor(path: String, tensor: String, reason: String)
    /// A tensor's element type is not one of the safetensors types.
    case unknownDataType(path: String, tensor: String, dataType: String)
    /// A tensor's data lies (partly) outside the file's data section.
    case tensorOutOfBounds(path: String, tensor: String, start: Int, end: Int, dataSize: Int)
    /// A tensor the model needs is absent from the file.
    case missingTensor(path: String, tensor: String)
    /// A tensor has a different element type than the model needs.
    case wrongDataType(path: String, tensor: String, expected: String, found: String)
    /// A tensor has a different shape than the model's configuration implies.
    case wrongShape(path: String, tensor: String, expected: [Int], found: [Int])
    /// A tensor's data does not start at an address aligned for its element type.
    case misalignedTensor(path: String, tensor: String, offset: Int)
    /// A model file does not start with its format's magic bytes (it is some other file).
    case badMagic(path: String, expected: String, found: [UInt8])
    /// A model file is of a format version this code does not read.
    case unsupportedVersion(path: String, version: Int, supported: Int)
    /// A model file ends before a field it must hold (a partial download or a cut file).
    case truncatedField(path: String, field: String, offset: Int, size: Int)
    /// A field of a model file holds an impossible value.
    case malformedField(path: String, field: String, offset: Int, reason: String)
    /// A configuration file cannot be decoded or describes an impossible model.
    case invalidConfiguration(path: String, reason: String)
    /// A configuration value differs from the one the encoder implements.
    case configurationMismatch(path: String, key: String, expected: String, found: String)

    /// A sentence saying what went wrong and what to do about it.
    public var description: String {
        switch self {
        case .missingFile(let path):
            return "model file \(path) not found: run tools/fetch-model (or set QUIVER_MODEL_DIR to the folder holding the models)"
        case .unreadableFile(let path, let reason):
            return "cannot read model file \(path): \(reason)"
        case .truncatedFile(let path, let size, let needed):
            return "model file \(path) is truncated: \(size) bytes, at least \(needed) needed: run tools/fetch-model again"
        case .malformedHeader(let path, let reason):
            return "model file \(path) has a malformed safetensors header: \(reason)"
        case .malformedTensor(let path, let tensor, let reason):
            return "tensor \"\(tensor)\" in \(path) is malformed: \(reason)"
        case .unknownDataType(let path, let tensor, let dataType):
            return "tensor \"\(tensor)\" in \(path) has unknown data type \"\(dataType)\""
        case .tensorOutOfBounds(let path, let tensor, let start, let end, let dataSize):
            return "tensor \"\(tensor)\" in \(path) spans bytes \(start)..<\(end), outside the \(dataSize)-byte data section: the file is truncated or corrupt"
        case .missingTensor(let path, let tensor):
            return "tensor \"\(tensor)\" is missing from \(path): the file is not the expected model"
        case .wrongDataType(let path, let tensor, let expected, let found):
            return "tensor \"\(tensor)\" in \(path) has data type \(found), expected \(expected)"
        case .wrongShape(let path, let tensor, let expected, let found):
            return "tensor \"\(tensor)\" in \(path) has shape \(found), expected \(expected)"
        case .misalignedTensor(let path, let tensor, let offset):
            return "tensor \"\(tensor)\" in \(path) starts at file offset \(offset), not aligned for its element type"
        case .badMagic(let path, let expected, let found):
            let shown = String(decoding: found.map { (32..<127).contains($0) ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
            return "model file \(path) does not start with \"\(expected)\" (found \"\(shown)\"): it is not the expected model file"
        case .unsupportedVersion(let path, let version, let supported):
            return "model file \(path) has format version \(version); only version \(supported) can be read"
        case .truncatedField(let path, let field, let offset, let size):
            return "model file \(path) is truncated: \(field) at byte \(offset) runs past its end (\(size) bytes): run tools/fetch-model again"
        case .malformedField(let path, let field, let offset, let reason):
            return "model file \(path) is malformed: \(field) at byte \(offset): \(reason)"
        case .invalidConfiguration(let path, let reason):
            return "invalid model configuration \(path): \(reason)"
        case .configurationMismatch(let path, let key, let expected, let found):
            return "model configuration \(path) has \(key) = \(found), expected \(expected): the folder holds a different model"
        }
    }
}
