import XCTest
import VectorMath

/// The four-at-once kernels must give exactly what four calls of the single kernel give (the
/// graph searches use them interchangeably, and results are promised reproducible bit for bit).
final class BatchKernelsTests: XCTestCase {
    private let lengths = Array(0...70) + [128, 384, 385]

    /// Four random vectors of `count` floats, each copied to its own buffer starting `offset + i`
    /// floats' bytes past a 64-byte boundary (so the four differ in alignment), passed to `body`.
    private func withFourVectors<R>(
        count: Int, offset: Int, using rng: inout SplitMix64, _ body: ([UnsafeRawPointer]) -> R
    ) -> R {
        let stride = MemoryLayout<Float>.stride
        var buffers: [UnsafeMutableRawPointer] = []
        defer { buffers.forEach { $0.deallocate() } }
        var starts: [UnsafeRawPointer] = []
        for i in 0..<4 {
            let raw = UnsafeMutableRawPointer.allocate(byteCount: (count + 8) * stride, alignment: 64)
            buffers.append(raw)
            let start = raw + ((offset + i) % 8) * stride
            for j in 0..<count { start.storeBytes(of: Float.random(in: -2...2, using: &rng), toByteOffset: j * stride, as: Float.self) }
            starts.append(UnsafeRawPointer(start))
        }
        return body(starts)
    }

    private func check(single: Kernels.Distance, four: Kernels.Distance4, seed: UInt64, name: String) {
        var rng = SplitMix64(seed: seed)
        for count in lengths {
            // One spare float so even an empty query has an address (the kernels read `count`).
            let query = (0...count).map { _ in Float.random(in: -2...2, using: &rng) }
            for offset in 0..<4 {
                withFourVectors(count: count, offset: offset, using: &rng) { vectors in
                    query.withUnsafeBufferPointer { q in
                        var out = [Float](repeating: .nan, count: 4)
                        guard let base = q.baseAddress else { return XCTFail("no query buffer") }
                        out.withUnsafeMutableBufferPointer { o in
                            guard let o = o.baseAddress else { return XCTFail("no output buffer") }
                            four(base, vectors[0], vectors[1], vectors[2], vectors[3], count, o)
                        }
                        for i in 0..<4 {
                            let expected = single(base, vectors[i], count)
                            XCTAssertEqual(out[i].bitPattern, expected.bitPattern,
                                           "\(name): count \(count), offset \(offset), vector \(i): \(out[i]) vs \(expected)")
                        }
                    }
                }
            }
        }
    }

    func testFourAtOnceKernelsAreBitIdenticalToTheSingleKernels() throws {
        guard let dot4 = Kernels.dotKernel4(), let l2sq4 = Kernels.squaredL2Kernel4() else {
            // Only AVX-512 machines have them; elsewhere the searches call the single kernel four times.
            XCTAssertNotEqual(Kernels.acceleration, .avx512, "an AVX-512 CPU must get the four-at-once kernels")
            return
        }
        check(single: Kernels.dotKernel(), four: dot4, seed: 11, name: "dot")
        check(single: Kernels.squaredL2Kernel(), four: l2sq4, seed: 12, name: "squared L2")
    }
}
