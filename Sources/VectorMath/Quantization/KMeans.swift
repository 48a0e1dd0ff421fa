import CVectorKernels

/// k-means for one PQ sub-space: k-means++ seeding, then Lloyd iterations, on `count` points of
/// `width` floats stored contiguously. Centroids are returned transposed (`width` rows of `k`),
/// the layout the distance-table kernels read. Deterministic for a seed.
struct KMeans {
    let k: Int
    let width: Int
    let iterations: Int

    /// Clusters `points` (`count × width`, row-major); returns the transposed centroids (`width × k`).
    func train(_ points: UnsafeBufferPointer<Float>, count: Int, seed: UInt64) -> [Float] {
        var random = SplitMixRandom(seed: seed)
        var centroids = seedPlusPlus(points, count: count, random: &random)
        var assignment = [Int32](repeating: -1, count: count)
        var distances = [Float](repeating: 0, count: count)
        var sums = [Double](repeating: 0, count: k * width)
        var sizes = [Int](repeating: 0, count: k)
        var table = [Float](repeating: 0, count: k)
        for _ in 0..<iterations {
            var changed = 0
            centroids.withUnsafeBufferPointer { ct in
                table.withUnsafeMutableBufferPointer { scratch in
                    for i in 0..<count {
                        let (nearest, distance) = Self.nearest(
                            points.baseAddress.unsafelyUnwrapped + i * width, ct: ct, k: k, width: width, scratch: scratch)
                        if assignment[i] != Int32(nearest) { changed += 1 }
                        assignment[i] = Int32(nearest)
                        distances[i] = distance
                    }
                }
            }
            if changed == 0 { break }
            sums.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            sizes.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            for i in 0..<count {
                let c = Int(assignment[i])
                sizes[c] += 1
                for t in 0..<width { sums[t * k + c] += Double(points[i * width + t]) }
            }
            repairEmpty(points, count: count, sizes: &sizes, sums: &sums, assignment: &assignment, distances: distances)
            for c in 0..<k where sizes[c] > 0 {
                for t in 0..<width { centroids[t * k + c] = Float(sums[t * k + c] / Double(sizes[c])) }
            }
        }
        return centroids
    }

    /// The nearest centroid to the point at `x` and its squared distance.
    @inline(__always)
    static func nearest(
        _ x: UnsafePointer<Float>, ct: UnsafeBufferPointer<Float>, k: Int, width: Int,
        scratch: UnsafeMutableBufferPointer<Float>
    ) -> (Int, Float) {
        var best: Float = 0
        let index = qv_pq_nearest(x, ct.baseAddress, k, width, &best)
        return (index, best)
    }

    /// Gives every empty cluster the point farthest from its centroid among clusters of two or more
    /// points (farthest first, each point once), moving that point's contribution to it.
    private func repairEmpty(
        _ points: UnsafeBufferPointer<Float>, count: Int, sizes: inout [Int], sums: inout [Double],
        assignment: inout [Int32], distances: [Float]
    ) {
        let empty = (0..<k).filter { sizes[$0] == 0 }
        guard !empty.isEmpty else { return }
        let order = (0..<count).sorted { distances[$0] > distances[$1] || (distances[$0] == distances[$1] && $0 < $1) }
        var next = 0
        for c in empty {
            while next < order.count && sizes[Int(assignment[order[next]])] < 2 { next += 1 }
            guard next < order.count else { return }
            let i = order[next]
            next += 1
            let old = Int(assignment[i])
            sizes[old] -= 1
            sizes[c] = 1
            for t in 0..<width {
                let value = Double(points[i * width + t])
                sums[t * k + old] -= value
                sums[t * k + c] = value
            }
            assignment[i] = Int32(c)
        }
    }

    /// k-means++ (Arthur & Vassilvitskii, 2007): each next centre is drawn with probability
    /// proportional to the squared distance to the nearest centre chosen so far.
    private func seedPlusPlus(_ points: UnsafeBufferPointer<Float>, count: Int, random: inout SplitMixRandom) -> [Float] {
        var centroids = [Float](repeating: 0, count: k * width)
        var nearest = [Float](repeating: .infinity, count: count)
        // The points transposed (width rows of `padded`), so one kernel call gives the distances
        // from a new centre to every point.
        let padded = (count + 15) / 16 * 16
        var transposed = [Float](repeating: 0, count: padded * width)
        for i in 0..<count { for t in 0..<width { transposed[t * padded + i] = points[i * width + t] } }
        var distances = [Float](repeating: 0, count: padded)
        var centre = [Float](repeating: 0, count: width)
        var chosen = Int(random.next() % UInt64(count))
        for c in 0..<k {
            for t in 0..<width {
                centroids[t * k + c] = points[chosen * width + t]
                centre[t] = points[chosen * width + t]
            }
            guard c + 1 < k else { break }
            qv_pq_l2_table(centre, transposed, padded, width, &distances)
            var total = 0.0
            for i in 0..<count {
                if distances[i] < nearest[i] { nearest[i] = distances[i] }
                total += Double(nearest[i])
            }
            if total > 0 {
                var target = random.unitInterval() * total
                chosen = count - 1
                for i in 0..<count {
                    target -= Double(nearest[i])
                    if target < 0 {
                        chosen = i
                        break
                    }
                }
            } else {
                // Fewer distinct points than centroids: any point will do.
                chosen = Int(random.next() % UInt64(count))
            }
        }
        return centroids
    }
}

/// SplitMix64: a small seeded generator, so training (and its sampling) is reproducible.
public struct SplitMixRandom: Sendable {
    private var state: UInt64

    /// Creates a generator whose output is fixed by `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A double in [0, 1).
    public mutating func unitInterval() -> Double { Double(next() >> 11) * 0x1p-53 }
}
