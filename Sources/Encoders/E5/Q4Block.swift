/// ggml's Q4_0 block format: 32 weights in 18 bytes, a binary16 scale `d` followed by 16
/// bytes whose low nibbles are weights 0–15 and high nibbles weights 16–31; a weight is
/// `(nibble − 8) · d`.
///
/// The product of an integer in −8…7 and a binary16 value is exact in float32, so each
/// dequantized weight has exactly one correct float32 value.
enum Q4Block {
    /// Weights per block.
    static let weights = 32
    /// Bytes per block.
    static let byteCount = 18

    /// Writes the `blockCount · 32` weights of the consecutive blocks at `blocks` to `output`.
    @inline(__always)
    static func dequantize(_ blocks: UnsafeRawPointer, blockCount: Int, into output: UnsafeMutablePointer<Float>) {
        for block in 0..<blockCount {
            let source = blocks + block * byteCount
            let scale = float(halfBits: UInt16(littleEndian: source.loadUnaligned(as: UInt16.self)))
            let target = output + block * weights
            for j in 0..<16 {
                let byte = source.load(fromByteOffset: 2 + j, as: UInt8.self)
                target[j] = Float(Int32(byte & 0x0F) - 8) * scale
                target[j + 16] = Float(Int32(byte >> 4) - 8) * scale
            }
        }
    }

    /// The float32 value of the IEEE binary16 number with bit pattern `bits`, exactly
    /// (subnormals, infinities and NaNs included).
    ///
    /// Written out rather than `Float(Float16(bitPattern:))` because `Float16` is not
    /// available on every platform Quiver supports (macOS on Intel).
    @inline(__always)
    static func float(halfBits bits: UInt16) -> Float {
        let sign: UInt32 = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x03FF)
        if exponent == 0x1F {
            return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
        }
        if exponent == 0 {
            // Zero or subnormal: mantissa · 2⁻²⁴, exact in float32.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        }
        return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
    }
}
