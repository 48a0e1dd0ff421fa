/// The element-wise and row-wise steps of the BERT forward pass (everything but the matrix products),
/// written over 16-lane SIMD vectors.
enum BertKernels {
    /// The SIMD vector the kernels work in.
    typealias Vector = SIMD16<Float>

    /// Loads 16 floats from `pointer` (no alignment needed).
    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(pointer).loadUnaligned(as: Vector.self)
    }

    /// Stores 16 floats at `pointer` (no alignment needed).
    @inline(__always)
    static func store(_ vector: Vector, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: Vector.self)
    }

    /// The lane-wise maximum of `a` and `b`.
    ///
    /// Written with a comparison mask, which compiles to vector instructions
    /// (the generic `pointwiseMax` compiles to a loop over lanes).
    @inline(__always)
    static func maximum(_ a: Vector, _ b: Vector) -> Vector {
        a.replacing(with: b, where: a .< b)
    }

    /// `output = LayerNorm(a + b) · scale + shift` over one row of `width` floats.
    ///
    /// `output` may be the same memory as `b` (the residual, updated in place).
    @inline(__always)
    static func layerNorm(
        sumOf a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
        scale: UnsafePointer<Float>, shift: UnsafePointer<Float>,
        epsilon: Float, width: Int, into output: UnsafeMutablePointer<Float>
    ) {
        let vectorEnd = width - width % Vector.scalarCount
        var i = 0
        while i < vectorEnd {
            store(load(a + i) + load(b + i), output + i)
            i += Vector.scalarCount
        }
        while i < width {
            output[i] = a[i] + b[i]
            i += 1
        }
        normalize(output, scale: scale, shift: shift, epsilon: epsilon, width: width)
    }

    /// `output = LayerNorm(a + b + c) · scale + shift` over one row of `width` floats.
    static func layerNorm(
        sumOf a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, plus c: UnsafePointer<Float>,
        scale: UnsafePointer<Float>, shift: UnsafePointer<Float>,
        epsilon: Float, width: Int, into output: UnsafeMutablePointer<Float>
    ) {
        let vectorEnd = width - width % Vector.scalarCount
        var i = 0
        while i < vectorEnd {
            store(load(a + i) + load(b + i) + load(c + i), output + i)
            i += Vector.scalarCount
        }
        while i < width {
            output[i] = a[i] + b[i] + c[i]
            i += 1
        }
        normalize(output, scale: scale, shift: shift, epsilon: epsilon, width: width)
    }

    /// `row = (row − mean) / √(variance + ε) · scale + shift` in place, over `width` floats.
    ///
    /// Mean and variance are computed in two passes (no cancellation), as PyTorch does.
    @inline(__always)
    static func normalize(
        _ row: UnsafeMutablePointer<Float>, scale: UnsafePointer<Float>, shift: UnsafePointer<Float>,
        epsilon: Float, width: Int
    ) {
        let vectorEnd = width - width % Vector.scalarCount
        var sums = Vector()
        var i = 0
        while i < vectorEnd {
            sums += load(row + i)
            i += Vector.scalarCount
        }
        var sum = sums.sum()
        while i < width {
            sum += row[i]
            i += 1
        }
        let mean = sum / Float(width)

        var squares = Vector()
        i = 0
        while i < vectorEnd {
            let d = load(row + i) - mean
            squares += d * d
            i += Vector.scalarCount
        }
        var squareSum = squares.sum()
        while i < width {
            let d = row[i] - mean
            squareSum += d * d
            i += 1
        }
        let inverseDeviation = 1 / (squareSum / Float(width) + epsilon).squareRoot()

        i = 0
        while i < vectorEnd {
            let normalized = (load(row + i) - mean) * inverseDeviation
            store(normalized * load(scale + i) + load(shift + i), row + i)
            i += Vector.scalarCount
        }
        while i < width {
            row[i] = (row[i] - mean) * inverseDeviation * scale[i] + shift[i]
            i += 1
        }
    }

    /// Copies `bias` (`columns` floats) into each of `rows` rows of `matrix` (row stride `columns`).
    static func broadcast(_ bias: UnsafePointer<Float>, into matrix: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        for row in 0..<rows {
            (matrix + row * columns).update(from: bias, count: columns)
        }
    }

    /// Replaces each of the `count` floats at `values` by its exact (erf) GELU.
    static func gelu(_ values: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            values[i] = gelu(values[i])
        }
    }

    /// Replaces the `count` floats at `row` by their softmax.
    static func softmax(_ row: UnsafeMutablePointer<Float>, count: Int) {
        let vectorEnd = count - count % Vector.scalarCount
        var maxima = Vector(repeating: -.infinity)
        var i = 0
        while i < vectorEnd {
            maxima = maximum(maxima, load(row + i))
            i += Vector.scalarCount
        }
        var largest = maxima.max()
        while i < count {
            largest = row[i] > largest ? row[i] : largest
            i += 1
        }
        for j in 0..<count {
            row[j] = exp(row[j] - largest)
        }
        let inverse = 1 / sum(row, count: count)
        for j in 0..<count {
            row[j] *= inverse
        }
    }

    /// The sum of the `count` floats at `values` (in 16 interleaved partial sums).
    @inline(__always)
    static func sum(_ values: UnsafePointer<Float>, count: Int) -> Float {
        let vectorEnd = count - count % Vector.scalarCount
        var sums = Vector()
        var i = 0
        while i < vectorEnd {
            sums += load(values + i)
            i += Vector.scalarCount
        }
        var total = sums.sum()
        while i < count {
            total += values[i]
            i += 1
        }
        return total
    }

    /// The exact GELU `0.5 · x · (1 + erf(x / √2))`.
    ///
    /// The scalar kernels (`gelu`, `erf`, `exp`) are written for loops that the compiler
    /// vectorizes in optimized builds, and that stay fast in debug builds (where generic SIMD
    /// code is about 30 times slower than scalar code).
    @inline(__always)
    static func gelu(_ x: Float) -> Float {
        0.5 * x * (1 + erf(x * 0.707_106_781_186_547_5))
    }

    /// `erf(x)`, within 5e-7 of the exact value.
    ///
    /// A rational approximation `x·P(x²)/Q(x²)` on [−4, 4] (degrees 13/8, the coefficients
    /// Eigen uses for `erf` in single precision; 6.5e-8 in exact arithmetic, the rest is float
    /// rounding); beyond ±4, erf is ±1 to single precision. No fused multiply-add is used, so
    /// the result does not depend on the instruction set the compiler targets.
    @inline(__always)
    static func erf(_ value: Float) -> Float {
        let x = value < -4 ? -4 : (value > 4 ? 4 : value)
        let x2 = x * x
        var p = x2 * -2.726_142_258_013_06e-10 + 2.770_681_424_959_02e-08
        p = x2 * p - 2.101_024_020_825_08e-06
        p = x2 * p - 5.692_506_394_623_46e-05
        p = x2 * p - 7.349_906_303_268_55e-04
        p = x2 * p - 2.954_599_808_540_25e-03
        p = x2 * p - 1.609_603_332_624_15e-02
        var q = x2 * -1.456_607_184_649_96e-05 - 2.133_740_552_789_05e-04
        q = x2 * q - 1.682_826_974_382_03e-03
        q = x2 * q - 7.373_329_167_204_68e-03
        q = x2 * q - 1.426_473_905_141_89e-02
        return x * p / q
    }

    /// `e^x` (Cephes `expf`: range reduction by ln 2 and a degree-5 polynomial, within 2 ulp),
    /// for x ≤ 88; inputs below −87.3 (−∞ included) give about 1e-38 instead of 0.
    @inline(__always)
    static func exp(_ value: Float) -> Float {
        let x = value < -87.336_544 ? -87.336_544 : (value > 88 ? 88 : value)
        // Round x·log2(e) to the nearest integer n with the 1.5·2²³ trick: the sum's low
        // mantissa bits hold n, and subtracting the constant back gives n as a float.
        let magic: Float = 12_582_912
        let shifted = x * 1.442_695_040_888_963_4 + magic
        let n = shifted - magic
        let exponent = Int32(bitPattern: shifted.bitPattern) &- Int32(bitPattern: magic.bitPattern)
        let r = x - n * 0.693_359_375 - n * -2.121_944_400_546_905_8e-4
        let r2 = r * r
        var p = r * 1.987_569_150_0e-4 + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        let y = p * r2 + r + 1
        return y * Float(bitPattern: UInt32(bitPattern: (exponent &+ 127) &<< 23))
    }

    /// `sum / count` of `rows` rows of `width` floats starting at `matrix` (row stride `width`),
    /// scaled to unit length (a zero mean stays zero), written to `output`.
    static func meanPoolNormalized(_ matrix: UnsafePointer<Float>, rows: Int, width: Int, into output: UnsafeMutablePointer<Float>) {
        output.initialize(repeating: 0, count: width)
        for row in 0..<rows {
            let line = matrix + row * width
            for j in 0..<width { output[j] += line[j] }
        }
        let inverseCount = 1 / Float(Swift.max(rows, 1))
        var squareSum: Float = 0
        for j in 0..<width {
            output[j] *= inverseCount
            squareSum += output[j] * output[j]
        }
        let inverseNorm = 1 / Swift.max(squareSum.squareRoot(), 1e-12)
        for j in 0..<width { output[j] *= inverseNorm }
    }
}
