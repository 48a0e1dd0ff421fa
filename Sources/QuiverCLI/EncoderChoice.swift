import Encoders
import Foundation
import Quiver

/// The encoders the CLI can create by name.
enum EncoderChoice {
    /// The names ``make(_:dimension:)`` accepts.
    static let names = ["hashing", "minilm", "e5"]

    /// `hashing` (a `dimension`-wide HashingEncoder), `minilm` (all-MiniLM-L6-v2) or `e5`
    /// (multilingual-e5-small), the last two from the model cache (`tools/fetch-model`).
    static func make(_ name: String, dimension: Int) throws -> any TextEncoder {
        switch name {
        case "e5":
            do {
                return try E5Encoder()
            } catch {
                throw QuiverError.encodingFailed(underlying: "\(error)")
            }
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
