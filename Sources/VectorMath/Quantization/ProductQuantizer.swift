import CVectorKernels

/// A product quantizer (Jégou, Douze & Schmid, 2011): a vector is cut into `m` sub-vectors
/// (``SubspaceLayout``) and each is replaced by the index of the nearest of 256 centroids
/// learnt for its sub-space, so a vector becomes `m` bytes.
///
/// The codebook is stored as a `dimension × 256` matrix: row `i` holds coordinate `i` of all
/// 256 centroids of the sub-space that coordinate `i` belongs to. Each sub-space's block of rows
/// is thus its centroids transposed, the layout the SIMD distance-table kernels read.
public struct ProductQuantizer: Sendable, Hashable {
    /// Centroids per sub-space (codes are one byte per sub-space).
    public static let centroidCount = 256

    /// How the dimensions are split into sub-spaces.
    public let layout: SubspaceLayout
    /// `dimension × 256` floats: row `i` is coordinate `i` of every centroid of its sub-space.
    public let codebook: [Float]

    /// The vector dimension.
    public var dimension: Int { layout.dimension }
    /// Sub-spaces, which is also the bytes per code.
    public var subspaceCount: Int { layout.count }

    /// Builds a quantizer from a codebook (`dimension × 256` floats, as ``codebook`` describes).
    public init(layout: SubspaceLayout, codebook: [Float]) throws(ProductQuantizerError) {
        let expected = layout.dimension * Self.centroidCount
        guard codebook.count == expected else { throw .codebookSize(values: codebook.count, expected: expected) }
        self.layout = layout
        self.codebook = codebook
    }

    // MARK: Training

    /// Learns the 256 centroids of sub-space `j` from `sample` (`n × dimension`, row-major) by
    /// k-means++ seeding and `iterations` Lloyd iterations; returns them transposed
    /// (`width(j) × 256`). Sub-spaces are independent, so callers may train them concurrently.
    public static func trainSubspace(
        _ j: Int, layout: SubspaceLayout, sample: [Float], iterations: Int, seed: UInt64
    ) throws(ProductQuantizerError) -> [Float] {
        // The full check (finite values) is the caller's, once: see validate(sample:dimension:iterations:).
        guard iterations >= 1 else { throw .invalidIterations(iterations) }
        guard sample.count % layout.dimension == 0 else { throw .sampleShape(values: sample.count, dimension: layout.dimension) }
        guard sample.count / layout.dimension >= centroidCount else {
            throw .tooFewTrainingVectors(sample.count / layout.dimension, needed: centroidCount)
        }
        let n = sample.count / layout.dimension
        let width = layout.width(j), start = layout.start(j)
        var points = [Float](repeating: 0, count: n * width)
        for i in 0..<n {
            for t in 0..<width { points[i * width + t] = sample[i * layout.dimension + start + t] }
        }
        let kmeans = KMeans(k: centroidCount, width: width, iterations: iterations)
        let subspaceSeed = seed ^ (UInt64(j) &* 0x9E37_79B9_7F4A_7C15)
        return points.withUnsafeBufferPointer { kmeans.train($0, count: n, seed: subspaceSeed) }
    }

    /// Assembles a quantizer from the transposed centroids of every sub-space (from ``trainSubspace(_:layout:sample:iterations:seed:)``).
    public init(layout: SubspaceLayout, subspaceCentroids: [[Float]]) throws(ProductQuantizerError) {
        var codebook: [Float] = []
        codebook.reserveCapacity(layout.dimension * Self.centroidCount)
        for j in 0..<layout.count {
            let block = j < subspaceCentroids.count ? subspaceCentroids[j] : []
            guard block.count == layout.width(j) * Self.centroidCount else {
                throw .codebookSize(values: block.count, expected: layout.width(j) * Self.centroidCount)
            }
            codebook.append(contentsOf: block)
        }
        try self.init(layout: layout, codebook: codebook)
    }

    /// Trains every sub-space one after another (see ``trainSubspace(_:layout:sample:iterations:seed:)``):
    /// the same sample, layout, iterations and seed always give the same quantizer on one machine.
    public static func train(
        sample: [Float], layout: SubspaceLayout, iterations: Int = 25, seed: UInt64 = 0
    ) throws(ProductQuantizerError) -> ProductQuantizer {
        try validate(sample: sample, dimension: layout.dimension, iterations: iterations)
        var blocks: [[Float]] = []
        for j in 0..<layout.count {
            blocks.append(try trainSubspace(j, layout: layout, sample: sample, iterations: iterations, seed: seed))
        }
        return try ProductQuantizer(layout: layout, subspaceCentroids: blocks)
    }

