import Encoders

/// Rebuilds the encoders a store may record, from their descriptors.
enum EncoderRegistry {
    /// An encoder equal to the one `descriptor` describes.
    static func makeEncoder(_ descriptor: EncoderDescriptor) throws -> any TextEncoder {
        switch descriptor.kind {
        case "hashing":
            do {
                return try HashingEncoder(descriptor: descriptor)
            } catch {
                throw QuiverError.encodingFailed(underlying: String(describing: error))
            }
        default:
            throw QuiverError.unknownEncoder(kind: descriptor.kind)
        }
    }
}
