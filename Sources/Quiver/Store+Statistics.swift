import Encoders
import Foundation
import LMDB

/// A summary of a store for `quiver stats` and monitoring.
public struct StoreStatistics: Sendable, Codable, Hashable {
    /// Live documents.
    public var documents: Int
    /// Tombstoned internal ids awaiting compaction.
    public var deleted: Int
    /// Vector dimension.
    public var dimension: Int
    /// Metric name.
    public var metric: Metric
    /// The encoder's descriptor.
    public var encoder: EncoderDescriptor
    /// The HNSW graph's parameters.
    public var graph: GraphParameters
    /// Nodes in the graph (equals `documents` when the graph is sound).
    public var graphNodes: Int
    /// The graph's top level (−1 when empty).
    public var graphTopLevel: Int
    /// The storage format version.
    public var formatVersion: Int
    /// Size of `data.mdb` on disk in bytes.
    public var bytesOnDisk: Int
    /// Bytes of the map in use.
    public var mapUsedBytes: Int
    /// The map size in bytes (grows automatically).
    public var mapSizeBytes: Int
    /// Bytes in pages per named database.
    public var databaseBytes: [String: Int]
}

extension Store {
    /// Counts, sizes and settings of the store.
    public func statistics() throws -> StoreStatistics {
        let dataFile = (path as NSString).appendingPathComponent("data.mdb")
        let fileSize = (try? FileManager.default.attributesOfItem(atPath: dataFile)[.size] as? Int) ?? 0
        return try storageErrors {
            try environment.read { txn in
                let counters = try MetaCounters.read(from: txn, meta: databases.meta)
                var sizes: [String: Int] = [:]
                for (name, db) in [("meta", databases.meta), ("keys", databases.keys), ("docs", databases.docs),
                                   ("vectors", databases.vectors), ("deleted", databases.deleted),
                                   ("graph", databases.graph), ("graph_upper", databases.graphUpper)] {
                    sizes[name] = try txn.statistics(db).bytes
                }
                let entry = try graphEntry(in: txn)
                var nodes = 0
                try forEachGraphNode(in: txn) { _, _ in nodes += 1 }
                return StoreStatistics(
                    documents: Int(counters.liveCount), deleted: try txn.count(databases.deleted),
                    dimension: dimension, metric: metric, encoder: manifest.encoder,
                    graph: manifest.graph, graphNodes: nodes, graphTopLevel: entry.level,
                    formatVersion: manifest.formatVersion, bytesOnDisk: fileSize,
                    mapUsedBytes: environment.usedBytes, mapSizeBytes: environment.mapSize,
                    databaseBytes: sizes)
            }
        }
    }
}
