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
        /// The negated inner product (for cosine on unit vectors, and dot).
        case negatedInnerProduct
    }

    /// The quantizer whose codes this table scores.
    public let quantizer: ProductQuantizer
    /// What the entries measure.
    public let kind: Kind
    /// `m × 256` floats, sub-space major.
    public let values: UnsafeMutablePointer<Float>

    /// An empty table for `quantizer`; call ``fill(query:)`` before use.
    public init(quantizer: ProductQuantizer, kind: Kind) {
        self.quantizer = quantizer
        self.kind = kind
        let count = quantizer.subspaceCount * ProductQuantizer.centroidCount
        values = .allocate(capacity: count)
        values.initialize(repeating: 0, count: count)
    }

    deinit { values.deallocate() }

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
                case .negatedInnerProduct: qv_pq_ip_table(query + start, centroids, k, layout.width(j), values + j * k)
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
        qv_adc_distance(values, code.assumingMemoryBound(to: UInt8.self), quantizer.subspaceCount)
    }

    /// The ADC distances to `count` consecutive codes at `codes`, written to `out`.
    @inlinable
    public func distances(_ codes: UnsafeRawPointer, count: Int, into out: UnsafeMutablePointer<Float>) {
        qv_adc_distances(values, codes.assumingMemoryBound(to: UInt8.self), quantizer.subspaceCount, count, out)
    }
}
