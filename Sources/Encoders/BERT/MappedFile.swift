#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory, unmapped when the last reference goes away.
///
/// `@unchecked Sendable` is sound because the mapping is private and read-only
/// (`PROT_READ`, `MAP_PRIVATE`): no thread can write through `base`, and the memory stays
/// valid for the object's lifetime.
final class MappedFile: @unchecked Sendable {
    /// The path the file was opened from, for error messages.
    let path: String
    /// The first byte of the mapping.
    let base: UnsafeRawPointer
    /// The file's size in bytes at the time it was mapped.
    let count: Int

    /// Maps the file at `path`.
    ///
    /// - Throws: ``ModelFileError/missingFile(path:)`` when it does not exist,
    ///   ``ModelFileError/unreadableFile(path:reason:)`` when it cannot be opened or mapped, and
    ///   ``ModelFileError/truncatedFile(path:size:needed:)`` when it is empty.
    init(path: String) throws {
        self.path = path
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT { throw ModelFileError.missingFile(path: path) }
            throw ModelFileError.unreadableFile(path: path, reason: MappedFile.message(for: code))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw ModelFileError.unreadableFile(path: path, reason: MappedFile.message(for: errno))
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw ModelFileError.unreadableFile(path: path, reason: "not a regular file")
        }
        let size = Int(status.st_size)
        guard size > 0 else {
            throw ModelFileError.truncatedFile(path: path, size: 0, needed: 1)
        }
        let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0)
        guard let mapped, mapped != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw ModelFileError.unreadableFile(path: path, reason: "mmap failed: " + MappedFile.message(for: errno))
        }
        base = UnsafeRawPointer(mapped)
        count = size
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: base), count)
    }

    /// The bytes `range` of the file (which must lie inside it).
    func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "range outside the mapping")
        return UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count)
    }

    /// Tells the kernel the whole pages inside `range` are not needed any more, so they stop
    /// counting towards the process's resident memory (for data copied out at load time, such
    /// as 4-bit weights after dequantizing). The mapping is private and read-only, so the bytes
    /// stay readable: touching them again reads them back from the file.
    func discard(_ range: Range<Int>) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard page > 0 else { return }
        let start = (range.lowerBound + page - 1) / page * page
        let end = Swift.min(range.upperBound, count) / page * page
        guard start < end else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, MADV_DONTNEED)
    }

    /// The C library's text for `code`.
    private static func message(for code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}
