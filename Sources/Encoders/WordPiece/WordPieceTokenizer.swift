import Foundation

/// The BERT WordPiece tokenizer, identical to the Hugging Face fast tokenizer of uncased BERT
/// models such as sentence-transformers all-MiniLM-L6-v2 (`BertNormalizer`,
/// `BertPreTokenizer`, `WordPiece`, then truncation and `[CLS] … [SEP]`).
///
/// The steps, all on Unicode scalars:
/// 1. Literal special tokens (`[PAD] [UNK] [CLS] [SEP] [MASK]`, case-sensitive, anywhere in
///    the raw text) give their own ids and separate words.
/// 2. Cleaning deletes NUL, U+FFFD and control, format and private-use characters other than
///    `\t \n \r`, gluing their neighbours together.
/// 3. Whitespace (`\t \n \r`, Zs, U+2028, U+2029) separates words; each CJK ideograph is a
///    word of its own.
/// 4. With `lowercases` (uncased models): NFD, deletion of nonspacing marks (é → e), then each
///    scalar's full lowercase mapping without context (ΟΔΟΣ → οδοσ).
/// 5. Punctuation (ASCII non-alphanumeric printables and Unicode P*) becomes one-scalar words;
///    symbols (°, €, emoji) stay inside words.
/// 6. Each word is split greedily, longest match first, into a piece and `##` continuations;
///    a word with an unmatchable position, or longer than 100 scalars, is one `[UNK]`.
/// 7. The first `maximumLength - 2` pieces are kept (possibly cutting a word's pieces) and
///    wrapped in `[CLS]` and `[SEP]`.
///
/// Where the Hugging Face implementation has quirks, they are reproduced: the general
/// categories of steps 2, 4 and 5 are those of Unicode 8.0 (`BertUnicodeCategories`), so
/// unassigned and newer characters are kept whole; the ideograph ranges of step 3 are its
/// own (`BertCharacterClass.isChineseIdeograph`). The result was compared with `tokenizers`
/// 0.23.3 on every code point and on random and long texts, with no difference.
///
/// Scanning stops as soon as enough pieces are known, so a long document costs no more than
/// its first `maximumLength` pieces. The tokenizer is immutable and safe to share.
public struct WordPieceTokenizer: Sendable {
    /// The longest word, in Unicode scalars, that is split into pieces rather than replaced
    /// by `[UNK]` (the Hugging Face `max_input_chars_per_word`).
    public static let maximumScalarsPerWord = 100

    /// The vocabulary the pieces come from.
    public let vocabulary: WordPieceVocabulary
    /// The most ids `tokenize` returns, `[CLS]` and `[SEP]` included (at least 2).
    public let maximumLength: Int
    /// Whether text is accent-stripped and lowercased (`true` for uncased models).
    public let lowercases: Bool

    /// Pre-tokenization: special tokens, cleaning, normalization, splitting into words.
    private let preTokenizer: BertPreTokenizer
    /// Splitting words into pieces.
    private let model: WordPieceModel

    /// A tokenizer reading its vocabulary from a `vocab.txt` file.
    ///
    /// - Parameters:
    ///   - vocabularyURL: The `vocab.txt`: one token per line, the line number being the id.
    ///   - maximumLength: The most ids per text, `[CLS]` and `[SEP]` included (256 for
    ///     all-MiniLM-L6-v2); values below 2 count as 2.
    ///   - lowercases: Whether to strip accents and lowercase (`true` for uncased models).
    /// - Throws: `WordPieceVocabularyError` if the vocabulary cannot be loaded.
    public init(vocabularyURL: URL, maximumLength: Int = 256, lowercases: Bool = true) throws(WordPieceVocabularyError) {
        let vocabulary = try WordPieceVocabulary(contentsOf: vocabularyURL)
        self.init(vocabulary: vocabulary, maximumLength: maximumLength, lowercases: lowercases)
    }

    /// A tokenizer over an already loaded vocabulary.
    ///
    /// - Parameters:
    ///   - vocabulary: The WordPiece vocabulary.
    ///   - maximumLength: The most ids per text, `[CLS]` and `[SEP]` included (256 for
    ///     all-MiniLM-L6-v2); values below 2 count as 2.
    ///   - lowercases: Whether to strip accents and lowercase (`true` for uncased models).
    public init(vocabulary: WordPieceVocabulary, maximumLength: Int = 256, lowercases: Bool = true) {
        self.vocabulary = vocabulary
        self.maximumLength = max(2, maximumLength)
        self.lowercases = lowercases
        preTokenizer = BertPreTokenizer(
            normalizer: BertNormalizer(lowercases: lowercases),
            specialTokens: SpecialTokenMatcher(tokens: vocabulary.specialTokens)
        )
        model = WordPieceModel(vocabulary: vocabulary, maximumScalarsPerWord: WordPieceTokenizer.maximumScalarsPerWord)
    }

    /// The token ids of `text`: `[CLS]`, the first `maximumLength - 2` pieces, `[SEP]`.
    ///
    /// Empty and whitespace-only text gives `[clsID, sepID]`.
    public func tokenize(_ text: String) -> [Int32] {
        let pieceLimit = maximumLength - 2
        var ids: [Int32] = []
        ids.reserveCapacity(min(maximumLength, text.utf8.count / 3 + 8))
        ids.append(vocabulary.clsID)
        preTokenizer.forEachToken(in: text) { token in
            switch token {
            case .special(let id):
                ids.append(id)
            case .word(let bytes, let scalarCount):
                model.appendPieces(of: bytes, scalarCount: scalarCount, to: &ids)
            }
            return ids.count - 1 < pieceLimit
        }
        if ids.count - 1 > pieceLimit {
            ids.removeSubrange((1 + pieceLimit)...)
        }
        ids.append(vocabulary.sepID)
        return ids
    }

    /// The pieces of `text` as strings (`[CLS]`, `un`, `##aff`, `##able`, `[SEP]`), truncated
    /// like `tokenize`; for debugging and display.
    public func pieces(_ text: String) -> [String] {
        tokenize(text).compactMap { vocabulary.token(of: $0) }
    }
}
