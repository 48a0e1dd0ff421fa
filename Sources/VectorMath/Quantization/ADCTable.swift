import CVectorKernels

/// Per-query distance tables for asymmetric distance computation (ADC): `m × 256` floats,
/// entry `(j, c)` the distance between the query's sub-vector `j` and centroid `c` of
/// sub-space `j`. The distance from the query to a code is then `m` lookups and a sum, equal
/// (up to float rounding) to the distance from the query to the code's reconstruction.
///
/// Reusable: ``fill(query:)`` rebuilds it for another query without allocating. One table
/// serves one thread at a time.
public final class ADCTable {
    /// What the table's entries measure; both are "lower is nearer".
    public enum Kind: Sendable {
        /// Squared Euclidean distance.
        case squaredL2
        /// The negated inner product (for dot).
        case negatedInnerProduct
        /// Cosine for unit-length stored vectors: `−⟨q, x̂⟩ / ‖x̂‖`, the negated cosine between the
        /// query and the code's reconstruction `x̂`. A reconstruction is shorter or longer than the
        /// unit vector it stands for; ranking by `−⟨q, x̂⟩` alone lets that drift reorder close
        /// neighbours (ranking like L2 overcorrects it). `‖x̂‖²` is a second, query-independent
        /// table lookup per sub-space. PQ-only recall@10 with the same codebooks (m = d/4):
        /// 0.877 against 0.864 (inner product) and 0.837 (L2) on SciFact MiniLM embeddings, 0.761
        /// against 0.594 and 0.757 on the 200,000 × 384 benchmark set.
        case cosine
    }

    /// The quantizer whose codes this table scores.
    public let quantizer: ProductQuantizer
    /// What the entries measure.
    public let kind: Kind
    /// `m × 256` floats, sub-space major.
    public let values: UnsafeMutablePointer<Float>
    /// For ``Kind/cosine``: `m × 256` squared norms of the centroids (query-independent), so
    /// `‖x̂‖²` of a code is `m` lookups; nil for the other kinds.
    public let squaredNorms: UnsafeMutablePointer<Float>?

    /// An empty table for `quantizer`; call ``fill(query:)`` before use.
    public init(quantizer: ProductQuantizer, kind: Kind) {
        self.quantizer = quantizer
        self.kind = kind
        let count = quantizer.subspaceCount * ProductQuantizer.centroidCount
        values = .allocate(capacity: count)
        values.initialize(repeating: 0, count: count)
        if kind == .cosine {
            // The squared norm of every centroid's sub-vector: the L2 table of a zero query.
            let norms = UnsafeMutablePointer<Float>.allocate(capacity: count)
            norms.initialize(repeating: 0, count: count)
            let layout = quantizer.layout
            let k = ProductQuantizer.centroidCount
            let zero = [Float](repeating: 0, count: max(1, quantizer.dimension))
            quantizer.codebook.withUnsafeBufferPointer { book in
                zero.withUnsafeBufferPointer { z in
                    guard let base = book.baseAddress, let origin = z.baseAddress else { return }
                    for j in 0..<layout.count {
                        qv_pq_l2_table(origin, base + layout.start(j) * k, k, layout.width(j), norms + j * k)
                    }
                }
            }
            squaredNorms = norms
        } else {
            squaredNorms = nil
        }
    }

    deinit {
        values.deallocate()
        squaredNorms?.deallocate()
    }

    /// Builds the table for `query` (`dimension` floats).
    public func fill(query: UnsafePointer<Float>) {
        let layout = quantizer.layout
        let k = ProductQuantizer.centroidCount
        quantizer.codebook.withUnsafeBufferPointer { book in
            let base = book.baseAddress.unsafelyUnwrapped
            for j in 0..<layout.count {
                let start = layout.start(j)
                let centroids = base + start * k
                switch kind {
                case .squaredL2: qv_pq_l2_table(query + start, centroids, k, layout.width(j), values + j * k)
                case .negatedInnerProduct, .cosine: qv_pq_ip_table(query + start, centroids, k, layout.width(j), values + j * k)
                }
            }
        }
    }

    /// Builds the table for `query` (`dimension` floats).
    public func fill(query: [Float]) throws(ProductQuantizerError) {
        guard query.count == quantizer.dimension else {
            throw .lengthMismatch(expected: quantizer.dimension, actual: query.count)
        }
        query.withUnsafeBufferPointer { fill(query: $0.baseAddress.unsafelyUnwrapped) }
    }

    /// The ADC distance to the `m`-byte code at `code` (may be unaligned).
    @inlinable
    public func distance(_ code: UnsafeRawPointer) -> Float {
        let bytes = code.assumingMemoryBound(to: UInt8.self)
        guard let squaredNorms else { return qv_adc_distance(values, bytes, quantizer.subspaceCount) }
        return qv_adc_cosine(values, squaredNorms, bytes, quantizer.subspaceCount)
    }

    /// The ADC distances to `count` consecutive codes at `codes`, written to `out`.
    @inlinable
    public func distances(_ codes: UnsafeRawPointer, count: Int, into out: UnsafeMutablePointer<Float>) {
        guard squaredNorms != nil else {
            qv_adc_distances(values, codes.assumingMemoryBound(to: UInt8.self), quantizer.subspaceCount, count, out)
            return
        }
        for i in 0..<count { out[i] = distance(codes + i * quantizer.subspaceCount) }
    }
}
