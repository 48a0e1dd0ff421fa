/// A SentencePiece vocabulary as stored in a model file: the pieces' UTF-8 bytes, their
/// scores (log-probabilities) and the special-token ids, viewed in place in the memory mapping.
///
/// `@unchecked Sendable` is sound because every pointer refers to the read-only mapping
/// `owner`, which this value keeps alive.
struct PieceVocabulary: @unchecked Sendable {
    /// The mapping holding the arrays.
    let owner: MappedFile
    /// The number of pieces; ids are `0..<count`.
    let count: Int
    /// The beginning-of-sequence id (`<s>`).
    let bos: Int32
    /// The end-of-sequence id (`</s>`).
    let eos: Int32
    /// The padding id (`<pad>`).
    let pad: Int32
    /// The unknown-piece id (`<unk>`).
    let unk: Int32
    /// `count + 1` little-endian UInt32 offsets into `blob`.
    private let offsets: UnsafeRawPointer
    /// `count` little-endian float32 scores.
    private let scores: UnsafeRawPointer
    /// The pieces' UTF-8 bytes, concatenated.
    private let blob: UnsafeRawPointer

    /// Reads the tokenizer section's vocabulary part at `reader`'s offset, leaving the reader after it.
    ///
    /// - Parameter rows: The word-embedding table's row count; every piece id must be below it.
    /// - Throws: ``ModelFileError/truncatedField(path:field:offset:size:)`` or
    ///   ``ModelFileError/malformedField(path:field:offset:reason:)`` naming the field.
    init(reading reader: inout ModelFileReader, rows: Int) throws {
        owner = reader.file
        count = try reader.readCount("piece count", in: 1...rows)
        bos = Int32(try reader.readCount("<s> id", in: 0...count - 1))
        eos = Int32(try reader.readCount("</s> id", in: 0...count - 1))
        pad = Int32(try reader.readCount("<pad> id", in: 0...count - 1))
        unk = Int32(try reader.readCount("<unk> id", in: 0...count - 1))
        let blobLengthOffset = reader.offset
        let blobLength = try reader.read(UInt64.self, "piece blob length")
        guard blobLength <= UInt64(reader.file.count) else {
            throw reader.malformed("piece blob length", at: blobLengthOffset, "\(blobLength) bytes is more than the whole file")
        }
        let offsetsStart = try reader.skip(4 * (count + 1), "piece offsets")
        let scoresStart = try reader.skip(4 * count, "piece scores")
        let blobStart = try reader.skip(Int(blobLength), "piece bytes")
        let base = reader.file.base
        offsets = base + offsetsStart
        scores = base + scoresStart
        blob = base + blobStart

        var previous: UInt32 = 0
        for index in 0...count {
            let offset = UInt32(littleEndian: offsets.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self))
            guard offset >= previous, UInt64(offset) <= blobLength, index > 0 || offset == 0 else {
                throw reader.malformed("piece offsets", at: offsetsStart + 4 * index, "offset \(offset) of piece \(index) is not between \(previous) and the blob length \(blobLength)")
            }
            previous = offset
        }
        guard UInt64(previous) == blobLength else {
            throw reader.malformed("piece offsets", at: offsetsStart + 4 * count, "the last offset \(previous) is not the blob length \(blobLength)")
        }
        for index in 0..<count where !score(Int32(index)).isFinite {
            throw reader.malformed("piece scores", at: scoresStart + 4 * index, "the score of piece \(index) is not a finite number")
        }
    }

    /// The UTF-8 bytes of piece `id`.
    @inline(__always)
    func bytes(_ id: Int32) -> UnsafeRawBufferPointer {
        let start = Int(UInt32(littleEndian: offsets.loadUnaligned(fromByteOffset: 4 * Int(id), as: UInt32.self)))
        let end = Int(UInt32(littleEndian: offsets.loadUnaligned(fromByteOffset: 4 * Int(id) + 4, as: UInt32.self)))
        return UnsafeRawBufferPointer(start: blob + start, count: end - start)
    }

    /// The score (log-probability) of piece `id`.
    @inline(__always)
    func score(_ id: Int32) -> Float {
        Float(bitPattern: UInt32(littleEndian: scores.loadUnaligned(fromByteOffset: 4 * Int(id), as: UInt32.self)))
    }
}
