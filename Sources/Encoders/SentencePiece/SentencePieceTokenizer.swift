/// XLM-RoBERTa's SentencePiece Unigram tokenizer, as `transformers` 5 runs it for
/// multilingual-e5-small: special tokens, normalisation, whitespace split, `▁` word marker,
/// Viterbi segmentation, truncation, `<s>` … `</s>`.
///
/// Steps, in order:
/// 1. Literal `<s>`, `<pad>`, `</s>`, `<unk>` and `<mask>` in the text are cut out and emit
///    their ids; the text between them is tokenised separately.
/// 2. Each piece of text is normalised (``SentencePieceNormalizer``).
/// 3. It is split on whitespace, which is dropped (leading, trailing and repeated
///    whitespace give no tokens).
/// 4. Every word gets the word-start marker `▁` (U+2581) in front.
/// 5. Each word is segmented by the Unigram model: the segmentation with the highest total
///    piece score (float64 sums, first path found wins ties); a character no piece spells
///    becomes `<unk>` (score: lowest piece score − 10), and runs of `<unk>` fuse into one.
/// 6. The ids are cut to `maximumLength − 2` and wrapped in `<s>` … `</s>`.
///
/// Works on Unicode scalars throughout (grapheme clusters only for normalisation); text may
/// hold NUL and any other scalar. Thread-safe: the tokenizer is immutable.
public struct SentencePieceTokenizer: Sendable {
    /// The most ids ``tokenize(_:)`` returns, `<s>` and `</s>` included.
    public let maximumLength: Int
    /// The piece lookup.
    let index: PieceIndex
    /// The normaliser.
    let normalizer: SentencePieceNormalizer
    /// The special tokens matched literally in the text, with their ids.
    let specials: [(text: [Unicode.Scalar], id: Int32)]
    /// The score of an `<unk>` edge: the lowest piece score − 10, in float64.
    let unknownScore: Double

    /// The word-start marker `▁` (U+2581) as UTF-8.
    private static let wordStart: [UInt8] = [0xE2, 0x96, 0x81]

    /// A tokenizer over `vocabulary` with `normalization`, returning at most `maximumLength` ids.
    init(vocabulary: PieceVocabulary, normalization: NormalizationTable, maximumLength: Int) {
        self.maximumLength = Swift.max(2, maximumLength)
        index = PieceIndex(vocabulary: vocabulary)
        normalizer = SentencePieceNormalizer(table: normalization)
        var lowest = Float.infinity
        for id in 0..<Int32(vocabulary.count) { lowest = Swift.min(lowest, vocabulary.score(id)) }
        unknownScore = Double(lowest) - 10
        var specials: [(text: [Unicode.Scalar], id: Int32)] = [
            ("<s>", vocabulary.bos), ("<pad>", vocabulary.pad), ("</s>", vocabulary.eos), ("<unk>", vocabulary.unk),
        ].map { (Array($0.0.unicodeScalars), $0.1) }
        if let mask = index.id(of: "<mask>") {
            specials.append((Array("<mask>".unicodeScalars), mask))
        }
        self.specials = specials
    }

    /// The number of pieces (ids are below it).
    public var vocabularySize: Int { index.vocabulary.count }

    /// The id of the piece spelled exactly `piece` (such as `"▁query"` or `"<s>"`), or `nil`.
    public func id(of piece: String) -> Int32? {
        index.id(of: piece)
    }

    /// The ids of `text`: `<s>`, at most `maximumLength − 2` piece ids, `</s>`.
    public func tokenize(_ text: String) -> [Int32] {
        var ids: [Int32] = [index.vocabulary.bos]
        ids.append(contentsOf: contentIDs(text, limit: maximumLength - 2))
        ids.append(index.vocabulary.eos)
        return ids
    }

    /// The piece ids of `text` without `<s>` and `</s>`, cut to `limit` ids (tokenisation stops early once past it).
    func contentIDs(_ text: String, limit: Int) -> [Int32] {
        var output: [Int32] = []
        var lattice = Lattice()
        var normalized: [Unicode.Scalar] = []
        let scalars = Array(text.unicodeScalars)
        var segmentStart = 0
        var position = 0

        func flushSegment(upTo end: Int) {
            guard segmentStart < end, output.count < limit else { return }
            normalized.removeAll(keepingCapacity: true)
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[segmentStart..<end])
            normalizer.normalize(String(view), into: &normalized)
            var wordStart = 0
            for (offset, scalar) in normalized.enumerated() where scalar.properties.isWhitespace {
                if wordStart < offset { segment(normalized[wordStart..<offset], into: &output, lattice: &lattice) }
                wordStart = offset + 1
                if output.count >= limit { break }
            }
            if wordStart < normalized.count, output.count < limit {
                segment(normalized[wordStart...], into: &output, lattice: &lattice)
            }
        }

