import Foundation
import VectorMath

/// The zero-weight embedded default encoder: DSSM-style word hashing into a signed bag of features.
///
/// Text is normalized (Unicode NFKC, then lowercased) and split into features: for each
/// word, the whole word and its letter trigrams (`"#cat#"` → `#ca`, `cat`, `at#`); for each
/// run of CJK characters, character unigrams and bigrams. Every feature is hashed with a
/// fixed 64-bit hash (FNV-1a followed by the `fmix64` finalizer, never a per-process seed)
/// into one of `dimension` buckets with a sign taken from the hash's top bit, weighted by
/// `1 + ln(tf)` where `tf` counts the feature's occurrences in the text, and the vector is
/// L2-normalized. A text without features (empty, or only punctuation) is the zero vector.
///
/// The encoder is symmetric: `.query` and `.document` give the same vector. It needs no
/// model files, is deterministic bit for bit across processes and platforms, and encodes
/// large batches in parallel with results identical to encoding one text at a time.
public struct HashingEncoder: TextEncoder {
    /// The descriptor `kind` of this encoder family.
    public static let kind = "hashing"

    /// The algorithm version recorded in the descriptor; bumped whenever output could change.
    public static let version = "1"

    /// The smallest supported dimension.
    public static let minimumDimension = 2

    /// The largest supported dimension.
    public static let maximumDimension = 65_536

    /// The longest text accepted, in UTF-8 bytes.
    public static let maximumTextLength = 1_000_000

    /// A batch whose texts add up to at least this many UTF-8 bytes is encoded in parallel.
    static let parallelByteThreshold = 64 * 1024

    /// The length of every vector this encoder returns.
    public let dimension: Int

    /// Creates a hashing encoder producing `dimension`-long vectors (2 through 65,536).
    ///
    /// - Throws: ``EncoderError/invalidDimension(_:)`` when `dimension` is out of range.
    public init(dimension: Int = 256) throws {
        guard dimension >= HashingEncoder.minimumDimension, dimension <= HashingEncoder.maximumDimension else {
            throw EncoderError.invalidDimension(dimension)
        }
        self.dimension = dimension
    }

    /// Rebuilds the encoder a store recorded in `descriptor`.
    ///
    /// - Throws: ``EncoderError/kindMismatch(expected:found:)`` for another encoder family,
    ///   ``EncoderError/unsupportedVersion(kind:version:)`` for an unknown algorithm version,
    ///   ``EncoderError/invalidDimension(_:)`` for an out-of-range dimension, and
    ///   ``EncoderError/fingerprintMismatch(expected:found:)`` when the fingerprint disagrees.
    public init(descriptor: EncoderDescriptor) throws {
        guard descriptor.kind == HashingEncoder.kind else {
            throw EncoderError.kindMismatch(expected: HashingEncoder.kind, found: descriptor.kind)
        }
        let version = descriptor.parameters["version"]
        guard version == HashingEncoder.version else {
            throw EncoderError.unsupportedVersion(kind: HashingEncoder.kind, version: version)
        }
        try self.init(dimension: descriptor.dimension)
        let expected = fingerprint
        guard descriptor.fingerprint == expected else {
            throw EncoderError.fingerprintMismatch(expected: expected, found: descriptor.fingerprint)
        }
    }

    /// A stable string naming everything that determines the output, e.g. `"hashing-v1-d256-fnv1a64fmix"`.
    public var fingerprint: String {
        "\(HashingEncoder.kind)-v\(HashingEncoder.version)-d\(dimension)-fnv1a64fmix"
    }

    /// What a store records to recognise and rebuild this encoder.
    public var descriptor: EncoderDescriptor {
        EncoderDescriptor(
            kind: HashingEncoder.kind,
            dimension: dimension,
            parameters: ["version": HashingEncoder.version],
            fingerprint: fingerprint
        )
    }

    /// Encodes `texts`, returning one unit-length (or zero) vector of `dimension` floats per text, in order.
    ///
    /// `role` is ignored: the encoder is symmetric. Large batches are split into chunks
    /// encoded concurrently; the result is identical to encoding each text alone.
    ///
    /// - Throws: ``EncoderError/textTooLong(length:limit:)`` if any text exceeds
    ///   ``maximumTextLength`` UTF-8 bytes; nothing is encoded in that case.
    public func encode(_ texts: [String], role: EncodingRole) throws -> [[Float]] {
        var totalBytes = 0
        for text in texts {
            let length = text.utf8.count
            guard length <= HashingEncoder.maximumTextLength else {
                throw EncoderError.textTooLong(length: length, limit: HashingEncoder.maximumTextLength)
            }
            totalBytes += length
        }
        let workers = ProcessInfo.processInfo.activeProcessorCount
        guard texts.count > 1, workers > 1, totalBytes >= HashingEncoder.parallelByteThreshold else {
            var workspace = EncodingWorkspace()
            return texts.map { vector(for: $0, using: &workspace) }
        }
        // Several chunks per worker even out uneven text lengths.
        let chunkCount = Swift.min(texts.count, workers * 8)
        var vectors = [[Float]](repeating: [], count: texts.count)
        vectors.withUnsafeMutableBufferPointer { output in
            let destination = ChunkDestination(base: output.baseAddress)
            DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
                let lower = texts.count * chunk / chunkCount
                let upper = texts.count * (chunk + 1) / chunkCount
                var workspace = EncodingWorkspace()
                for index in lower..<upper {
                    destination.store(vector(for: texts[index], using: &workspace), at: index)
                }
            }
        }
        return vectors
    }

    /// Encodes one text with `workspace`'s reusable buffers.
    func vector(for text: String, using workspace: inout EncodingWorkspace) -> [Float] {
        workspace.extractor.extract(from: text)
        workspace.counter.count(workspace.extractor.hashes)
        var vector = [Float](repeating: 0, count: dimension)
        let buckets = UInt64(dimension)
        let counts = workspace.counter.counts
        vector.withUnsafeMutableBufferPointer { output in
            for (index, hash) in workspace.counter.distinct.enumerated() {
                let weight = TermWeight.weight(forCount: Int(counts[index]))
                let bucket = Int(hash % buckets)
                if hash >> 63 == 0 {
                    output[bucket] += weight
                } else {
                    output[bucket] -= weight
                }
            }
        }
        Kernels.normalize(&vector)
        return vector
    }
}
