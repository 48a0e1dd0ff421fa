/// The general-category questions BERT normalization asks, answered as the Hugging Face
/// tokenizer answers them.
///
/// The Hugging Face `tokenizers` library takes "is this a control/format/private-use
/// character", "a nonspacing mark" and "punctuation" from the `unicode_categories` crate,
/// whose tables are Unicode 8.0. So a scalar assigned after Unicode 8.0 counts as none of
/// these (it is kept, not stripped, and not split off), and a scalar whose category changed
/// since then keeps its Unicode 8.0 category. This type reproduces that from the standard
/// library's current Unicode data: a scalar's current category if its age is 8.0 or less,
/// corrected for the few scalars whose category changed since.
enum BertUnicodeCategories {
    /// Whether accent stripping deletes `scalar`: a nonspacing mark (Mn) in Unicode 8.0.
    @inline(__always)
    static func isNonspacingMark(_ scalar: Unicode.Scalar) -> Bool {
        category(of: scalar) == .nonspacingMark
    }

    /// `scalar`'s general category in Unicode 8.0 as far as these tests go: `.unassigned` for
    /// a scalar assigned later, and possibly the current category for a scalar whose
    /// category changed between others than Cc, Cf, Co, Mn and P*.
    @inline(__always)
    static func category(of scalar: Unicode.Scalar) -> Unicode.GeneralCategory {
        if let changed = unicode8CategoryOfChangedScalar(scalar.value) {
            return changed
        }
        let properties = scalar.properties
        let current = properties.generalCategory
        switch current {
        case .control, .format, .privateUse, .nonspacingMark,
             .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            guard let age = properties.age, age.major < 8 || (age.major == 8 && age.minor == 0) else {
                return .unassigned
            }
            return current
        default:
            return current
        }
    }

    /// The Unicode 8.0 category of the scalars whose category has changed since into or out
    /// of Cc, Cf, Co, Mn or P* (found by comparing every code point with the Hugging Face
    /// tokenizer, `tokenizers` 0.23.3), or `nil` for every other scalar.
    @inline(__always)
    private static func unicode8CategoryOfChangedScalar(_ value: UInt32) -> Unicode.GeneralCategory? {
        switch value {
        case 0x166D:            // CANADIAN SYLLABICS CHI SIGN, now So
            return .otherPunctuation
        case 0x1734:            // HANUNOO SIGN PAMUDPOD, now Mc
            return .nonspacingMark
        case 0x1885, 0x1886:    // MONGOLIAN LETTER ALI GALI BALUDA, THREE BALUDA, now Mn
            return .otherLetter
        case 0xA9BD:            // JAVANESE CONSONANT SIGN KERET, now Mn
            return .spacingMark
        case 0x111C9:           // SHARADA SANDHI MARK, now Mn
            return .otherPunctuation
        case 0x1171E:           // AHOM CONSONANT SIGN MEDIAL RA, now Mc
            return .nonspacingMark
        default:
            return nil
        }
    }
}
