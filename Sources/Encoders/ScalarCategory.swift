/// How the hashing tokenizer treats one Unicode scalar of normalized text.
enum ScalarCategory {
    /// A letter or digit: part of a word.
    case wordCharacter
    /// A combining mark: continues a word it follows, otherwise separates.
    case mark
    /// A CJK character (Han, kana, Hangul): becomes unigrams and bigrams, never part of a word.
    case cjk
    /// Whitespace, punctuation, symbols and everything else: ends the current token.
    case separator

    /// Classifies the scalar with value `value` (a valid Unicode scalar value).
    @inline(__always)
    init(_ value: UInt32) {
        if value < 0x80 {
            // ASCII: only letters and digits build words.
            let lower = value | 0x20
            if (lower >= 0x61 && lower <= 0x7A) || (value >= 0x30 && value <= 0x39) {
                self = .wordCharacter
            } else {
                self = .separator
            }
            return
        }
        self = ScalarCategory(nonASCII: value)
    }

    /// Classifies a non-ASCII scalar value using Unicode properties.
    private init(nonASCII value: UInt32) {
        if ScalarCategory.isCJK(value) {
            self = .cjk
            return
        }
        guard let scalar = Unicode.Scalar(value) else {
            self = .separator
            return
        }
        let properties = scalar.properties
        if properties.isAlphabetic || properties.numericType != nil {
            self = .wordCharacter
            return
        }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark:
            self = .mark
        default:
            self = .separator
        }
    }

    /// Whether `value` is a Han ideograph (all extension blocks), a kana, or a Hangul syllable or jamo.
    static func isCJK(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x11FF,    // Hangul Jamo
             0x2E80...0x2FDF,    // CJK Radicals Supplement, Kangxi Radicals
             0x3005...0x3007,    // Ideographic iteration mark, closing mark, number zero
             0x3021...0x3029,    // Hangzhou numerals
             0x3031...0x3035,    // Kana repeat marks
             0x3038...0x303C,    // Hangzhou numerals ten to thirty, masu mark
             0x3041...0x3096,    // Hiragana letters
             0x3099...0x309F,    // Kana voicing marks, hiragana iteration marks, yori
             0x30A1...0x30FA,    // Katakana letters
             0x30FC...0x30FF,    // Prolonged sound mark, katakana iteration marks, koto
             0x3131...0x318E,    // Hangul Compatibility Jamo
             0x31F0...0x31FF,    // Katakana Phonetic Extensions
             0x3400...0x4DBF,    // CJK Unified Ideographs Extension A
             0x4E00...0x9FFF,    // CJK Unified Ideographs
             0xA960...0xA97F,    // Hangul Jamo Extended-A
             0xAC00...0xD7A3,    // Hangul Syllables
             0xD7B0...0xD7FF,    // Hangul Jamo Extended-B
             0xF900...0xFAFF,    // CJK Compatibility Ideographs
             0xFF66...0xFF9F,    // Halfwidth katakana
             0xFFA0...0xFFDC,    // Halfwidth Hangul
             0x1AFF0...0x1B16F,  // Kana Extended-A/B, Kana Supplement, Small Kana Extension
             0x20000...0x3FFFF:  // CJK Unified Ideographs Extensions B and later, Compatibility Supplement
            return true
        default:
            return false
        }
    }
}
