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
    /// Level-0 degree histogram: element `d` counts the nodes with `d` neighbours (0…2M).
    public var graphDegreeHistogram: [Int]
    /// Nodes per top level: element `l` counts the nodes whose top level is `l`.
    public var graphLevelCounts: [Int]
    /// Tombstoned ids as a fraction of all ids ever used (0 when the store is empty).
    public var deletedFraction: Double
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
    /// The product quantizer's state (trained?, m, training size, quantization error).
    public var quantization: QuantizationStatistics = .untrained
}

extension Store {
    /// Counts, sizes and settings of the store.
    public func statistics() throws -> StoreStatistics {
        let dataFile = (path as NSString).appendingPathComponent("data.mdb")
        let fileSize = (try? FileManager.default.attributesOfItem(atPath: dataFile)[.size] as? Int) ?? 0
        var statistics = try storageErrors {
            try environment.read { txn in
                let counters = try MetaCounters.read(from: txn, meta: databases.meta)
                var sizes: [String: Int] = [:]
                for (name, db) in [("meta", databases.meta), ("keys", databases.keys), ("docs", databases.docs),
                                   ("vectors", databases.vectors), ("deleted", databases.deleted),
                                   ("graph", databases.graph), ("graph_upper", databases.graphUpper)] {
                    sizes[name] = try txn.statistics(db).bytes
                }
                if let sq8 { sizes[SQ8Chunks.name] = try txn.statistics(sq8.database).bytes }
                let entry = try graphEntry(in: txn)
                var nodes = 0
                var levelCounts: [Int] = []
                try forEachGraphNode(in: txn) { _, level in
                    nodes += 1
                    if level >= levelCounts.count { levelCounts += Array(repeating: 0, count: level + 1 - levelCounts.count) }
                    levelCounts[level] += 1
                }
                let histogram = try graphDegreeHistogram(in: txn)
                let deleted = try txn.count(databases.deleted)
                return StoreStatistics(
                    documents: Int(counters.liveCount), deleted: deleted,
                    dimension: dimension, metric: metric, encoder: manifest.encoder,
                    graph: manifest.graph, graphNodes: nodes, graphTopLevel: entry.level,
                    graphDegreeHistogram: histogram, graphLevelCounts: levelCounts,
                    deletedFraction: counters.nextID > 0 ? Double(deleted) / Double(counters.nextID) : 0,
                    formatVersion: manifest.formatVersion, bytesOnDisk: fileSize,
                    mapUsedBytes: environment.usedBytes, mapSizeBytes: environment.mapSize,
                    databaseBytes: sizes)
            }
        }
        statistics.quantization = try quantizationStatistics()
        statistics.databaseBytes.merge(try quantizationDatabaseBytes()) { $1 }
        return statistics
    }
}

extension Store {
    /// How many level-0 nodes have each degree 0…2M.
    func graphDegreeHistogram(in txn: Transaction) throws -> [Int] {
        var histogram = [Int](repeating: 0, count: 2 * graphLayout.m + 1)
        let cursor = try txn.cursor(databases.graph)
        var chunk = try cursor.first()
        while let (_, value) = chunk {
            for slot in 0..<(value.count / graphLayout.recordBytes) {
                let header = UInt32(littleEndian: value.loadUnaligned(
                    fromByteOffset: slot * graphLayout.recordBytes, as: UInt32.self))
                guard header & GraphLayout.presentBit != 0 else { continue }
                histogram[min(Int(header & 0xFFFF), histogram.count - 1)] += 1
            }
            chunk = try cursor.next()
        }
        return histogram
    }
}
