extension Kernels {
    /// Returns the Euclidean norm; divides in place when norm > 0 (zero vectors stay zero).
    ///
    /// The sum of squares uses the same fixed-order accumulation as ``dot(_:_:count:)``,
    /// so the result is reproducible bit for bit.
    @discardableResult
    public static func normalize(_ v: inout [Float]) -> Float {
        let squaredNorm: Float = v.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return 0 }
            return dot(base, UnsafeRawPointer(base), count: buffer.count)
        }
        let norm = squaredNorm.squareRoot()
        guard norm > 0 else { return norm }
        v.withUnsafeMutableBufferPointer { buffer in
            for index in buffer.indices {
                buffer[index] /= norm
            }
        }
        return norm
    }
}
