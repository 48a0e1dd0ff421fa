/// How a product quantizer splits `dimension` coordinates into `count` contiguous sub-spaces.
///
/// When `dimension` is not a multiple of `count` the sub-spaces are uneven: with
/// `dimension = q·count + r`, the first `r` sub-spaces have `q + 1` coordinates and the others
/// `q` (so 384 into 96 gives 96 × 4, and 100 into 8 gives 4 × 13 then 4 × 12). No padding is
/// stored; every coordinate belongs to exactly one sub-space.
public struct SubspaceLayout: Sendable, Hashable {
    /// The vector dimension.
    public let dimension: Int
    /// The number of sub-spaces (bytes per code).
    public let count: Int

    /// Splits `dimension` coordinates into `count` sub-spaces; `1 ≤ count ≤ dimension` is required.
    public init(dimension: Int, count: Int) throws(ProductQuantizerError) {
        guard dimension >= 1 else { throw .invalidDimension(dimension) }
        guard count >= 1, count <= dimension else { throw .invalidSubspaceCount(count, dimension: dimension) }
        self.dimension = dimension
        self.count = count
    }

    /// The first coordinate of sub-space `j`.
    @inlinable
    public func start(_ j: Int) -> Int {
        let q = dimension / count, r = dimension % count
        return j * q + min(j, r)
    }

    /// The number of coordinates of sub-space `j`.
    @inlinable
    public func width(_ j: Int) -> Int {
        let q = dimension / count, r = dimension % count
        return j < r ? q + 1 : q
    }
}
