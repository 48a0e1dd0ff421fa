import Encoders

/// Rebuilds the encoders a store may record, from their descriptors (MiniLM and e5 from the
/// model cache, `ModelLocation.miniLM` and `ModelLocation.multilingualE5Small`, filled by
/// `tools/fetch-model`).
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
        case MiniLMEncoder.kind:
            do {
                return try MiniLMEncoder(descriptor: descriptor)
            } catch let error as EncoderError {
                if case .fingerprintMismatch = error {
                    throw QuiverError.encoderMismatch(
                        stored: descriptor,
                        requested: (try? MiniLMEncoder().descriptor) ?? descriptor)
                }
                throw QuiverError.encodingFailed(underlying: String(describing: error))
            } catch {
                throw QuiverError.encodingFailed(underlying: String(describing: error))
            }
        case E5Encoder.kind:
            do {
                return try E5Encoder(descriptor: descriptor)
            } catch let error as EncoderError {
                if case .fingerprintMismatch = error {
                    throw QuiverError.encoderMismatch(
                        stored: descriptor,
                        requested: (try? E5Encoder().descriptor) ?? descriptor)
                }
                throw QuiverError.encodingFailed(underlying: String(describing: error))
            } catch {
                throw QuiverError.encodingFailed(underlying: String(describing: error))
            }
        default:
            throw QuiverError.unknownEncoder(kind: descriptor.kind)
        }
    }
}
