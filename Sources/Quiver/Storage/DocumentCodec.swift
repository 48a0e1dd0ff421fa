import Foundation

/// The binary form of a document in the `docs` database.
///
/// Layout (version 1): `u8 version`, then `id`, `text` as length-prefixed UTF-8, then a
/// field count and the fields sorted by name, each `name`, `u8 type tag`, payload.
/// Lengths and counts are LEB128 varints; integers and doubles are 8 bytes little-endian.
/// Sorting makes equal documents encode to equal bytes, which re-imports rely on.
enum DocumentCodec {
    static let version: UInt8 = 1

    enum Tag: UInt8 {
        case string = 1, int = 2, double = 3, bool = 4, strings = 5
    }

    struct DecodingError: Error {
        let reason: String
    }

    static func encode(_ document: Document) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(document.text.utf8.count + document.id.utf8.count + 32)
        out.append(version)
        appendString(document.id, to: &out)
        appendString(document.text, to: &out)
        appendVarint(UInt64(document.metadata.count), to: &out)
        for name in document.metadata.keys.sorted() {
            guard let value = document.metadata[name] else { continue }
            appendString(name, to: &out)
            switch value {
            case .string(let s):
                out.append(Tag.string.rawValue)
                appendString(s, to: &out)
            case .int(let i):
                out.append(Tag.int.rawValue)
                appendFixed64(UInt64(bitPattern: i), to: &out)
            case .double(let d):
                out.append(Tag.double.rawValue)
                appendFixed64(d.bitPattern, to: &out)
            case .bool(let b):
                out.append(Tag.bool.rawValue)
                out.append(b ? 1 : 0)
            case .strings(let list):
                out.append(Tag.strings.rawValue)
                appendVarint(UInt64(list.count), to: &out)
                for s in list { appendString(s, to: &out) }
            }
        }
        return out
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) throws(DecodingError) -> Document {
        try decode(bytes, contents: .all)
    }

    /// Decodes the id and the `contents` asked for; the parts not asked for are left empty
    /// and not read (so not checked either: a search that skips them does not pay for them).
    static func decode(_ bytes: UnsafeRawBufferPointer, contents: SearchResult.Contents) throws(DecodingError) -> Document {
        var reader = Reader(bytes: bytes)
        let v = try reader.byte()
        guard v == version else { throw DecodingError(reason: "unknown document encoding version \(v)") }
        let id = try reader.string()
        guard contents.contains(.metadata) else {
            return Document(id: id, text: contents.contains(.text) ? try reader.string() : "")
        }
        var text = ""
        if contents.contains(.text) { text = try reader.string() } else { try reader.skipString() }
        let count = try reader.varint()
        var metadata: [String: Value] = [:]
        metadata.reserveCapacity(Int(min(count, 1024)))
        for _ in 0..<count {
            let name = try reader.string()
            let tagByte = try reader.byte()
            guard let tag = Tag(rawValue: tagByte) else {
                throw DecodingError(reason: "unknown value tag \(tagByte) for field \(name)")
            }
            switch tag {
            case .string: metadata[name] = .string(try reader.string())
            case .int: metadata[name] = .int(Int64(bitPattern: try reader.fixed64()))
            case .double: metadata[name] = .double(Double(bitPattern: try reader.fixed64()))
            case .bool: metadata[name] = .bool(try reader.byte() != 0)
            case .strings:
                let n = try reader.varint()
                var list: [String] = []
                for _ in 0..<n { list.append(try reader.string()) }
                metadata[name] = .strings(list)
            }
        }
        guard reader.isAtEnd else { throw DecodingError(reason: "trailing bytes after document") }
        return Document(id: id, text: text, metadata: metadata)
    }

    private static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    private static func appendFixed64(_ value: UInt64, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    private static func appendString(_ s: String, to out: inout [UInt8]) {
        appendVarint(UInt64(s.utf8.count), to: &out)
        out.append(contentsOf: s.utf8)
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        var isAtEnd: Bool { offset == bytes.count }

        mutating func byte() throws(DecodingError) -> UInt8 {
            guard offset < bytes.count else { throw DecodingError(reason: "truncated record") }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func varint() throws(DecodingError) -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let b = try byte()
                guard shift < 64 else { throw DecodingError(reason: "varint too long") }
                result |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return result }
                shift += 7
            }
        }

        mutating func fixed64() throws(DecodingError) -> UInt64 {
            guard offset + 8 <= bytes.count else { throw DecodingError(reason: "truncated record") }
            defer { offset += 8 }
            return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        }

        /// Steps over a string without decoding it.
        mutating func skipString() throws(DecodingError) {
            let length = try varint()
            guard length <= UInt64(bytes.count - offset) else { throw DecodingError(reason: "truncated string") }
            offset += Int(length)
        }

        mutating func string() throws(DecodingError) -> String {
            let length = try varint()
            guard length <= UInt64(bytes.count - offset) else { throw DecodingError(reason: "truncated string") }
            let n = Int(length)
            let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)])
            offset += n
            guard let s = Self.validatedString(slice) else {
                throw DecodingError(reason: "invalid UTF-8 in string")
            }
            return s
        }

        /// `bytes` as a string if they are valid UTF-8, else `nil`.
        ///
        /// `String(validating:as:)` goes through the generic validator (a runtime metadata lookup
        /// per call: a third of a filtered search's time went to decoding ten documents). Decoding
        /// with repair takes the specialised UTF-8 path; the result differs from the input bytes
        /// exactly when some sequence was invalid and replaced by U+FFFD.
        private static func validatedString(_ bytes: UnsafeRawBufferPointer) -> String? {
            bytes.withMemoryRebound(to: UInt8.self) { input -> String? in
                var decoded = String(decoding: input, as: UTF8.self)
                let identical = decoded.withUTF8 { output in
                    guard output.count == input.count else { return false }
                    guard let o = output.baseAddress, let i = input.baseAddress else { return true }
                    return memcmp(o, i, input.count) == 0
                }
                return identical ? decoded : nil
            }
        }
    }
}
