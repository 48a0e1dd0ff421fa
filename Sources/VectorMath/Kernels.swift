/// A namespace for allocation-free distance kernels over `Float` vectors.
///
/// The second operand of each kernel is an untyped pointer because it usually points
/// into a memory-mapped database page, where a vector may start at any byte offset.
/// The kernels read both operands with unaligned loads and never bind memory to SIMD types.
///
/// Every kernel sums in a fixed order (four independent 4-lane accumulators, then a
/// fixed pairwise reduction, then a scalar tail), so results are reproducible bit for bit.
public enum Kernels {
    /// The size in bytes of one `Float`.
    @inlinable
    static var floatStride: Int { MemoryLayout<Float>.stride }

    /// The size in bytes of one four-lane `SIMD4<Float>`.
    @inlinable
    static var laneStride: Int { MemoryLayout<SIMD4<Float>>.stride }

    /// Adds the four lanes of `v` in a fixed order: `(v0 + v1) + (v2 + v3)`.
    @inlinable
    static func horizontalSum(_ v: SIMD4<Float>) -> Float {
        (v[0] + v[1]) + (v[2] + v[3])
    }
}
