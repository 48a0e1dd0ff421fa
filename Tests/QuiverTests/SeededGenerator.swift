/// SplitMix64: a small seedable generator so test data is reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `n` vectors of `d` floats: points around `clusters` random centres (like real embeddings).
    mutating func clusteredVectors(_ n: Int, _ d: Int, clusters: Int = 20) -> [[Float]] {
        let centres = (0..<clusters).map { _ in (0..<d).map { _ in Float.random(in: -1...1, using: &self) } }
        return (0..<n).map { _ in
            let c = centres[Int.random(in: 0..<clusters, using: &self)]
            return c.map { $0 + Float.random(in: -0.35...0.35, using: &self) }
        }
    }
}
