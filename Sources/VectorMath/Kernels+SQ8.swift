import CVectorKernels

extension Kernels {
    /// Bytes before the components of an SQ8 record: the little-endian `scale` and `bias` floats.
    public static let sq8HeaderBytes = 8

    /// The SQ8 distance kernel for this CPU: from `count` query floats to an 8-bit record
    /// (`scale`, `bias`, then `count` int8 components c), `bias + scale · Σ q[i]·c[i]`.
    public static func sq8Kernel() -> Distance {
        #if arch(x86_64)
        switch acceleration {
        case .avx512: return { qv_sq8_avx512($0, $1, $2) }
        case .avx2: return { qv_sq8_avx2($0, $1, $2) }
        case .none: break
        }
        #endif
        return { portableSQ8($0, $1, count: $2) }
    }

    /// The four-at-once SQ8 kernel where this CPU has one (AVX-512), else nil; each of its
    /// results equals ``sq8Kernel()``'s for the same record.
    public static func sq8Kernel4() -> Distance4? {
        #if arch(x86_64)
        if acceleration == .avx512 { return { qv_sq8x4_avx512($0, $1, $2, $3, $4, $5, $6) } }
        #endif
        return nil
    }

    /// The SQ8 distance in portable Swift (the reference the tests compare the kernels with).
    public static func portableSQ8(_ query: UnsafePointer<Float>, _ record: UnsafeRawPointer, count: Int) -> Float {
        let scale = Float(bitPattern: UInt32(littleEndian: record.loadUnaligned(as: UInt32.self)))
        let bias = Float(bitPattern: UInt32(littleEndian: record.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
        let components = (record + sq8HeaderBytes).assumingMemoryBound(to: Int8.self)
        var sum: Float = 0
        for i in 0..<count { sum += query[i] * Float(components[i]) }
        return bias + scale * sum
    }
}
