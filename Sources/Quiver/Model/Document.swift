/// A document: an external id, its text, and metadata fields.
public struct Document: Sendable, Hashable {
    /// The caller's id; unique in a store, non-empty, at most ``Document/maximumIDLength`` UTF-8 bytes.
    public var id: String
    /// The text that is encoded into the document's vector and returned by searches.
    public var text: String
    /// Named metadata values.
    public var metadata: [String: Value]

    /// The longest id accepted, in UTF-8 bytes (LMDB's default maximum key size is 511).
    public static let maximumIDLength = 480

    /// Creates a document.
    public init(id: String, text: String, metadata: [String: Value] = [:]) {
        self.id = id
        self.text = text
        self.metadata = metadata
    }
}
