import Foundation

/// Brings text to the form the hashing encoder tokenizes: Unicode NFKC, then lowercased.
///
/// NFKC folds compatibility variants ("ＡＢＣ１" → "ABC1", "ﬁ" → "fi", "x²" → "x2",
/// half-width katakana → full-width); `String.lowercased()` then applies Unicode's full
/// lowercase mapping. Pure-ASCII text, which NFKC leaves unchanged, takes a fast path that
/// lowercases the bytes directly and gives exactly the same result.
enum TextNormalizer {
    /// Replaces the contents of `buffer` with the UTF-8 bytes of the normalized form of `text`.
    static func normalizedUTF8(of text: String, into buffer: inout [UInt8]) {
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: text.utf8)
        let isASCII = buffer.withUnsafeMutableBufferPointer { bytes -> Bool in
            var allASCII = true
            for index in bytes.indices {
                let byte = bytes[index]
                if byte >= 0x80 {
                    allASCII = false
                    break
                }
                if byte >= 0x41 && byte <= 0x5A {
                    bytes[index] = byte | 0x20
                }
            }
            return allASCII
        }
        guard !isASCII else { return }
        let normalized = text.precomposedStringWithCompatibilityMapping.lowercased()
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: normalized.utf8)
    }
}