        while position < scalars.count, output.count < limit {
            if scalars[position] == "<", let special = special(at: position, in: scalars) {
                flushSegment(upTo: position)
                if output.count < limit { output.append(special.id) }
                position += special.length
                segmentStart = position
            } else {
                position += 1
            }
        }
        flushSegment(upTo: scalars.count)
        if output.count > limit { output.removeLast(output.count - limit) }
        return output
    }

    /// The special token spelled at `position` of `scalars`, if any.
    private func special(at position: Int, in scalars: [Unicode.Scalar]) -> (id: Int32, length: Int)? {
        for special in specials where position + special.text.count <= scalars.count {
            if scalars[position..<position + special.text.count].elementsEqual(special.text) {
                return (special.id, special.text.count)
            }
        }
        return nil
    }

    /// Appends the best segmentation of `▁` + `word` (no whitespace) to `output`.
    private func segment(_ word: ArraySlice<Unicode.Scalar>, into output: inout [Int32], lattice: inout Lattice) {
        lattice.reset(word: word, prefix: SentencePieceTokenizer.wordStart)
        let length = lattice.boundaries.count - 1
        let vocabulary = index.vocabulary
        let unknown = vocabulary.unk
        let wordBytes = lattice.bytes
        let boundaries = lattice.boundaries
        wordBytes.withUnsafeBytes { bytes in
            for start in 0..<length where lattice.reached[start] {
                let base = lattice.score[start]
                var spellsOneCharacter = false
                let lastEnd = Swift.min(length, start + index.longestPiece)
                if start + 1 <= lastEnd {
                    for end in start + 1...lastEnd {
                        let piece = UnsafeRawBufferPointer(rebasing: bytes[boundaries[start]..<boundaries[end]])
                        guard let id = index.id(of: piece) else { continue }
                        lattice.offer(end: end, score: base + Double(vocabulary.score(id)), start: start, id: id)
                        if end == start + 1 { spellsOneCharacter = true }
                    }
                }
                if !spellsOneCharacter {
                    lattice.offer(end: start + 1, score: base + unknownScore, start: start, id: unknown)
                }
            }
        }
        // Backtrack from the end, fusing runs of <unk>.
        let first = output.count
        var end = length
        while end > 0 {
            let id = lattice.piece[end]
            if !(id == unknown && output.count > first && output[output.count - 1] == unknown) {
                output.append(id)
            }
            end = lattice.start[end]
        }
        output[first...].reverse()
    }
}

/// The Viterbi lattice of one word, reused from word to word.
private struct Lattice {
    /// The word's UTF-8 bytes, `▁` included.
    var bytes: [UInt8] = []
    /// The byte offset of each scalar boundary (`count + 1` entries for `count` scalars).
    var boundaries: [Int] = []
    /// Whether a path reaches each boundary.
    var reached: [Bool] = []
    /// The best path score to each boundary.
    var score: [Double] = []
    /// The start boundary of the last piece of the best path to each boundary.
    var start: [Int] = []
    /// The last piece of the best path to each boundary.
    var piece: [Int32] = []

    /// Prepares for `prefix` + `word`, where `prefix` is the UTF-8 of one scalar.
    mutating func reset(word: ArraySlice<Unicode.Scalar>, prefix: [UInt8]) {
        bytes.removeAll(keepingCapacity: true)
        boundaries.removeAll(keepingCapacity: true)
        boundaries.append(0)
        bytes.append(contentsOf: prefix)
        boundaries.append(bytes.count)
        for scalar in word {
            UTF8.encode(scalar) { bytes.append($0) }
            boundaries.append(bytes.count)
        }
        let count = boundaries.count
        reached.removeAll(keepingCapacity: true)
        reached.append(contentsOf: repeatElement(false, count: count))
        reached[0] = true
        score.removeAll(keepingCapacity: true)
        score.append(contentsOf: repeatElement(0, count: count))
        start.removeAll(keepingCapacity: true)
        start.append(contentsOf: repeatElement(0, count: count))
        piece.removeAll(keepingCapacity: true)
        piece.append(contentsOf: repeatElement(0, count: count))
    }

    /// Takes the edge `start → end` with piece `id` if it beats (strictly) the best path to `end`.
    @inline(__always)
    mutating func offer(end: Int, score candidate: Double, start from: Int, id: Int32) {
        if !reached[end] || candidate > score[end] {
            reached[end] = true
            score[end] = candidate
            start[end] = from
            piece[end] = id
        }
    }
}
