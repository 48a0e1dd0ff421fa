import Quiver

/// Short human-readable renderings of texts and metadata for terminal output.
enum TextPreview {
    /// `text` on one line, cut to `limit` characters with an ellipsis.
    static func oneLine(_ text: String, limit: Int) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count > limit ? String(flat.prefix(limit)) + "…" : flat
    }

    /// `name=value` pairs sorted by name.
    static func metadata(_ metadata: [String: Value]) -> String {
        metadata.keys.sorted().compactMap { name in
            metadata[name].map { "\(name)=\(render($0))" }
        }.joined(separator: "  ")
    }

    static func render(_ value: Value) -> String {
        switch value {
        case .string(let s): s
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .bool(let b): String(b)
        case .strings(let list): "[" + list.joined(separator: ",") + "]"
        }
    }
}
