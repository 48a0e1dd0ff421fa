/// Splits one normalized word into vocabulary pieces, greedy longest-match-first, as the
/// Hugging Face `WordPiece` model does.
///
/// From the start of the word, the longest prefix in the vocabulary becomes the first piece;
/// from there on, the longest `##`-prefixed continuation. If some position has no match, the
/// whole word becomes one `[UNK]`; a word longer than `maximumScalarsPerWord` scalars is
/// `[UNK]` without trying. Candidates end on scalar boundaries and are looked up straight
/// from the word's UTF-8 bytes.
struct WordPieceModel: Sendable {
    /// The vocabulary the pieces come from.
    let vocabulary: WordPieceVocabulary
    /// The longest word, in Unicode scalars, that is split rather than replaced by `[UNK]`.
    let maximumScalarsPerWord: Int

    /// Appends the ids of the pieces of `word` (valid UTF-8, `scalarCount` scalars) to `ids`.
    func appendPieces(of word: UnsafeRawBufferPointer, scalarCount: Int, to ids: inout [Int32]) {
        guard scalarCount <= maximumScalarsPerWord else {
            ids.append(vocabulary.unkID)
            return
        }
        let firstPiece = ids.count
        var start = 0
        while start < word.count {
            let table = start == 0 ? vocabulary.wordStartTable : vocabulary.continuationTable
            // Candidates longer than the longest key cannot match: start from that length,
            // backed off to a scalar boundary.
            var end = min(word.count, start + table.maximumKeyLength)
            while end < word.count && end > start && WordPieceModel.isContinuationByte(word[end]) {
                end -= 1
            }
            var found: Int32?
            while end > start {
                if let id = table.value(for: UnsafeRawBufferPointer(rebasing: word[start..<end])) {
                    found = id
                    break
                }
                end -= 1
                while end > start && WordPieceModel.isContinuationByte(word[end]) {
                    end -= 1
                }
            }
            guard let found else {
                ids.removeSubrange(firstPiece...)
                ids.append(vocabulary.unkID)
                return
            }
            ids.append(found)
            start = end
        }
    }

    /// Whether `byte` continues a multi-byte UTF-8 sequence (so is not a scalar boundary).
    @inline(__always)
    private static func isContinuationByte(_ byte: UInt8) -> Bool {
        byte & 0xC0 == 0x80
    }
}
