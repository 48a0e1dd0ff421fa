/// Why an encoder could not be built or could not encode a text.
public enum EncoderError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The requested vector length is outside the encoder's supported range.
    case invalidDimension(Int)
    /// A text is longer (in UTF-8 bytes) than the encoder accepts.
    case textTooLong(length: Int, limit: Int)
    /// A descriptor names a different encoder family than the one asked to rebuild it.
    case kindMismatch(expected: String, found: String)
    /// A descriptor asks for an algorithm version this build does not implement (`nil` when it names none).
    case unsupportedVersion(kind: String, version: String?)
    /// A descriptor's fingerprint differs from the one this build computes for the same settings.
    case fingerprintMismatch(expected: String, found: String)

    /// A sentence saying what went wrong and what to do about it.
    public var description: String {
        switch self {
        case .invalidDimension(let dimension):
            return "invalid encoder dimension \(dimension): choose a dimension from 2 to 65536"
        case .textTooLong(let length, let limit):
            return "text is \(length) UTF-8 bytes, over the encoder's limit of \(limit): split it into smaller documents"
        case .kindMismatch(let expected, let found):
            return "encoder descriptor is of kind \"\(found)\", expected \"\(expected)\": open the store with the encoder it was created with"
        case .unsupportedVersion(let kind, let version):
            let shown = version.map { "\"\($0)\"" } ?? "(none)"
            return "\(kind) encoder version \(shown) is not supported by this build: upgrade Quiver or re-create the store"
        case .fingerprintMismatch(let expected, let found):
            return "encoder fingerprint \"\(found)\" does not match \"\(expected)\" computed for the same settings: the store was built by an incompatible encoder"
        }
    }
}
