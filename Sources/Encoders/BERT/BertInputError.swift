/// Why a sequence of token ids cannot be run through a BERT encoder.
public enum BertInputError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A sequence has no ids (it needs at least `[CLS]` and `[SEP]`).
    case emptySequence(index: Int)
    /// A sequence is longer than the encoder accepts.
    case sequenceTooLong(index: Int, length: Int, limit: Int)
    /// A sequence holds an id outside the vocabulary.
    case invalidTokenID(index: Int, id: Int32, vocabularySize: Int)

    /// A sentence saying what went wrong.
    public var description: String {
        switch self {
        case .emptySequence(let index):
            return "token sequence \(index) is empty: it needs at least [CLS] and [SEP]"
        case .sequenceTooLong(let index, let length, let limit):
            return "token sequence \(index) has \(length) ids, over the encoder's limit of \(limit)"
        case .invalidTokenID(let index, let id, let vocabularySize):
            return "token sequence \(index) holds id \(id), outside the vocabulary of \(vocabularySize) ids"
        }
    }
}
