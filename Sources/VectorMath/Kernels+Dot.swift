import CVectorKernels

extension Kernels {
    /// Returns the inner product of the `count` floats at `a` and the `count` floats at `b`.
    ///
    /// `b` may be unaligned (for example, a vector inside an LMDB memory map). `count` may be
    /// any non-negative number: 16 floats per step in four independent accumulators, then
    /// 4 floats per step, then a scalar tail.
    @inlinable
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafeRawPointer, count: Int) -> Float {
        #if arch(x86_64)
        switch acceleration {
        case .avx512: return qv_dot_avx512(a, b, count)
        case .avx2: return qv_dot_avx2(a, b, count)
        case .none: break
        }
        #endif
        return portableDot(a, b, count: count)
    }

    /// The portable implementation of ``dot(_:_:count:)``: Swift SIMD with four 4-lane accumulators.
    @inlinable
    public static func portableDot(_ a: UnsafePointer<Float>, _ b: UnsafeRawPointer, count: Int) -> Float {
        let rawA = UnsafeRawPointer(a)
        let lane = laneStride
        var acc0 = SIMD4<Float>()
        var acc1 = SIMD4<Float>()
        var acc2 = SIMD4<Float>()
        var acc3 = SIMD4<Float>()
        var index = 0
        while index &+ 16 <= count {
            let offset = index &* floatStride
            let a0 = rawA.loadUnaligned(fromByteOffset: offset, as: SIMD4<Float>.self)
            let a1 = rawA.loadUnaligned(fromByteOffset: offset &+ lane, as: SIMD4<Float>.self)
            let a2 = rawA.loadUnaligned(fromByteOffset: offset &+ 2 &* lane, as: SIMD4<Float>.self)
            let a3 = rawA.loadUnaligned(fromByteOffset: offset &+ 3 &* lane, as: SIMD4<Float>.self)
            let b0 = b.loadUnaligned(fromByteOffset: offset, as: SIMD4<Float>.self)
            let b1 = b.loadUnaligned(fromByteOffset: offset &+ lane, as: SIMD4<Float>.self)
            let b2 = b.loadUnaligned(fromByteOffset: offset &+ 2 &* lane, as: SIMD4<Float>.self)
            let b3 = b.loadUnaligned(fromByteOffset: offset &+ 3 &* lane, as: SIMD4<Float>.self)
            acc0 += a0 * b0
            acc1 += a1 * b1
            acc2 += a2 * b2
            acc3 += a3 * b3
            index &+= 16
        }
        while index &+ 4 <= count {
            let offset = index &* floatStride
            let a0 = rawA.loadUnaligned(fromByteOffset: offset, as: SIMD4<Float>.self)
            let b0 = b.loadUnaligned(fromByteOffset: offset, as: SIMD4<Float>.self)
            acc0 += a0 * b0
            index &+= 4
        }
        var sum = horizontalSum((acc0 + acc1) + (acc2 + acc3))
        while index < count {
            sum += a[index] * b.loadUnaligned(fromByteOffset: index &* floatStride, as: Float.self)
            index &+= 1
        }
        return sum
    }
}
