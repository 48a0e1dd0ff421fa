/// The backslash escapes of TSV cells written by `quiver export` and read by imports with
/// ``TSVSchema/escapes``: `\t` tab, `\n` line feed, `\r` carriage return, `\\` backslash,
/// and, inside tag lists, `\,` for a comma that belongs to a tag.
public enum TSVEscaping {
    /// `text` with tab, LF, CR and backslash escaped (and commas too when `tag` is true).
    public static func escape(_ text: String, tag: Bool = false) -> String {
        guard text.utf8.contains(where: { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0x5C || (tag && $0 == 0x2C) })
        else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\\": out += "\\\\"
            case "," where tag: out += "\\,"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A cell's text with its escapes decoded, or nil when it holds an unknown escape or ends
    /// in a lone backslash. `\,` is accepted (a comma) in every cell.
    public static func unescape(_ cell: Substring) -> String? {
        guard cell.utf8.contains(0x5C) else { return String(cell) }
        var out = ""
        out.reserveCapacity(cell.utf8.count)
        var escaped = false
        for scalar in cell.unicodeScalars {
            if escaped {
                switch scalar {
                case "t": out += "\t"
                case "n": out += "\n"
                case "r": out += "\r"
                case "\\": out += "\\"
                case ",": out += ","
                default: return nil
                }
                escaped = false
            } else if scalar == "\\" {
                escaped = true
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return escaped ? nil : out
    }

    /// A tag-list cell split on its unescaped commas, each part decoded and trimmed of
    /// surrounding white space, empty parts dropped; nil on a bad escape.
    public static func tags(_ cell: Substring) -> [String]? {
        var parts: [Substring] = []
        var start = cell.startIndex
        var index = cell.startIndex
        var escaped = false
        while index < cell.endIndex {
            let character = cell.unicodeScalars[index]
            if escaped {
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "," {
                parts.append(cell[start..<index])
                start = cell.unicodeScalars.index(after: index)
            }
            index = cell.unicodeScalars.index(after: index)
        }
        parts.append(cell[start..<cell.endIndex])
        var tags: [String] = []
        for part in parts {
            guard let decoded = unescape(part) else { return nil }
            let trimmed = decoded.trimmingSpaces()
            if !trimmed.isEmpty { tags.append(trimmed) }
        }
        return tags
    }
}

extension String {
    /// Without leading and trailing white space.
    fileprivate func trimmingSpaces() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(self[first...last])
    }
}
