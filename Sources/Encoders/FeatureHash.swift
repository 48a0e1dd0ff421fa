/// A fixed, process-independent 64-bit hash of a feature's UTF-8 bytes.
///
/// 64-bit FNV-1a over the bytes, followed by the MurmurHash3 `fmix64` finalizer so that
/// every output bit (in particular the low bits used for the bucket and the top bit used
/// for the sign) depends on every input byte. Unlike `Hasher`, it is never seeded, so the
/// same bytes hash to the same value in every process on every platform.
struct FeatureHash {
    /// The FNV-1a 64-bit offset basis.
    private static var offsetBasis: UInt64 { 0xcbf2_9ce4_8422_2325 }
    /// The FNV-1a 64-bit prime.
    private static var prime: UInt64 { 0x0000_0100_0000_01b3 }

    /// The running FNV-1a state.
    private var state: UInt64 = FeatureHash.offsetBasis

    /// Creates a hash of the empty byte string.
    init() {}

    /// Feeds one byte.
    @inline(__always)
    mutating func combine(_ byte: UInt8) {
        state = (state ^ UInt64(byte)) &* FeatureHash.prime
    }

    /// Feeds the bytes of `buffer` in `range`, in order.
    @inline(__always)
    mutating func combine(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        var value = state
        var index = range.lowerBound
        while index < range.upperBound {
            value = (value ^ UInt64(buffer[index])) &* FeatureHash.prime
            index &+= 1
        }
        state = value
    }

    /// The finished hash: the FNV-1a state passed through `fmix64`.
    @inline(__always)
    func finalized() -> UInt64 {
        var value = state
        value ^= value >> 33
        value = value &* 0xff51_afd7_ed55_8ccd
        value ^= value >> 33
        value = value &* 0xc4ce_b9fe_1a85_ec53
        value ^= value >> 33
        return value
    }
}
