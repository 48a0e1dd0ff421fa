/// XLM-R's text normaliser (Hugging Face's `Precompiled` normaliser over SentencePiece's
/// `nmt_nfkc` charsmap), rebuilt from a model file's per-code-point table and the
/// cluster rules in ``ClusterRules``.
///
/// For each extended grapheme cluster (a Swift `Character`) shorter than 6 UTF-8 bytes and
/// made of several code points, the shortest matching key wins for the whole cluster: the
/// first code point's own rule if it has one, else a cluster rule; the rest of the cluster is
/// dropped. Every other cluster is mapped code point by code point.
struct SentencePieceNormalizer: Sendable {
    /// The per-code-point map.
    let table: NormalizationTable

    /// Appends the normalised scalars of `text` to `output`.
    func normalize(_ text: String, into output: inout [Unicode.Scalar]) {
        for character in text {
            let scalars = character.unicodeScalars
            if scalars.count > 1, character.utf8.count < 6, let replacement = clusterReplacement(scalars) {
                output.append(contentsOf: replacement)
                continue
            }
            for scalar in scalars {
                if let replacement = table.replacement(for: scalar) {
                    output.append(contentsOf: replacement)
                } else {
                    output.append(scalar)
                }
            }
        }
    }

    /// The replacement of a whole multi-code-point cluster by its shortest matching key, or `nil`.
    private func clusterReplacement(_ scalars: Character.UnicodeScalarView) -> [Unicode.Scalar]? {
        guard let first = scalars.first else { return nil }
        if let replacement = table.replacement(for: first) { return replacement }
        var key: [UInt32] = [first.value]
        for scalar in scalars.dropFirst().prefix(ClusterRules.longestKey - 1) {
            key.append(scalar.value)
            if let replacement = ClusterRules.rules[key] { return replacement }
        }
        return nil
    }
}
