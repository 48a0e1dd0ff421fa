import Encoders
import Foundation
import Quiver

/// The encoders the CLI can create by name.
enum EncoderChoice {
    /// `hashing` (a `dimension`-wide HashingEncoder) or `minilm` (from the model cache).
    static func make(_ name: String, dimension: Int) throws -> any TextEncoder {
        switch name {
        case "minilm":
            do {
                return try MiniLMEncoder()
            } catch {
                throw QuiverError.encodingFailed(underlying: "\(error)")
            }
        default:
            return try HashingEncoder(dimension: dimension)
        }
    }
}
