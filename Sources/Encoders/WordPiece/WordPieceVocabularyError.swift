/// Why a WordPiece vocabulary (a BERT `vocab.txt`) could not be loaded.
///
/// Every case names the source (a file path, or `<memory>` for a vocabulary built from an
/// array) and, where one line is at fault, its 1-based line number.
public enum WordPieceVocabularyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file could not be read (it is missing, a directory, or unreadable).
    case unreadableFile(path: String, reason: String)
    /// The source holds no tokens at all.
    case empty(source: String)
    /// A line is not valid UTF-8.
    case invalidUTF8(source: String, line: Int)
    /// A line is empty or holds a token containing whitespace or control characters.
    case malformedLine(source: String, line: Int, reason: String)
    /// A token appears on two lines, so one of the two ids could never be produced.
    case duplicateToken(source: String, token: String, line: Int, firstLine: Int)
    /// One of the special tokens `[PAD]`, `[UNK]`, `[CLS]`, `[SEP]`, `[MASK]` is missing.
    case missingSpecialToken(source: String, token: String)
    /// The vocabulary has more tokens than 32-bit token ids can number.
    case tooManyTokens(source: String, count: Int)

    /// A sentence saying what went wrong, where, and what to do about it.
    public var description: String {
        switch self {
        case .unreadableFile(let path, let reason):
            return "cannot read WordPiece vocabulary file \(path): \(reason)"
        case .empty(let source):
            return "WordPiece vocabulary \(source) is empty: expected one token per line (a BERT vocab.txt)"
        case .invalidUTF8(let source, let line):
            return "WordPiece vocabulary \(source), line \(line): not valid UTF-8"
        case .malformedLine(let source, let line, let reason):
            return "WordPiece vocabulary \(source), line \(line): \(reason)"
        case .duplicateToken(let source, let token, let line, let firstLine):
            return "WordPiece vocabulary \(source), line \(line): duplicate token \(token.debugDescription) (first on line \(firstLine))"
        case .missingSpecialToken(let source, let token):
            return "WordPiece vocabulary \(source) has no \(token) token: a BERT vocabulary needs [PAD], [UNK], [CLS], [SEP] and [MASK]"
        case .tooManyTokens(let source, let count):
            return "WordPiece vocabulary \(source) has \(count) tokens, more than 32-bit token ids allow"
        }
    }
}
