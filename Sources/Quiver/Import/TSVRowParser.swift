import Foundation

/// Turns the bytes of one TSV line into a ``TSVRecord`` or a ``TSVRowError``.
struct TSVRowParser {
    private static let tab: UInt8 = 0x09
    private static let carriageReturn: UInt8 = 0x0D
    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    let layout: TSVLayout
    /// Scratch storage for the cell boundaries of the current line.
    private var cells: [Range<Int>] = []

    init(layout: TSVLayout) {
        self.layout = layout
        cells.reserveCapacity(layout.columns.count + 1)
    }

    /// Parses one data line (without its LF).
    mutating func parse(_ bytes: UnsafeBufferPointer<UInt8>, line: Int) -> Result<TSVRecord, TSVRowError> {
        func failure(_ reason: TSVRowError.Reason) -> Result<TSVRecord, TSVRowError> {
            .failure(TSVRowError(line: line, reason: reason, rawLine: String(decoding: bytes, as: UTF8.self)))
        }

        if let reason = Self.lineProblem(bytes, line: line) { return failure(reason) }

        Self.splitCells(bytes, into: &cells)
        guard cells.count == layout.columns.count else {
            return failure(.wrongColumnCount(expected: layout.columns.count, actual: cells.count))
        }
        if let nul = Self.firstNUL(in: bytes) {
            let column = cells.firstIndex { $0.contains(nul) }.map { layout.columns[$0] }
            return failure(.nulByte(column: column))
        }
        guard let rawLine = String(validating: bytes, as: UTF8.self) else {
            let column = cells.firstIndex { range in
                String(validating: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) == nil
            }
            return failure(.invalidUTF8(column: column.map { layout.columns[$0] }))
        }

        func rawCell(_ index: Int) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: bytes[cells[index]]), as: UTF8.self)
        }
        var badEscape: Int?
        func cell(_ index: Int) -> String {
            let raw = rawCell(index)
            guard layout.escapes else { return raw }
            guard let decoded = TSVEscaping.unescape(Substring(raw)) else {
                if badEscape == nil { badEscape = index }
                return raw
            }
            return decoded
        }

        let idLength = cells[layout.idIndex].count
        guard idLength > 0 else { return failure(.emptyID(column: layout.columns[layout.idIndex])) }
        guard idLength <= Document.maximumIDLength else {
            return failure(.idTooLong(length: idLength, limit: Document.maximumIDLength))
        }
        let id = cell(layout.idIndex)
        if let index = badEscape { return failure(.invalidEscape(column: layout.columns[index])) }

        let text: String
        if layout.textIndices.count == 1 {
            text = cell(layout.textIndices[0])
        } else {
            text = layout.textIndices
                .filter { !cells[$0].isEmpty }
                .map(cell)
                .joined(separator: layout.textSeparator)
        }

        if let index = badEscape { return failure(.invalidEscape(column: layout.columns[index])) }

        var metadata: [String: Value] = [:]
        for column in layout.metadata where !cells[column.index].isEmpty {
            if layout.escapes && column.type == .strings {
                guard let tags = TSVEscaping.tags(Substring(rawCell(column.index))) else {
                    return failure(.invalidEscape(column: column.name))
                }
                if !tags.isEmpty { metadata[column.name] = .strings(tags) }
                continue
            }
            let text = cell(column.index)
            if let index = badEscape { return failure(.invalidEscape(column: layout.columns[index])) }
            do {
                if let value = try TSVCellParser.value(from: text, as: column.type) {
                    metadata[column.name] = value
                }
            } catch {
                return failure(.invalidValue(column: column.name, type: column.type, text: text))
            }
        }

        return .success(TSVRecord(line: line, document: Document(id: id, text: text, metadata: metadata), rawLine: rawLine))
    }

    /// Parses a header line into column names, each trimmed of surrounding spaces.
    static func parseHeader(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<[String], TSVRowError> {
        func failure(_ reason: TSVRowError.Reason) -> Result<[String], TSVRowError> {
            .failure(TSVRowError(line: 1, reason: reason, rawLine: String(decoding: bytes, as: UTF8.self)))
        }
        if let reason = lineProblem(bytes, line: 1) { return failure(reason) }
        if firstNUL(in: bytes) != nil { return failure(.nulByte(column: nil)) }
        guard let header = String(validating: bytes, as: UTF8.self) else { return failure(.invalidUTF8(column: nil)) }
        let names = header.split(separator: "\t", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        return .success(names)
    }

    /// Problems that concern the line as a whole: a byte order mark, a blank line, a CR LF
    /// ending.
    static func lineProblem(_ bytes: UnsafeBufferPointer<UInt8>, line: Int) -> TSVRowError.Reason? {
        if line == 1, bytes.starts(with: byteOrderMark) { return .byteOrderMark }
        if bytes.isEmpty || (bytes.count == 1 && bytes[0] == carriageReturn) { return .blankLine }
        if bytes[bytes.count - 1] == carriageReturn { return .crlfLineEnding }
        return nil
    }

    /// The index of the first NUL byte, if any.
    private static func firstNUL(in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = bytes.baseAddress, let found = memchr(base, 0, bytes.count) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    /// Fills `cells` with the byte ranges between tabs.
    private static func splitCells(_ bytes: UnsafeBufferPointer<UInt8>, into cells: inout [Range<Int>]) {
        cells.removeAll(keepingCapacity: true)
        var cellStart = 0
        guard let base = bytes.baseAddress else {
            cells.append(0..<0)
            return
        }
        while cellStart <= bytes.count {
            let remaining = bytes.count - cellStart
            if let found = memchr(base + cellStart, Int32(tab), remaining) {
                let tabIndex = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                cells.append(cellStart..<tabIndex)
                cellStart = tabIndex + 1
            } else {
                cells.append(cellStart..<bytes.count)
                break
            }
        }
    }
}
