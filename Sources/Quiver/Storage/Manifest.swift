import Encoders
import Foundation

/// The fixed facts of a store, written once at creation under `meta/manifest` as JSON.
struct Manifest: Codable, Sendable, Equatable {
    /// The storage format this build writes and the newest it reads.
    static let currentFormatVersion = 1
    /// The magic string that marks a Quiver store.
    static let magic = "quiver"

    var magic: String
    var formatVersion: Int
    var dimension: Int
    var metric: Metric
    var encoder: EncoderDescriptor
    /// Vectors per chunk in the `vectors` database.
    var chunkCapacity: Int
    /// The HNSW graph's parameters.
    var graph: GraphParameters

    func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(self))
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) throws -> Manifest {
        try JSONDecoder().decode(Manifest.self, from: Data(bytes))
    }
}

/// Keys of the `meta` database.
enum MetaKey {
    static let manifest = "manifest"
    /// The next internal id to assign (UInt32, little-endian).
    static let nextID = "next_id"
    /// The number of live documents (UInt64, little-endian).
    static let liveCount = "live_count"
    /// The graph's entry point and top level (``GraphEntry``).
    static let graphEntry = "graph_entry"
    /// The counters as this build last wrote them (`next_id` ‖ `live_count`): when they differ
    /// from the counters, a build that does not keep `vectors_sq8` wrote to the store since,
    /// and the 8-bit copies are re-encoded on the next writable open (``SQ8Chunks``).
    static let sq8Counters = "sq8_counters"
}