    /// Checks a training sample: whole rows, finite, at least 256 of them.
    public static func validate(sample: [Float], dimension: Int, iterations: Int) throws(ProductQuantizerError) {
        guard iterations >= 1 else { throw .invalidIterations(iterations) }
        guard sample.count % dimension == 0 else { throw .sampleShape(values: sample.count, dimension: dimension) }
        let n = sample.count / dimension
        guard n >= centroidCount else { throw .tooFewTrainingVectors(n, needed: centroidCount) }
        guard sample.allSatisfy(\.isFinite) else { throw .nonFiniteSample }
    }

    // MARK: Encoding

    /// Writes the `m`-byte code of the `dimension` floats at `vector` to `code`; `scratch`
    /// must hold 256 floats. Allocation-free.
    public func encode(_ vector: UnsafeRawPointer, into code: UnsafeMutablePointer<UInt8>, scratch: UnsafeMutablePointer<Float>) {
        codebook.withUnsafeBufferPointer { book in
            let base = book.baseAddress.unsafelyUnwrapped
            for j in 0..<layout.count {
                let start = layout.start(j), width = layout.width(j)
                // Sub-vectors are at most `dimension` floats; copy so the kernel gets aligned floats.
                withUnsafeTemporaryAllocation(of: Float.self, capacity: width) { sub in
                    for t in 0..<width {
                        sub[t] = vector.loadUnaligned(fromByteOffset: (start + t) * 4, as: Float.self)
                    }
                    var best: Float = 0
                    let nearest = qv_pq_nearest(sub.baseAddress, base + start * Self.centroidCount, Self.centroidCount, width, &best)
                    code[j] = UInt8(truncatingIfNeeded: nearest)
                }
            }
        }
    }

    /// The `m`-byte code of `vector` (`dimension` floats).
    public func encode(_ vector: [Float]) throws(ProductQuantizerError) -> [UInt8] {
        guard vector.count == dimension else { throw .lengthMismatch(expected: dimension, actual: vector.count) }
        var code = [UInt8](repeating: 0, count: subspaceCount)
        var scratch = [Float](repeating: 0, count: Self.centroidCount)
        vector.withUnsafeBytes { v in
            code.withUnsafeMutableBufferPointer { c in
                scratch.withUnsafeMutableBufferPointer { s in
                    encode(v.baseAddress.unsafelyUnwrapped, into: c.baseAddress.unsafelyUnwrapped, scratch: s.baseAddress.unsafelyUnwrapped)
                }
            }
        }
        return code
    }

    /// Writes the reconstruction of `code` (`m` bytes, may be unaligned) to `out` (`dimension` floats).
    public func decode(_ code: UnsafeRawPointer, into out: UnsafeMutablePointer<Float>) {
        codebook.withUnsafeBufferPointer { book in
            for j in 0..<layout.count {
                let c = Int(code.load(fromByteOffset: j, as: UInt8.self))
                let start = layout.start(j)
                for t in 0..<layout.width(j) {
                    out[start + t] = book[(start + t) * Self.centroidCount + c]
                }
            }
        }
    }

    /// The reconstruction of `code` (`m` bytes).
    public func decode(_ code: [UInt8]) throws(ProductQuantizerError) -> [Float] {
        guard code.count == subspaceCount else { throw .lengthMismatch(expected: subspaceCount, actual: code.count) }
        var out = [Float](repeating: 0, count: dimension)
        code.withUnsafeBytes { c in
            out.withUnsafeMutableBufferPointer { decode(c.baseAddress.unsafelyUnwrapped, into: $0.baseAddress.unsafelyUnwrapped) }
        }
        return out
    }

    /// The mean over `vectors` (`n × dimension`, row-major) of the squared Euclidean distance
    /// between each vector and its reconstruction: the quantization MSE per vector.
    public func meanSquaredError(_ vectors: [Float]) -> Double {
        let n = vectors.count / dimension
        guard n > 0 else { return 0 }
        var code = [UInt8](repeating: 0, count: subspaceCount)
        var scratch = [Float](repeating: 0, count: Self.centroidCount)
        var decoded = [Float](repeating: 0, count: dimension)
        var total = 0.0
        vectors.withUnsafeBufferPointer { v in
            for i in 0..<n {
                let row = UnsafeRawPointer(v.baseAddress.unsafelyUnwrapped + i * dimension)
                code.withUnsafeMutableBufferPointer { c in
                    scratch.withUnsafeMutableBufferPointer { s in
                        encode(row, into: c.baseAddress.unsafelyUnwrapped, scratch: s.baseAddress.unsafelyUnwrapped)
                    }
                    decoded.withUnsafeMutableBufferPointer { decode(UnsafeRawPointer(c.baseAddress.unsafelyUnwrapped), into: $0.baseAddress.unsafelyUnwrapped) }
                }
                var sum = 0.0
                for t in 0..<dimension {
                    let diff = Double(v[i * dimension + t]) - Double(decoded[t])
                    sum += diff * diff
                }
                total += sum
            }
        }
        return total / Double(n)
    }
}
