import Foundation

/// Reads a file line by line (lines end at byte 0x0A) in fixed-size chunks, never holding
/// more than one chunk plus the current line in memory.
///
/// Not thread-safe: owned by one ``TSVReader``.
final class TSVLineSource {
    /// A line handed to the caller of ``withNextLine(_:)``.
    enum Line {
        /// The bytes of a line, without its LF. Valid only inside the callback.
        case complete(UnsafeBufferPointer<UInt8>)
        /// A line longer than the limit: its full length (without LF) and its first bytes.
        case tooLong(length: Int, prefix: [UInt8])
    }

    private static let newline: UInt8 = 0x0A

    private let path: String
    private let handle: FileHandle
    private let chunkSize: Int
    private let maximumLineLength: Int

    /// Bytes read from the file and not yet handed out start at `start`.
    private var buffer: [UInt8] = []
    private var start = 0
    /// Bytes before `scanned` (and after `start`) are known not to be LF.
    private var scanned = 0
    private var reachedEndOfFile = false

    /// The number of bytes of the file handed out so far, line terminators included.
    private(set) var bytesConsumed = 0

    /// The size of the file when it was opened, or 0 when unknown (e.g. a pipe).
    let fileSize: Int

    /// Opens `path` for reading.
    init(path: String, maximumLineLength: Int, chunkSize: Int = 1 << 20) throws(TSVError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .cannotOpen(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw .cannotOpen(path: path, reason: "is a directory")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .cannotOpen(path: path, reason: "permission denied or not readable")
        }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        self.fileSize = (attributes?[.size] as? NSNumber)?.intValue ?? 0
        self.path = path
        self.handle = handle
        self.chunkSize = chunkSize
        self.maximumLineLength = maximumLineLength
        buffer.reserveCapacity(chunkSize)
    }

    deinit {
        try? handle.close()
    }

    /// Calls `body` with the next line, or returns `nil` at the end of the file.
    ///
    /// A final line without a trailing LF is still a line; a file ending in LF has no empty
    /// line after it.
    func withNextLine<Output>(_ body: (Line) -> Output) throws(TSVError) -> Output? {
        while true {
            if let newlineIndex = findNewline() {
                let length = newlineIndex - start
                let lineStart = start
                start = newlineIndex + 1
                scanned = start
                bytesConsumed += length + 1
                if length > maximumLineLength {
                    let prefixEnd = lineStart + min(length, TSVRowError.rawLinePrefixLimit)
                    return body(.tooLong(length: length, prefix: Array(buffer[lineStart..<prefixEnd])))
                }
                return buffer.withUnsafeBufferPointer { bytes in
                    body(.complete(UnsafeBufferPointer(rebasing: bytes[lineStart..<newlineIndex])))
                }
            }
            scanned = buffer.count
            let pending = buffer.count - start
            if pending > maximumLineLength {
                let (length, prefix) = try skipOverlongLine()
                return body(.tooLong(length: length, prefix: prefix))
            }
            if reachedEndOfFile {
                guard pending > 0 else { return nil }
                let lineStart = start
                start = buffer.count
                scanned = start
                bytesConsumed += pending
                return buffer.withUnsafeBufferPointer { bytes in
                    body(.complete(UnsafeBufferPointer(rebasing: bytes[lineStart...])))
                }
            }
            try readChunk()
        }
    }

    /// The index of the first LF at or after `scanned`, if one is buffered.
    private func findNewline() -> Int? {
        guard scanned < buffer.count else { return nil }
        return buffer.withUnsafeBufferPointer { bytes -> Int? in
            guard let base = bytes.baseAddress,
                  let found = memchr(base + scanned, Int32(Self.newline), bytes.count - scanned)
            else { return nil }
            return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// Drops consumed bytes and appends the next chunk of the file to the buffer.
    private func readChunk() throws(TSVError) {
        if start > 0 {
            buffer.removeSubrange(0..<start)
            scanned -= start
            start = 0
        }
        let chunk: Data?
        do {
            chunk = try handle.read(upToCount: chunkSize)
        } catch {
            throw .readFailed(path: path, reason: error.localizedDescription)
        }
        guard let chunk, !chunk.isEmpty else {
            reachedEndOfFile = true
            return
        }
        chunk.withUnsafeBytes { buffer.append(contentsOf: $0) }
    }

    /// Consumes the rest of a line that has already exceeded the limit without buffering it,
    /// returning its full length (without LF) and its first bytes.
    private func skipOverlongLine() throws(TSVError) -> (length: Int, prefix: [UInt8]) {
        var prefix: [UInt8] = []
        func keepPrefix(upTo end: Int) {
            let wanted = TSVRowError.rawLinePrefixLimit - prefix.count
            if wanted > 0 { prefix += buffer[start..<min(end, start + wanted)] }
        }
        keepPrefix(upTo: buffer.count)
        var length = buffer.count - start
        buffer.removeAll(keepingCapacity: true)
        start = 0
        scanned = 0
        while true {
            if reachedEndOfFile {
                bytesConsumed += length
                return (length, prefix)
            }
            try readChunk()
            if let newlineIndex = findNewline() {
                keepPrefix(upTo: newlineIndex)
                length += newlineIndex
                bytesConsumed += length + 1
                start = newlineIndex + 1
                scanned = start
                return (length, prefix)
            }
            keepPrefix(upTo: buffer.count)
            length += buffer.count
            buffer.removeAll(keepingCapacity: true)
            scanned = 0
        }
    }
}
