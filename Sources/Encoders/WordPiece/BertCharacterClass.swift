/// How BERT's normalizer and pre-tokenizer treat one Unicode scalar, mirroring the Hugging Face
/// `BertNormalizer` (clean text, Chinese characters) and `BertPreTokenizer`.
enum BertCharacterClass: UInt8 {
    /// Deleted by cleaning without leaving a break: NUL, U+FFFD, and the control (Cc), format
    /// (Cf) and private-use (Co) characters except `\t \n \r` (categories as in
    /// `BertUnicodeCategories`; unassigned code points are kept).
    case removed
    /// Separates words and is dropped: `\t \n \r` and the Unicode White_Space characters that
    /// survive cleaning (Zs, U+2028, U+2029).
    case whitespace
    /// Becomes a word of its own: ASCII printables that are not letters or digits, and every
    /// Unicode punctuation character (general category P*, as in `BertUnicodeCategories`).
    case punctuation
    /// A CJK ideograph, which the normalizer surrounds with spaces so it becomes its own word.
    case ideograph
    /// Anything else: part of a word.
    case other

    /// Classifies `scalar`. The pre-tokenizer asks this of raw scalars (for cleaning,
    /// whitespace and ideographs, which come before normalization) and again of normalized
    /// ones (for whitespace and punctuation, which the Hugging Face pre-tokenizer decides after it).
    @inline(__always)
    init(_ scalar: Unicode.Scalar) {
        let value = scalar.value
        if value < 0x80 {
            self = BertCharacterClass.asciiClasses[Int(value)]
        } else {
            self = BertCharacterClass(nonASCII: scalar)
        }
    }

    /// Classifies a scalar at or above U+0080.
    private init(nonASCII scalar: Unicode.Scalar) {
        if scalar.value == 0xFFFD {
            self = .removed
            return
        }
        if BertCharacterClass.isChineseIdeograph(scalar.value) {
            self = .ideograph
            return
        }
        switch BertUnicodeCategories.category(of: scalar) {
        case .control, .format, .privateUse:
            self = .removed
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            self = .punctuation
        default:
            self = scalar.properties.isWhitespace ? .whitespace : .other
        }
    }

    /// The classes of the 128 ASCII scalars.
    static let asciiClasses: [BertCharacterClass] = (0..<128).map { value -> BertCharacterClass in
        switch value {
        case 0x09, 0x0A, 0x0D, 0x20:
            return .whitespace
        case 0x00...0x1F, 0x7F:
            return .removed
        case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E:
            return .punctuation
        default:
            return .other
        }
    }

    /// Whether `value` is in the CJK ideograph blocks the Hugging Face `BertNormalizer` spaces
    /// out: CJK Unified Ideographs and Extensions A–F, and the CJK Compatibility Ideographs
    /// (and their supplement).
    ///
    /// The ranges are copied from the Hugging Face implementation (`is_chinese_char` in
    /// `tokenizers/src/normalizers/bert.rs`), including its start of the Extension E range at
    /// U+2B920 where Google's original BERT code has U+2B820: U+2B820–U+2B91F are ordinary
    /// letters here, as they are in the tokenizer the model ships with. Kana, Hangul, CJK
    /// punctuation and fullwidth forms are not in these ranges.
    @inline(__always)
    static func isChineseIdeograph(_ value: UInt32) -> Bool {
        switch value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    /// Whether `value` is a CJK ideograph that canonical decomposition leaves unchanged (the
    /// unified ideographs; the compatibility ideographs decompose to them).
    @inline(__always)
    static func isDecompositionInvariantIdeograph(_ value: UInt32) -> Bool {
        isChineseIdeograph(value) && !(0xF900...0xFAFF).contains(value) && !(0x2F800...0x2FA1F).contains(value)
    }
}
