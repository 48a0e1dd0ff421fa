/// One item the pre-tokenizer hands on: a normalized word, or a literal special token.
enum BertPreToken {
    /// A word's normalized UTF-8 bytes (valid only during the call) and its length in scalars.
    case word(UnsafeRawBufferPointer, scalarCount: Int)
    /// A special token written literally in the raw text, by id.
    case special(Int32)
}

/// Turns raw text into BERT words in one pass: literal special tokens, cleaning, CJK spacing,
/// accent stripping and lowercasing (`BertNormalizer`), then the `BertPreTokenizer` split on
/// whitespace and around punctuation — the Hugging Face pipeline, fused.
///
/// ASCII takes a fast path (its only change is A–Z lowercasing). Non-ASCII scalars that
/// cleaning keeps are gathered into runs between ASCII, whitespace and ideographs, and each
/// run is normalized as a whole, so combining marks are decomposed and reordered exactly as
/// in full-text normalization. Whitespace and punctuation are decided on the normalized
/// scalars, as the Hugging Face pre-tokenizer sees them (U+037E GREEK QUESTION MARK, for one,
/// decomposes to `;`).
struct BertPreTokenizer: Sendable {
    /// Accent stripping and lowercasing for the non-ASCII runs.
    let normalizer: BertNormalizer
    /// The literal special tokens to find in the raw text.
    let specialTokens: SpecialTokenMatcher

    /// Calls `body` with each word and literal special token of `text` in order, until `body`
    /// returns `false` or the text ends.
    func forEachToken(in text: String, _ body: (BertPreToken) -> Bool) {
        var text = text
        text.withUTF8 { bytes in
            var state = ScanState(normalizer: normalizer)
            var offset = 0
            while offset < bytes.count && !state.isStopped {
                let byte = bytes[offset]
                if specialTokens.mayStart(with: byte), let match = specialTokens.match(in: bytes, at: offset) {
                    state.flushRun(body)
                    state.emitWord(body)
                    state.emitSpecial(match.id, body)
                    offset += match.length
                    continue
                }
                if byte < 0x80 {
                    offset += 1
                    switch BertCharacterClass.asciiClasses[Int(byte)] {
                    case .removed:
                        continue
                    case .whitespace:
                        state.flushRun(body)
                        state.emitWord(body)
                    case .punctuation:
                        state.flushRun(body)
                        state.emitWord(body)
                        state.appendASCII(byte)
                        state.emitWord(body)
                    case .ideograph, .other:
                        state.flushRun(body)
                        state.appendASCII(normalizer.lowercases && byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
                    }
                } else {
                    let (scalar, length) = BertPreTokenizer.decodeScalar(in: bytes, at: offset)
                    offset += length
                    switch BertCharacterClass(scalar) {
                    case .removed:
                        continue
                    case .whitespace:
                        state.flushRun(body)
                        state.emitWord(body)
                    case .ideograph:
                        state.flushRun(body)
                        state.emitWord(body)
                        state.run.append(scalar)
                        state.flushRun(body)
                        state.emitWord(body)
                    case .punctuation, .other:
                        state.run.append(scalar)
                    }
                }
            }
            state.flushRun(body)
            state.emitWord(body)
        }
    }

    /// Decodes the multi-byte scalar starting at `offset` of valid UTF-8 `bytes`.
    @inline(__always)
    private static func decodeScalar(in bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> (Unicode.Scalar, Int) {
        let lead = UInt32(bytes[offset])
        let value: UInt32
        let length: Int
        if lead < 0xE0 {
            value = (lead & 0x1F) << 6 | UInt32(bytes[offset + 1] & 0x3F)
            length = 2
        } else if lead < 0xF0 {
            value = (lead & 0x0F) << 12 | UInt32(bytes[offset + 1] & 0x3F) << 6 | UInt32(bytes[offset + 2] & 0x3F)
            length = 3
        } else {
            value = (lead & 0x07) << 18 | UInt32(bytes[offset + 1] & 0x3F) << 12
                | UInt32(bytes[offset + 2] & 0x3F) << 6 | UInt32(bytes[offset + 3] & 0x3F)
            length = 4
        }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
    }
}

/// The buffers of one pre-tokenizer pass: the word being built and the pending non-ASCII run.
private struct ScanState {
    /// Accent stripping and lowercasing for the runs.
    let normalizer: BertNormalizer
    /// The current word's normalized UTF-8 bytes.
    var word: [UInt8] = []
    /// The current word's length in scalars.
    var wordScalarCount = 0
    /// Kept non-ASCII scalars not yet normalized.
    var run: [Unicode.Scalar] = []
    /// Scratch space for a normalized run.
    var normalizedRun: [Unicode.Scalar] = []
    /// Whether the consumer asked to stop.
    private(set) var isStopped = false

    init(normalizer: BertNormalizer) {
        self.normalizer = normalizer
        word.reserveCapacity(64)
    }

    /// Appends one ASCII byte to the current word.
    @inline(__always)
    mutating func appendASCII(_ byte: UInt8) {
        word.append(byte)
        wordScalarCount += 1
    }

    /// Appends `scalar`'s UTF-8 bytes to the current word.
    @inline(__always)
    mutating func append(_ scalar: Unicode.Scalar) {
        if scalar.value < 0x80 {
            word.append(UInt8(truncatingIfNeeded: scalar.value))
        } else {
            UTF8.encode(scalar) { word.append($0) }
        }
        wordScalarCount += 1
    }

    /// Hands the current word, if any, to `body` and starts a new one.
    @inline(__always)
    mutating func emitWord(_ body: (BertPreToken) -> Bool) {
        guard !word.isEmpty else { return }
        if !isStopped {
            let count = wordScalarCount
            isStopped = !word.withUnsafeBytes { body(.word($0, scalarCount: count)) }
        }
        word.removeAll(keepingCapacity: true)
        wordScalarCount = 0
    }

    /// Hands a literal special token to `body`.
    mutating func emitSpecial(_ id: Int32, _ body: (BertPreToken) -> Bool) {
        if !isStopped {
            isStopped = !body(.special(id))
        }
    }

    /// Normalizes the pending run and splits it into the current word and new words.
    @inline(__always)
    mutating func flushRun(_ body: (BertPreToken) -> Bool) {
        guard !run.isEmpty else { return }
        flushNonEmptyRun(body)
    }

    /// `flushRun` for a run known to be non-empty.
    private mutating func flushNonEmptyRun(_ body: (BertPreToken) -> Bool) {
        normalizedRun.removeAll(keepingCapacity: true)
        normalizer.normalize(run, into: &normalizedRun)
        run.removeAll(keepingCapacity: true)
        for scalar in normalizedRun {
            switch BertCharacterClass(scalar) {
            case .whitespace:
                emitWord(body)
            case .punctuation:
                emitWord(body)
                append(scalar)
                emitWord(body)
            case .removed, .ideograph, .other:
                // Cleaning and CJK spacing come before normalization: nothing normalization
                // produces is removed or spaced out.
                append(scalar)
            }
        }
    }
}
