/// Which side of a retrieval pair a text is encoded for.
///
/// Asymmetric encoders (e5's `query:` / `passage:` prefixes, two-tower models) encode
/// the two sides differently; a store encodes documents with `.document` on upsert
/// and queries with `.query` on search.
public enum EncodingRole: String, Sendable, Codable, CaseIterable {
    /// A search query.
    case query
    /// A stored document (a "passage").
    case document
}

/// What a store records about its encoder, so it can rebuild it on reopen and refuse a different one.
public struct EncoderDescriptor: Sendable, Codable, Hashable {
    /// A stable name of the encoder family, for example `"hashing"`.
    public var kind: String
    /// The length of the vectors the encoder produces.
    public var dimension: Int
    /// Family-specific settings needed to rebuild the encoder (all values as strings).
    public var parameters: [String: String]
    /// A digest of everything that determines the encoder's output (algorithm version, parameters, weights).
    public var fingerprint: String

    /// Creates a descriptor.
    public init(kind: String, dimension: Int, parameters: [String: String] = [:], fingerprint: String) {
        self.kind = kind
        self.dimension = dimension
        self.parameters = parameters
        self.fingerprint = fingerprint
    }
}

/// Turns text into fixed-length vectors.
///
/// Conforming types must be deterministic: the same text and role give the same vector in
/// every process. The hashing encoder is bit-identical everywhere; encoders built on BLAS
/// (MiniLM) agree up to float rounding, which varies with batch make-up, threads and CPU.
public protocol TextEncoder: Sendable {
    /// The length of every vector this encoder returns.
    var dimension: Int { get }
    /// What a store records to recognise and rebuild this encoder.
    var descriptor: EncoderDescriptor { get }
    /// Encodes `texts` for `role`, returning one vector of `dimension` floats per text, in order.
    func encode(_ texts: [String], role: EncodingRole) throws -> [[Float]]
}

extension TextEncoder {
    /// Encodes one text for `role`.
    public func encode(_ text: String, role: EncodingRole) throws -> [Float] {
        try encode([text], role: role)[0]
    }
}
