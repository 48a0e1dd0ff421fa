import CVectorKernels

/// A namespace for allocation-free distance kernels over `Float` vectors.
///
/// The second operand of each kernel is an untyped pointer because it usually points
/// into a memory-mapped database page, where a vector may start at any byte offset.
/// The kernels read both operands with unaligned loads and never bind memory to SIMD types.
///
/// Every kernel sums in a fixed order, so results are reproducible bit for bit on one
/// machine. On x86-64 the kernels run AVX-512 or AVX2+FMA code (from the C module
/// `CVectorKernels`, compiled with function target attributes because Swift packages may not
/// pass `-mavx2` to a library) when the CPU has it; elsewhere, portable Swift SIMD.
public enum Kernels {
    /// The instruction-set extensions the distance kernels use on this CPU.
    public enum Acceleration: Sendable {
        /// Portable Swift SIMD (SSE2 on x86-64, NEON on arm64).
        case none
        /// 256-bit AVX2 with fused multiply-add.
        case avx2
        /// 512-bit AVX-512F.
        case avx512
    }

    /// What this CPU offers, detected once.
    public static let acceleration: Acceleration = {
        switch qv_cpu_level() {
        case 3: .avx512
        case 2: .avx2
        default: .none
        }
    }()

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

    /// A distance function between `count` floats at the first pointer and at the second.
    public typealias Distance = @Sendable (UnsafePointer<Float>, UnsafeRawPointer, Int) -> Float

    /// The inner-product kernel for this CPU, resolved once: hot loops call it without
    /// re-checking ``acceleration`` per vector.
    public static func dotKernel() -> Distance {
        #if arch(x86_64)
        switch acceleration {
        case .avx512: return { qv_dot_avx512($0, $1, $2) }
        case .avx2: return { qv_dot_avx2($0, $1, $2) }
        case .none: break
        }
        #endif
        return { portableDot($0, $1, count: $2) }
    }

    /// Four distances from one query to four vectors, written to the last pointer's four floats.
    public typealias Distance4 = @Sendable (
        UnsafePointer<Float>, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, Int,
        UnsafeMutablePointer<Float>
    ) -> Void

    /// The four-at-once inner-product kernel where this CPU has one (AVX-512), else nil (call
    /// ``dotKernel()`` four times). Its results are bit-identical to the single kernel's; it
    /// is faster when the vectors come from memory, whose four loads then stream side by side.
    public static func dotKernel4() -> Distance4? {
        #if arch(x86_64)
        if acceleration == .avx512 { return { qv_dot4_avx512($0, $1, $2, $3, $4, $5, $6) } }
        #endif
        return nil
    }

    /// The four-at-once squared-L2 kernel where this CPU has one (see ``dotKernel4()``).
    public static func squaredL2Kernel4() -> Distance4? {
        #if arch(x86_64)
        if acceleration == .avx512 { return { qv_l2sq4_avx512($0, $1, $2, $3, $4, $5, $6) } }
        #endif
        return nil
    }

    /// The squared-L2 kernel for this CPU, resolved once (see ``dotKernel()``).
    public static func squaredL2Kernel() -> Distance {
        #if arch(x86_64)
        switch acceleration {
        case .avx512: return { qv_l2sq_avx512($0, $1, $2) }
        case .avx2: return { qv_l2sq_avx2($0, $1, $2) }
        case .none: break
        }
        #endif
        return { portableSquaredL2($0, $1, count: $2) }
    }
}
