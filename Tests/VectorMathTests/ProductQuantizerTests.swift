import XCTest
import VectorMath

final class ProductQuantizerTests: XCTestCase {
    /// `n` rows of `d` floats around `clusters` random centres (uniform noise of ±`noise`), row-major.
    private func clustered(_ n: Int, _ d: Int, clusters: Int, noise: Float, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        let centres = (0..<clusters).map { _ in (0..<d).map { _ in Float.random(in: -1...1, using: &rng) } }
        var out: [Float] = []
        out.reserveCapacity(n * d)
        for _ in 0..<n {
            let c = centres[Int.random(in: 0..<clusters, using: &rng)]
            out.append(contentsOf: c.map { $0 + Float.random(in: -noise...noise, using: &rng) })
        }
        return out
    }

    func testUnevenSubspacesCoverEveryCoordinateOnce() throws {
        let layout = try SubspaceLayout(dimension: 10, count: 3)
        XCTAssertEqual((0..<3).map(layout.start), [0, 4, 7])
        XCTAssertEqual((0..<3).map(layout.width), [4, 3, 3])
        let even = try SubspaceLayout(dimension: 384, count: 96)
        XCTAssertEqual(even.start(95) + even.width(95), 384)
        XCTAssertTrue((0..<96).allSatisfy { even.width($0) == 4 })
        XCTAssertThrowsError(try SubspaceLayout(dimension: 8, count: 9))
        XCTAssertThrowsError(try SubspaceLayout(dimension: 8, count: 0))
    }

