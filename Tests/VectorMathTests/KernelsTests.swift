import XCTest
import VectorMath

final class KernelsTests: XCTestCase {
    /// Lengths covering every tail shape of the 16-wide and 4-wide loops, plus common embedding sizes.
    private let lengths = Array(0...70) + [128, 384]

    /// Runs `body` with `b`'s floats copied to a buffer starting `offset` bytes past a 16-byte boundary.
    private func withUnaligned<R>(_ b: [Float], offset: Int, _ body: (UnsafeRawPointer) -> R) -> R {
        let byteCount = b.count * MemoryLayout<Float>.stride
        let raw = UnsafeMutableRawPointer.allocate(byteCount: byteCount + 16, alignment: 16)
        defer { raw.deallocate() }
        let start = raw + offset
        for (index, value) in b.enumerated() {
            start.storeBytes(of: value, toByteOffset: index * MemoryLayout<Float>.stride, as: Float.self)
        }
        return body(UnsafeRawPointer(start))
    }

    private func randomVector(_ count: Int, using rng: inout SplitMix64) -> [Float] {
        (0..<count).map { _ in Float.random(in: -2...2, using: &rng) }
    }

    func testDotMatchesDoubleReferenceForManyLengthsAndAlignments() {
        var rng = SplitMix64(seed: 1)
        for count in lengths {
            let a = randomVector(count, using: &rng)
            let b = randomVector(count, using: &rng)
            let reference = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let magnitude = zip(a, b).reduce(0.0) { $0 + abs(Double($1.0) * Double($1.1)) }
            for offset in 0...3 {
                let result = withUnaligned(b, offset: offset) { pointer in
                    a.withUnsafeBufferPointer { buffer -> Float in
                        guard let base = buffer.baseAddress else { return Kernels.dot([Float](), pointer, count: 0) }
                        return Kernels.dot(base, pointer, count: count)
                    }
                }
                XCTAssertEqual(Double(result), reference, accuracy: 1e-5 * magnitude + 1e-6, "count \(count), offset \(offset)")
            }
        }
    }

    func testSquaredL2MatchesDoubleReferenceForManyLengthsAndAlignments() {
        var rng = SplitMix64(seed: 2)
        for count in lengths {
            let a = randomVector(count, using: &rng)
            let b = randomVector(count, using: &rng)
            let reference = zip(a, b).reduce(0.0) { sum, pair in
                let difference = Double(pair.0) - Double(pair.1)
                return sum + difference * difference
            }
            for offset in 0...3 {
                let result = withUnaligned(b, offset: offset) { pointer in
                    a.withUnsafeBufferPointer { buffer -> Float in
                        guard let base = buffer.baseAddress else { return Kernels.squaredL2([Float](), pointer, count: 0) }
                        return Kernels.squaredL2(base, pointer, count: count)
                    }
                }
                XCTAssertEqual(Double(result), reference, accuracy: 1e-5 * reference + 1e-6, "count \(count), offset \(offset)")
            }
        }
    }

    func testKernelsGiveIdenticalResultsForAlignedAndUnalignedOperands() {
        var rng = SplitMix64(seed: 3)
        for count in [5, 17, 128, 384] {
            let a = randomVector(count, using: &rng)
            let b = randomVector(count, using: &rng)
            let results = (0...3).map { offset in
                withUnaligned(b, offset: offset) { pointer in
                    a.withUnsafeBufferPointer { buffer -> [Float] in
                        guard let base = buffer.baseAddress else { return [] }
                        return [Kernels.dot(base, pointer, count: count), Kernels.squaredL2(base, pointer, count: count)]
                    }
                }
            }
            for result in results.dropFirst() {
                XCTAssertEqual(result, results[0], "count \(count)")
            }
        }
    }

    func testSquaredL2OfAVectorWithItselfIsZero() {
        let a: [Float] = (0..<37).map { Float($0) * 0.25 - 3 }
        let distance = a.withUnsafeBufferPointer { buffer -> Float in
            guard let base = buffer.baseAddress else { return -1 }
            return Kernels.squaredL2(base, UnsafeRawPointer(base), count: buffer.count)
        }
        XCTAssertEqual(distance, 0)
    }

    func testNormalizeLeavesZeroVectorZero() {
        var zero = [Float](repeating: 0, count: 10)
        XCTAssertEqual(Kernels.normalize(&zero), 0)
        XCTAssertEqual(zero, [Float](repeating: 0, count: 10))
        XCTAssertFalse(zero.contains { $0.isNaN })

        var empty: [Float] = []
        XCTAssertEqual(Kernels.normalize(&empty), 0)
        XCTAssertEqual(empty, [])
    }

    func testNormalizeReturnsNormAndProducesUnitVector() {
        var v: [Float] = [3, 4]
        XCTAssertEqual(Kernels.normalize(&v), 5)
        XCTAssertEqual(v, [0.6, 0.8])

        var rng = SplitMix64(seed: 4)
        for count in [1, 3, 16, 33, 128, 384] {
            var vector = randomVector(count, using: &rng)
            let expectedNorm = vector.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            let norm = Kernels.normalize(&vector)
            XCTAssertEqual(Double(norm), expectedNorm, accuracy: 1e-5 * expectedNorm)
            let newNorm = vector.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            XCTAssertEqual(newNorm, 1, accuracy: 1e-6, "count \(count)")
        }
    }
}
