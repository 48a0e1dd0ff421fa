import Foundation

/// The parameters a store's quantizer was trained with, stored as JSON under `pq/parameters`.
struct QuantizerRecord: Codable, Sendable, Equatable {
    /// Which training this is (1, 2, …); codes belong to the quantizer of the same generation.
    var generation: UInt64
    /// The vector dimension.
    var dimension: Int
    /// Bytes per code (sub-spaces).
    var m: Int
    /// Codes per `codes` chunk.
    var codeChunkCapacity: Int
    /// Vectors in the training sample.
    var trainingVectors: Int
    /// Lloyd iterations per sub-space.
    var iterations: Int
    /// The sample and k-means++ seed.
    var seed: UInt64
    /// Mean squared reconstruction error per vector over the training sample.
    var meanSquaredError: Double
    /// Mean squared norm of the training vectors (to put the error in proportion).
    var meanSquaredNorm: Double
    /// Wall time of sampling and k-means, in seconds.
    var trainingSeconds: Double
    /// Whether full vectors are kept after encoding.
    var keepsFullVectors: Bool

    func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(self))
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) throws -> QuantizerRecord {
        do {
            return try JSONDecoder().decode(QuantizerRecord.self, from: Data(bytes))
        } catch {
            throw QuantizationError.corruptQuantizer("pq/parameters is not a quantizer record: \(error)")
        }
    }
}

/// Where a store's quantizer stands, 16 bytes under `pq/state`, read by every PQ search and write.
struct QuantizerState: Equatable, Sendable {
    /// Training phases.
    enum Phase: UInt8 {
        /// Never trained.
        case untrained = 0
        /// Codebook stored; existing vectors are being encoded (new upserts are encoded already).
        case encoding = 1
        /// Every live vector has a code.
        case ready = 2
    }

    /// The generation of the stored codebook (0: none).
    var generation: UInt64
    /// Ids below this existed when training started and are encoded by the trainer's batches.
    var encodeLimit: UInt32
    var phase: Phase
    /// The full vectors were deleted (a compressed-only store).
    var fullVectorsDiscarded: Bool

    static let untrained = QuantizerState(generation: 0, encodeLimit: 0, phase: .untrained, fullVectorsDiscarded: false)

    var bytes: [UInt8] {
        var out = [UInt8]()
        withUnsafeBytes(of: generation.littleEndian) { out += $0 }
        withUnsafeBytes(of: encodeLimit.littleEndian) { out += $0 }
        out += [phase.rawValue, fullVectorsDiscarded ? 1 : 0, 0, 0]
        return out
    }

    init(generation: UInt64, encodeLimit: UInt32, phase: Phase, fullVectorsDiscarded: Bool) {
        self.generation = generation
        self.encodeLimit = encodeLimit
        self.phase = phase
        self.fullVectorsDiscarded = fullVectorsDiscarded
    }

    init(bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count == 16, let phase = Phase(rawValue: bytes[12]) else {
            throw QuantizationError.corruptQuantizer("pq/state is \(bytes.count) bytes or has an unknown phase")
        }
        generation = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        encodeLimit = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        self.phase = phase
        fullVectorsDiscarded = bytes[13] != 0
    }
}