    func testRoundTripErrorIsBelowTheNoiseOnClusteredData() throws {
        let d = 32, n = 4_000
        let data = clustered(n, d, clusters: 16, noise: 0.05, seed: 7)
        let pq = try ProductQuantizer.train(sample: data, layout: SubspaceLayout(dimension: d, count: 8), seed: 1)
        let mse = pq.meanSquaredError(data)
        // Snapping every vector to its cluster centre would cost the noise variance: d · 0.05² / 3.
        let noiseVariance = Double(d) * 0.05 * 0.05 / 3
        XCTAssertLessThan(mse, noiseVariance, "PQ with 256 centroids per sub-space must beat 16 cluster centres")
        // And it must be tiny next to the data's own spread.
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for t in 0..<d { mean[t] += Double(data[i * d + t]) / Double(n) } }
        var variance = 0.0
        for i in 0..<n { for t in 0..<d { variance += pow(Double(data[i * d + t]) - mean[t], 2) / Double(n) } }
        XCTAssertLessThan(mse, 0.01 * variance)
        // One vector by hand: decode(encode(x)) is close to x.
        let x = Array(data[0..<d])
        let back = try pq.decode(try pq.encode(x))
        let error = zip(x, back).reduce(Float(0)) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        XCTAssertLessThan(Double(error), 4 * noiseVariance)
    }

    func testADCEqualsDistanceToTheDecodedVector() throws {
        for (d, m) in [(32, 8), (30, 7), (384, 96), (128, 32), (20, 20)] {
            let data = clustered(600, d, clusters: 10, noise: 0.2, seed: UInt64(d * 100 + m))
            let pq = try ProductQuantizer.train(sample: data, layout: SubspaceLayout(dimension: d, count: m), iterations: 8, seed: 3)
            let queries = clustered(20, d, clusters: 3, noise: 0.5, seed: 99)
            for kind in [ADCTable.Kind.squaredL2, .negatedInnerProduct, .cosine] {
                let table = ADCTable(quantizer: pq, kind: kind)
                for qi in 0..<20 {
                    let q = Array(queries[(qi * d)..<((qi + 1) * d)])
                    try table.fill(query: q)
                    for i in stride(from: 0, to: 600, by: 37) {
                        let code = try pq.encode(Array(data[(i * d)..<((i + 1) * d)]))
                        let decoded = try pq.decode(code)
                        let reference: Double = switch kind {
                        case .squaredL2: zip(q, decoded).reduce(0) { $0 + pow(Double($1.0) - Double($1.1), 2) }
                        case .negatedInnerProduct: -zip(q, decoded).reduce(0) { $0 + Double($1.0) * Double($1.1) }
                        case .cosine:
                            -zip(q, decoded).reduce(0) { $0 + Double($1.0) * Double($1.1) }
                                / decoded.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
                        }
                        let magnitude = zip(q, decoded).reduce(0.0) { $0 + abs(Double($1.0) * Double($1.1)) + Double($1.0 * $1.0) }
                        let adc = code.withUnsafeBytes { table.distance($0.baseAddress!) }
                        XCTAssertEqual(Double(adc), reference, accuracy: 1e-5 * magnitude + 1e-6, "d \(d) m \(m) \(kind)")
                    }
                }
                // The batch kernel agrees with the single one.
                let codes = try (0..<50).flatMap { i in try pq.encode(Array(data[(i * d)..<((i + 1) * d)])) }
                var batch = [Float](repeating: 0, count: 50)
                codes.withUnsafeBytes { c in batch.withUnsafeMutableBufferPointer { table.distances(c.baseAddress!, count: 50, into: $0.baseAddress!) } }
                for i in 0..<50 {
                    let single = codes.withUnsafeBytes { table.distance($0.baseAddress! + i * m) }
                    XCTAssertEqual(batch[i], single)
                }
            }
        }
    }

    func testTrainingIsDeterministicForASeed() throws {
        let data = clustered(1_000, 24, clusters: 12, noise: 0.1, seed: 5)
        let layout = try SubspaceLayout(dimension: 24, count: 5)
        let a = try ProductQuantizer.train(sample: data, layout: layout, iterations: 10, seed: 42)
        let b = try ProductQuantizer.train(sample: data, layout: layout, iterations: 10, seed: 42)
        let c = try ProductQuantizer.train(sample: data, layout: layout, iterations: 10, seed: 43)
        XCTAssertEqual(a.codebook, b.codebook)
        XCTAssertNotEqual(a.codebook, c.codebook)
        // Sub-spaces trained separately (as a store does, concurrently) give the same codebook.
        let blocks = try (0..<5).map { try ProductQuantizer.trainSubspace($0, layout: layout, sample: data, iterations: 10, seed: 42) }
        XCTAssertEqual(try ProductQuantizer(layout: layout, subspaceCentroids: blocks).codebook, a.codebook)
    }

    func testFewDistinctPointsLeaveNoClusterEmptyAndReconstructExactly() throws {
        // 100 distinct points repeated to 300 rows: more centroids than distinct points.
        let distinct = clustered(100, 8, clusters: 100, noise: 0, seed: 11)
        var data: [Float] = []
        for _ in 0..<3 { data += distinct }
        let pq = try ProductQuantizer.train(sample: data, layout: SubspaceLayout(dimension: 8, count: 2), seed: 2)
        XCTAssertEqual(pq.meanSquaredError(data), 0, accuracy: 1e-10)
        XCTAssertTrue(pq.codebook.allSatisfy(\.isFinite))
    }

    func testWrongLengthsAreRefusedWithTypedErrors() throws {
        let pq = try ProductQuantizer(layout: SubspaceLayout(dimension: 8, count: 2), codebook: [Float](repeating: 0, count: 8 * 256))
        XCTAssertThrowsError(try pq.encode([1, 2, 3])) { XCTAssertEqual($0 as? ProductQuantizerError, .lengthMismatch(expected: 8, actual: 3)) }
        XCTAssertThrowsError(try pq.decode([1, 2, 3])) { XCTAssertEqual($0 as? ProductQuantizerError, .lengthMismatch(expected: 2, actual: 3)) }
        XCTAssertThrowsError(try ADCTable(quantizer: pq, kind: .squaredL2).fill(query: [1])) {
            XCTAssertEqual($0 as? ProductQuantizerError, .lengthMismatch(expected: 8, actual: 1))
        }
    }

    func testBadTrainingInputIsRefusedWithTypedErrors() throws {
        let layout = try SubspaceLayout(dimension: 4, count: 2)
        XCTAssertThrowsError(try ProductQuantizer.train(sample: [Float](repeating: 1, count: 4 * 100), layout: layout)) {
            XCTAssertEqual($0 as? ProductQuantizerError, .tooFewTrainingVectors(100, needed: 256))
        }
        XCTAssertThrowsError(try ProductQuantizer.train(sample: [Float](repeating: 1, count: 4 * 300 + 1), layout: layout)) {
            XCTAssertEqual($0 as? ProductQuantizerError, .sampleShape(values: 1201, dimension: 4))
        }
        var nan = [Float](repeating: 1, count: 4 * 300)
        nan[17] = .nan
        XCTAssertThrowsError(try ProductQuantizer.train(sample: nan, layout: layout)) {
            XCTAssertEqual($0 as? ProductQuantizerError, .nonFiniteSample)
        }
        XCTAssertThrowsError(try ProductQuantizer(layout: layout, codebook: [1, 2, 3])) {
            XCTAssertEqual($0 as? ProductQuantizerError, .codebookSize(values: 3, expected: 1024))
        }
    }

    func testADCKernelMatchesAScalarSumForEveryTailLength() throws {
        var rng = SplitMix64(seed: 3)
        for m in 1...40 {
            let table = (0..<(m * 256)).map { _ in Float.random(in: -1...1, using: &rng) }
            let code = (0..<m).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let reference = (0..<m).reduce(0.0) { $0 + Double(table[$1 * 256 + Int(code[$1])]) }
            let pq = try ProductQuantizer(layout: SubspaceLayout(dimension: m, count: m), codebook: [Float](repeating: 0, count: m * 256))
            let adc = ADCTable(quantizer: pq, kind: .squaredL2)
            adc.values.update(from: table, count: table.count)
            let value = code.withUnsafeBytes { adc.distance($0.baseAddress!) }
            XCTAssertEqual(Double(value), reference, accuracy: 1e-5 * Double(m), "m \(m)")
        }
    }
}
