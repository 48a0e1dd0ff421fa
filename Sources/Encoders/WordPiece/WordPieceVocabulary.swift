import Foundation

/// A BERT WordPiece vocabulary: the tokens of a `vocab.txt`, one per line, whose 0-based line
/// number is the token id.
///
/// Word-initial pieces are spelled as they are ("un"); continuation pieces carry the `##`
/// prefix ("##aff"). Tokens compare byte for byte (no Unicode canonical equivalence), as in
/// the Hugging Face implementation. The five BERT special tokens must be present.
public struct WordPieceVocabulary: Sendable {
    /// The prefix marking a piece that continues a word rather than starting one.
    public static let continuationPrefix = "##"

    /// Every token, indexed by id.
    private let tokens: [String]
    /// Every token, spelled as in the file.
    let wordStartTable: TokenTable
    /// The tokens that start with `##`, keyed without the prefix, so a continuation piece is
    /// looked up straight from the word's bytes.
    let continuationTable: TokenTable

    /// The id of `[CLS]`, which starts every tokenized text.
    public let clsID: Int32
    /// The id of `[SEP]`, which ends every tokenized text.
    public let sepID: Int32
    /// The id of `[PAD]`, which fills batches of unequal lengths.
    public let padID: Int32
    /// The id of `[UNK]`, which stands for a word the vocabulary cannot spell.
    public let unkID: Int32
    /// The id of `[MASK]`, the masked-language-model placeholder.
    public let maskID: Int32

    /// Loads a `vocab.txt`: UTF-8, one token per line, `\n` or `\r\n` line ends, an optional
    /// final line end.
    ///
    /// - Throws: `WordPieceVocabularyError` naming the file (and line) if the file cannot be
    ///   read, is empty, is not UTF-8, has an empty line or a token containing whitespace or
    ///   a control character, repeats a token, or lacks one of the five special tokens.
    public init(contentsOf url: URL) throws(WordPieceVocabularyError) {
        let path = url.path
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadableFile(path: path, reason: WordPieceVocabulary.readFailureReason(path: path, error: error))
        }
        let lines = try WordPieceVocabulary.lines(of: data, source: path)
        try self.init(lines: lines, source: path)
    }

    /// Builds a vocabulary from its tokens in id order (`tokens[0]` gets id 0).
    ///
    /// - Throws: `WordPieceVocabularyError` with source `<memory>` and the 1-based position as
    ///   the line, under the same rules as a file.
    public init(tokens: [String]) throws(WordPieceVocabularyError) {
        try self.init(lines: tokens, source: "<memory>")
    }

    /// Validates and indexes `lines`, the tokens in id order read from `source`.
    private init(lines: [String], source: String) throws(WordPieceVocabularyError) {
        guard !lines.isEmpty else {
            throw .empty(source: source)
        }
        guard lines.count <= Int(Int32.max) else {
            throw .tooManyTokens(source: source, count: lines.count)
        }
        let prefix = Array(WordPieceVocabulary.continuationPrefix.utf8)
        var wordStarts = TokenTable(capacity: lines.count)
        var continuations = TokenTable(capacity: lines.count / 4)
        for (index, token) in lines.enumerated() {
            let line = index + 1
            if let reason = WordPieceVocabulary.malformation(of: token) {
                throw .malformedLine(source: source, line: line, reason: reason)
            }
            let id = Int32(truncatingIfNeeded: index)
            var contiguousToken = token
            let firstID: Int32? = contiguousToken.withUTF8 { bytes in
                let key = UnsafeRawBufferPointer(bytes)
                if let existing = wordStarts.insert(key, value: id) {
                    return existing
                }
                if key.starts(with: prefix) {
                    _ = continuations.insert(UnsafeRawBufferPointer(rebasing: key.dropFirst(prefix.count)), value: id)
                }
                return nil
            }
            if let firstID {
                throw .duplicateToken(source: source, token: token, line: line, firstLine: Int(firstID) + 1)
            }
        }
        func specialID(_ token: String) throws(WordPieceVocabularyError) -> Int32 {
            guard let id = wordStarts.value(for: token) else {
                throw .missingSpecialToken(source: source, token: token)
            }
            return id
        }
        padID = try specialID("[PAD]")
        unkID = try specialID("[UNK]")
        clsID = try specialID("[CLS]")
        sepID = try specialID("[SEP]")
        maskID = try specialID("[MASK]")
        tokens = lines
        wordStartTable = wordStarts
        continuationTable = continuations
    }

    /// The number of tokens (30,522 for the BERT uncased vocabulary).
    public var count: Int { tokens.count }

    /// The id of `token` spelled exactly so (continuation pieces with their `##`), or `nil`.
    public func id(of token: String) -> Int32? {
        wordStartTable.value(for: token)
    }

    /// The token with id `id`, or `nil` if `id` is out of range.
    public func token(of id: Int32) -> String? {
        guard id >= 0 && Int(id) < tokens.count else { return nil }
        return tokens[Int(id)]
    }

    /// The special tokens the Hugging Face tokenizer recognises literally in raw text, with
    /// their ids.
    var specialTokens: [(token: String, id: Int32)] {
        [("[PAD]", padID), ("[UNK]", unkID), ("[CLS]", clsID), ("[SEP]", sepID), ("[MASK]", maskID)]
    }

    /// Splits `data` into lines on `\n`, dropping a trailing `\r` from each and the empty
    /// remainder after a final line end.
    private static func lines(of data: Data, source: String) throws(WordPieceVocabularyError) -> [String] {
        var lines: [String] = []
        var failedLine: Int?
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != 0x0A {
                    end += 1
                }
                var contentEnd = end
                if contentEnd > start && bytes[contentEnd - 1] == 0x0D {
                    contentEnd -= 1
                }
                guard let line = String(validating: bytes[start..<contentEnd], as: UTF8.self) else {
                    failedLine = lines.count + 1
                    return
                }
                lines.append(line)
                start = end + 1
            }
        }
        if let failedLine {
            throw .invalidUTF8(source: source, line: failedLine)
        }
        return lines
    }

    /// Why `token` cannot be a vocabulary entry, or `nil` if it can.
    private static func malformation(of token: String) -> String? {
        if token.isEmpty {
            return "empty line: every line must hold one token"
        }
        for scalar in token.unicodeScalars
        where scalar.properties.isWhitespace || scalar.properties.generalCategory == .control {
            return "token \(token.debugDescription) contains whitespace or a control character"
        }
        return nil
    }

    /// A short reason why reading the file at `path` failed with `error`.
    private static func readFailureReason(path: String, error: any Error) -> String {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            return "no such file"
        }
        if isDirectory.boolValue {
            return "it is a directory"
        }
        return String(describing: error)
    }
}
