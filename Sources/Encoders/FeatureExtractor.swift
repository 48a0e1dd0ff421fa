/// Turns text into the 64-bit hashes of its word-hashing features, reusing its buffers across texts.
///
/// The text is first normalized (``TextNormalizer``: NFKC, then lowercased) and then read
/// as Unicode scalars:
/// - A maximal run of letters and digits (Unicode `Alphabetic` or any numeric type, with
///   combining marks kept inside the run) is a word `w`. It yields the feature `"w:" + w`
///   and the letter trigrams of `"#" + w + "#"`, taken over Unicode scalars ("cat" gives
///   `"#ca"`, `"cat"`, `"at#"`; the one-letter word "a" gives `"#a#"`).
/// - A maximal run of CJK characters (Han ideographs in all extension blocks, hiragana,
///   katakana, Hangul) yields each character and each pair of adjacent characters
///   ("上海市" gives 上, 海, 市, 上海, 海市).
/// - Anything else (whitespace, punctuation, symbols) separates tokens.
///
/// Each feature is hashed with ``FeatureHash`` over the UTF-8 bytes of the feature string
/// above, straight from the normalized text, without building a `String` per feature.
/// Features cannot collide by construction: word features contain `:`, trigrams are three
/// word scalars or `#`, and CJK features contain only CJK scalars.
struct FeatureExtractor {
    /// The UTF-8 bytes of the normalized text being tokenized.
    private var bytes: [UInt8] = []
    /// Byte offsets at which the scalars of the current token start.
    private var scalarStarts: [Int] = []
    /// The hashes of the features of the last text, one per occurrence, in text order.
    private(set) var hashes: [UInt64] = []

    /// Creates an extractor with empty buffers.
    init() {}

    /// Replaces ``hashes`` with the feature hashes of `text`.
    mutating func extract(from text: String) {
        TextNormalizer.normalizedUTF8(of: text, into: &bytes)
        hashes.removeAll(keepingCapacity: true)
        bytes.withUnsafeBufferPointer { buffer in
            FeatureExtractor.tokenize(buffer, scalarStarts: &scalarStarts, hashes: &hashes)
        }
    }

    /// What kind of token the tokenizer is inside of.
    private enum TokenKind {
        case none
        case word
        case cjk
    }

    /// Appends the feature hashes of the valid UTF-8 text in `buffer` to `hashes`.
    private static func tokenize(
        _ buffer: UnsafeBufferPointer<UInt8>,
        scalarStarts: inout [Int],
        hashes: inout [UInt64]
    ) {
        var current = TokenKind.none
        scalarStarts.removeAll(keepingCapacity: true)
        var index = 0
        while index < buffer.count {
            let (value, length) = decodeScalar(buffer, at: index)
            switch ScalarCategory(value) {
            case .wordCharacter:
                if current == .cjk {
                    emitCJK(buffer, scalarStarts: &scalarStarts, end: index, hashes: &hashes)
                    current = .none
                }
                current = .word
                scalarStarts.append(index)
            case .mark where current == .word:
                scalarStarts.append(index)
            case .cjk:
                if current == .word {
                    emitWord(buffer, scalarStarts: &scalarStarts, end: index, hashes: &hashes)
                }
                current = .cjk
                scalarStarts.append(index)
            case .mark, .separator:
                flush(current, buffer, scalarStarts: &scalarStarts, end: index, hashes: &hashes)
                current = .none
            }
            index &+= length
        }
        flush(current, buffer, scalarStarts: &scalarStarts, end: buffer.count, hashes: &hashes)
    }

    /// Emits the features of the open token, if any, ending at byte offset `end`.
    private static func flush(
        _ kind: TokenKind,
        _ buffer: UnsafeBufferPointer<UInt8>,
        scalarStarts: inout [Int],
        end: Int,
        hashes: inout [UInt64]
    ) {
        switch kind {
        case .none:
            break
        case .word:
            emitWord(buffer, scalarStarts: &scalarStarts, end: end, hashes: &hashes)
        case .cjk:
            emitCJK(buffer, scalarStarts: &scalarStarts, end: end, hashes: &hashes)
        }
    }

    /// Emits `"w:" + word` and the trigrams of `"#" + word + "#"`, then clears `scalarStarts`.
    private static func emitWord(
        _ buffer: UnsafeBufferPointer<UInt8>,
        scalarStarts: inout [Int],
        end: Int,
        hashes: inout [UInt64]
    ) {
        let count = scalarStarts.count
        guard count > 0 else { return }
        let boundary = UInt8(ascii: "#")
        scalarStarts.append(end)
        scalarStarts.withUnsafeBufferPointer { starts in
            var whole = FeatureHash()
            whole.combine(UInt8(ascii: "w"))
            whole.combine(UInt8(ascii: ":"))
            whole.combine(buffer, starts[0]..<end)
            hashes.append(whole.finalized())
            // Trigram j covers padded positions j, j + 1, j + 2 of "#" + word + "#".
            for j in 0..<count {
                var trigram = FeatureHash()
                if j == 0 { trigram.combine(boundary) }
                let lower = j == 0 ? starts[0] : starts[j &- 1]
                let upper = starts[Swift.min(j &+ 2, count)]
                trigram.combine(buffer, lower..<upper)
                if j &+ 1 == count { trigram.combine(boundary) }
                hashes.append(trigram.finalized())
            }
        }
        scalarStarts.removeAll(keepingCapacity: true)
    }

    /// Emits each CJK character and each adjacent pair, then clears `scalarStarts`.
    private static func emitCJK(
        _ buffer: UnsafeBufferPointer<UInt8>,
        scalarStarts: inout [Int],
        end: Int,
        hashes: inout [UInt64]
    ) {
        let count = scalarStarts.count
        guard count > 0 else { return }
        scalarStarts.append(end)
        scalarStarts.withUnsafeBufferPointer { starts in
            for k in 0..<count {
                var unigram = FeatureHash()
                unigram.combine(buffer, starts[k]..<starts[k &+ 1])
                hashes.append(unigram.finalized())
            }
            for k in 0..<(count &- 1) {
                var bigram = FeatureHash()
                bigram.combine(buffer, starts[k]..<starts[k &+ 2])
                hashes.append(bigram.finalized())
            }
        }
        scalarStarts.removeAll(keepingCapacity: true)
    }

    /// Decodes the scalar starting at `index` of valid UTF-8, returning its value and byte length.
    @inline(__always)
    private static func decodeScalar(_ buffer: UnsafeBufferPointer<UInt8>, at index: Int) -> (UInt32, Int) {
        let lead = UInt32(buffer[index])
        if lead < 0x80 {
            return (lead, 1)
        }
        if lead < 0xE0 {
            return (((lead & 0x1F) << 6) | continuation(buffer, index &+ 1), 2)
        }
        if lead < 0xF0 {
            let value = ((lead & 0x0F) << 12)
                | (continuation(buffer, index &+ 1) << 6)
                | continuation(buffer, index &+ 2)
            return (value, 3)
        }
        let value = ((lead & 0x07) << 18)
            | (continuation(buffer, index &+ 1) << 12)
            | (continuation(buffer, index &+ 2) << 6)
            | continuation(buffer, index &+ 3)
        return (value, 4)
    }

    /// The six payload bits of the continuation byte at `index`.
    @inline(__always)
    private static func continuation(_ buffer: UnsafeBufferPointer<UInt8>, _ index: Int) -> UInt32 {
        UInt32(buffer[index]) & 0x3F
    }
}
