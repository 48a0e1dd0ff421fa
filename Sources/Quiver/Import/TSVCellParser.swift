/// Converts metadata cells to typed ``Value``s, following the rules documented on
/// ``TSVSchema/fieldTypes``.
enum TSVCellParser {
    /// A cell that cannot be read as its column's type.
    struct InvalidCell: Error {}

    /// Parses `cell` as `type`; `nil` means the field is absent (the cell is empty).
    static func value(from cell: String, as type: ValueType) throws(InvalidCell) -> Value? {
        if type == .string {
            return cell.isEmpty ? nil : .string(cell)
        }
        if type == .strings {
            let tags = cell.split(separator: ",").compactMap { part -> String? in
                let tag = trimmingWhitespace(part)
                return tag.isEmpty ? nil : String(tag)
            }
            return tags.isEmpty ? nil : .strings(tags)
        }
        let text = trimmingWhitespace(Substring(cell))
        if text.isEmpty { return nil }
        switch type {
        case .int:
            guard let number = Int64(text) else { throw InvalidCell() }
            return .int(number)
        case .double:
            guard let number = Double(text), number.isFinite else { throw InvalidCell() }
            return .double(number)
        case .bool:
            guard let flag = bool(from: text) else { throw InvalidCell() }
            return .bool(flag)
        case .string, .strings:
            return nil  // Handled above.
        }
    }

    /// `true`/`yes`/`1` or `false`/`no`/`0`, ignoring letter case.
    private static func bool(from text: Substring) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "1": true
        case "false", "no", "0": false
        default: nil
        }
    }

    /// `text` without leading and trailing white space.
    private static func trimmingWhitespace(_ text: Substring) -> Substring {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }),
              let last = text.lastIndex(where: { !$0.isWhitespace })
        else { return text[text.endIndex...] }
        return text[first...last]
    }
}
