import Foundation

/// The accent-stripping and lowercasing half of BERT's normalizer, applied to a run of
/// non-ASCII scalars that cleaning kept (the cleaning and the spacing of CJK ideographs are
/// done while scanning the raw text; see `BertPreTokenizer`).
///
/// With `lowercases` on (an uncased model) it mirrors the Hugging Face `BertNormalizer` with
/// `lowercase: true, strip_accents: null`: canonical decomposition (NFD, including Hangul
/// syllables to conjoining jamo and canonical reordering), then deletion of nonspacing marks
/// (Mn, as in `BertUnicodeCategories`), then each scalar's full lowercase mapping on its own (no context: final capital
/// sigma becomes σ, not ς). With it off (a cased model) the scalars pass unchanged.
///
/// NFD can be applied run by run because every scalar that ends a run (ASCII, whitespace, a
/// CJK ideograph) is a starter that canonical decomposition and reordering never move.
struct BertNormalizer: Sendable {
    /// Whether to strip accents and lowercase.
    let lowercases: Bool

    /// Appends the normalized form of `run` to `output`.
    func normalize(_ run: [Unicode.Scalar], into output: inout [Unicode.Scalar]) {
        guard lowercases else {
            output.append(contentsOf: run)
            return
        }
        if run.allSatisfy({ BertCharacterClass.isDecompositionInvariantIdeograph($0.value) }) {
            output.append(contentsOf: run)
            return
        }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: run)
        let decomposed = String(scalars).decomposedStringWithCanonicalMapping
        for scalar in decomposed.unicodeScalars {
            BertNormalizer.appendLowercaseUnlessNonspacingMark(scalar, to: &output)
        }
    }

    /// Appends `scalar`'s full lowercase mapping to `output`, or nothing if it is a nonspacing mark.
    @inline(__always)
    private static func appendLowercaseUnlessNonspacingMark(_ scalar: Unicode.Scalar, to output: inout [Unicode.Scalar]) {
        let value = scalar.value
        if value < 0x80 {
            output.append(value >= 0x41 && value <= 0x5A ? Unicode.Scalar(UInt8(value) | 0x20) : scalar)
            return
        }
        if BertUnicodeCategories.isNonspacingMark(scalar) {
            return
        }
        let properties = scalar.properties
        if properties.changesWhenLowercased {
            output.append(contentsOf: properties.lowercaseMapping.unicodeScalars)
        } else {
            output.append(scalar)
        }
    }
}
