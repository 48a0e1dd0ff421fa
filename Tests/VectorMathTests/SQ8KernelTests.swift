import XCTest
import VectorMath

/// The SQ8 kernels (8-bit records: scale, bias, int8 components) against the portable Swift
/// reference, and the four-at-once kernel against the single one.
final class SQ8KernelTests: XCTestCase {
    private let lengths = Array(0...70) + [128, 384, 385]

    /// Records of `count` random components with random scale and bias, the i-th `offsets[i]`
    /// bytes past a 64-byte boundary; passed to `body`.
    private func withRecords<R>(
        count: Int, offsets: [Int], using rng: inout SplitMix64, _ body: ([UnsafeRawPointer]) -> R
    ) -> R {
        var buffers: [UnsafeMutableRawPointer] = []
        defer { buffers.forEach { $0.deallocate() } }
        var records: [UnsafeRawPointer] = []
        for offset in offsets {
            let raw = UnsafeMutableRawPointer.allocate(byteCount: count + 8 + 64, alignment: 64)
            buffers.append(raw)
            let start = raw + offset
            start.storeBytes(of: Float.random(in: -0.1...0.1, using: &rng), as: Float.self)
            start.storeBytes(of: Float.random(in: -2...2, using: &rng), toByteOffset: 4, as: Float.self)
            for i in 0..<count { start.storeBytes(of: Int8.random(in: -127...127, using: &rng), toByteOffset: 8 + i, as: Int8.self) }
            records.append(UnsafeRawPointer(start))
        }
        return body(records)
    }

    func testKernelMatchesThePortableReference() {
        var rng = SplitMix64(seed: 21)
        let kernel = Kernels.sq8Kernel()
        for count in lengths {
            let query = (0...count).map { _ in Float.random(in: -2...2, using: &rng) }
            for offset in [0, 1, 3, 8] {
                withRecords(count: count, offsets: [offset], using: &rng) { records in
                    let record = records[0]
                    query.withUnsafeBufferPointer { q in
                        guard let base = q.baseAddress else { return XCTFail("no query buffer") }
                        let expected = Kernels.portableSQ8(base, record, count: count)
                        let actual = kernel(base, record, count)
                        // Summation order differs; the terms are at most 2·127 each.
                        let tolerance = 1e-5 * Float(max(count, 1)) * 254 * 0.1 + 1e-5
                        XCTAssertEqual(actual, expected, accuracy: tolerance, "count \(count), offset \(offset)")
                    }
                }
            }
        }
    }

    func testFourAtOnceIsBitIdenticalToTheSingleKernel() throws {
        guard let four = Kernels.sq8Kernel4() else {
            XCTAssertNotEqual(Kernels.acceleration, .avx512, "an AVX-512 CPU must get the four-at-once SQ8 kernel")
            return
        }
        let single = Kernels.sq8Kernel()
        var rng = SplitMix64(seed: 22)
        for count in lengths {
            let query = (0...count).map { _ in Float.random(in: -2...2, using: &rng) }
            for offset in 0..<4 {
                withRecords(count: count, offsets: [offset, offset + 1, offset + 2, offset + 5], using: &rng) { r in
                    query.withUnsafeBufferPointer { q in
                        guard let base = q.baseAddress else { return XCTFail("no query buffer") }
                        var out = [Float](repeating: .nan, count: 4)
                        out.withUnsafeMutableBufferPointer { o in
                            if let o = o.baseAddress { four(base, r[0], r[1], r[2], r[3], count, o) }
                        }
                        for i in 0..<4 {
                            XCTAssertEqual(out[i].bitPattern, single(base, r[i], count).bitPattern,
                                           "count \(count), offset \(offset), record \(i)")
                        }
                    }
                }
            }
        }
    }
}
