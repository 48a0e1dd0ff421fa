import Foundation

/// A cheap digest identifying a model's weights and vocabulary, computed at load time.
///
/// Hashing all of the 90 MB `model.safetensors` would cost 0.6 s in a release build (about
/// 40 s in a debug build) on every load, so the digest is SHA-256 over a sample that any
/// different model changes:
/// - the safetensors file size and its whole JSON header (every tensor's name, type, shape
///   and offsets);
/// - the first and last 4 KiB of every tensor's data (fine-tuning changes every tensor);
/// - 4 KiB at every 1 MiB step through the data section;
/// - all of `vocab.txt`.
///
/// About 1.4 MB is hashed (under 10 ms in a release build). That tells models apart, since
/// training or fine-tuning changes every tensor and so its sampled bytes; it is not a tamper
/// check (an edit between samples goes unnoticed): that is the full SHA-256 that
/// `tools/fetch-model` verifies when it installs the files.
enum ModelFingerprint {
    /// The bytes sampled at each place.
    static let sampleSize = 4096
    /// The distance between strided samples of the data section.
    static let stride = 1 << 20

    /// The digest of `weights` and `vocabulary`, as 64 hexadecimal digits.
    static func digest(weights: SafeTensorsFile, vocabulary: Data) -> String {
        var hash = SHA256()
        hash.update(Array("quiver-model-fingerprint-v1".utf8))
        hash.update(weights.mapping.count)
        hash.update(weights.headerJSON.count)
        hash.update(weights.headerJSON)
        for (name, entry) in weights.entries.sorted(by: { $0.key < $1.key }) {
            hash.update(Array(name.utf8))
            let range = entry.byteRange
            let head = range.lowerBound..<Swift.min(range.upperBound, range.lowerBound + sampleSize)
            let tail = Swift.max(range.lowerBound, range.upperBound - sampleSize)..<range.upperBound
            hash.update(weights.mapping.bytes(head))
            hash.update(weights.mapping.bytes(tail))
        }
        var offset = weights.dataOffset
        while offset < weights.mapping.count {
            hash.update(weights.mapping.bytes(offset..<Swift.min(weights.mapping.count, offset + sampleSize)))
            offset += stride
        }
        hash.update(vocabulary.count)
        vocabulary.withUnsafeBytes { hash.update($0) }
        return hash.hexDigest()
    }

    /// The digest of an `E5S1` model file: its size, header and special ids, its whole
    /// normalisation table and tensor directory, the first and last 4 KiB of every tensor's
    /// data, and 4 KiB at every 1 MiB step through the file (which also samples the pieces
    /// and their scores). About 0.5 MB is hashed.
    static func digest(e5File file: E5ModelFile) -> String {
        let mapping = file.mapping
        var hash = SHA256()
        hash.update(Array("quiver-e5-fingerprint-v1".utf8))
        hash.update(mapping.count)
        hash.update(mapping.bytes(0..<file.headerEnd))
        hash.update(mapping.bytes(file.tablesRange))
        for (name, entry) in file.tensors.sorted(by: { $0.key < $1.key }) {
            hash.update(Array(name.utf8))
            let range = entry.offset..<entry.offset + entry.byteCount
            hash.update(mapping.bytes(range.lowerBound..<Swift.min(range.upperBound, range.lowerBound + sampleSize)))
            hash.update(mapping.bytes(Swift.max(range.lowerBound, range.upperBound - sampleSize)..<range.upperBound))
        }
        var offset = 0
        while offset < mapping.count {
            hash.update(mapping.bytes(offset..<Swift.min(mapping.count, offset + sampleSize)))
            offset += stride
        }
        return hash.hexDigest()
    }
}
