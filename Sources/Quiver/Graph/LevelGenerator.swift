import Foundation

/// Draws each node's top level from the exponential distribution of the HNSW paper
/// (`⌊−ln(U) · mL⌋`, `mL = 1 / ln M`), as a pure function of the seed and the node id —
/// so a graph's levels are reproducible whatever the batch boundaries or thread count.
struct LevelGenerator: Sendable {
    let seed: UInt64
    let multiplier: Double

    init(seed: UInt64, m: Int) {
        self.seed = seed
        self.multiplier = 1 / log(Double(max(m, 2)))
    }

    /// The top level of node `id` (0 for most nodes, at most 31).
    func level(of id: UInt32) -> Int {
        // SplitMix64 of (seed, id): uniform bits, then a uniform double in (0, 1].
        var z = seed &+ (UInt64(id) &+ 1) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        let uniform = (Double(z >> 11) + 1) / Double(1 << 53)
        return min(31, Int(-log(uniform) * multiplier))
    }
}
