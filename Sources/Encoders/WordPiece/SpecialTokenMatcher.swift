/// Finds literal special tokens (`[CLS]`, `[SEP]`, …) in raw text, as the Hugging Face fast
/// tokenizer does before normalizing: case-sensitive, anywhere (even inside a word), and on
/// the raw bytes, so `[mask]` or `[CL\u{200B}S]` are ordinary text.
struct SpecialTokenMatcher: Sendable {
    /// The UTF-8 spelling of each special token with its id, longest first so the first match
    /// at a position is the longest.
    private let patterns: [(bytes: [UInt8], id: Int32)]
    /// Whether some pattern starts with the byte at that index.
    private let isFirstByte: [Bool]

    /// A matcher for `tokens` (the empty spelling is ignored).
    init(tokens: [(token: String, id: Int32)]) {
        let patterns = tokens
            .map { (bytes: Array($0.token.utf8), id: $0.id) }
            .filter { !$0.bytes.isEmpty }
            .sorted { $0.bytes.count > $1.bytes.count }
        var isFirstByte = [Bool](repeating: false, count: 256)
        for pattern in patterns {
            isFirstByte[Int(pattern.bytes[0])] = true
        }
        self.patterns = patterns
        self.isFirstByte = isFirstByte
    }

    /// Whether a special token may start with `byte` (a quick filter before `match`).
    @inline(__always)
    func mayStart(with byte: UInt8) -> Bool {
        isFirstByte[Int(byte)]
    }

    /// The longest special token spelled by `text` from `offset` on: its id and length in bytes.
    func match(in text: UnsafeBufferPointer<UInt8>, at offset: Int) -> (id: Int32, length: Int)? {
        for pattern in patterns where pattern.bytes.count <= text.count - offset {
            var matches = true
            for index in pattern.bytes.indices where text[offset + index] != pattern.bytes[index] {
                matches = false
                break
            }
            if matches {
                return (pattern.id, pattern.bytes.count)
            }
        }
        return nil
    }
}
