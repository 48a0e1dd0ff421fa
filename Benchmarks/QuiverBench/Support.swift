// Shared helpers for QuiverBench: clocks, statistics, JSON lines, argument parsing, vector files.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

// MARK: - Clocks and process statistics

/// Monotonic wall-clock seconds.
@inline(__always)
func wallSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// CPU seconds used by the whole process (all threads).
func processCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Peak resident set size of this process in MiB (like Python's `resource.getrusage(...).ru_maxrss / 1024`).
func peakRSSMB() -> Double {
    var usage = rusage()
    #if os(Linux)
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    #if os(Linux)
    return rounded(Double(usage.ru_maxrss) / 1024.0, 1)  // KiB on Linux
    #else
    return rounded(Double(usage.ru_maxrss) / 1_048_576.0, 1)  // bytes on Darwin
    #endif
}

/// Current resident set size in MiB (Linux `/proc/self/statm`), or -1.
func currentRSSMB() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return -1 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Double(fields[1]) else { return -1 }
    return rounded(pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576.0, 1)
}

/// The 1-minute load average.
func loadAverage1m() -> Double {
    var loads = [Double](repeating: 0, count: 3)
    guard getloadavg(&loads, 3) > 0 else { return -1 }
    return rounded(loads[0], 2)
}

/// Total size in bytes of the regular files under `path`.
func directoryBytes(_ path: String) -> Int {
    let fm = FileManager.default
    guard let walker = fm.enumerator(atPath: path) else { return 0 }
    var total = 0
    while let name = walker.nextObject() as? String {
        let full = (path as NSString).appendingPathComponent(name)
        if let attributes = try? fm.attributesOfItem(atPath: full),
           attributes[.type] as? FileAttributeType == .typeRegular,
           let size = attributes[.size] as? Int {
            total += size
        }
    }
    return total
}

/// A fresh empty directory under `root` (the system temporary folder by default).
func makeScratchDirectory(root: String?, prefix: String) throws -> String {
    let base = root ?? NSTemporaryDirectory()
    let path = (base as NSString).appendingPathComponent("\(prefix)-\(getpid())-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

// MARK: - Statistics

func rounded(_ x: Double, _ digits: Int) -> Double {
    guard x.isFinite else { return x }
    let scale = pow(10.0, Double(digits))
    return (x * scale).rounded() / scale
}

func median(_ values: [Double]) -> Double {
    precondition(!values.isEmpty)
    let sorted = values.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/// Percentile with linear interpolation between closest ranks (numpy's default method).
func percentile(_ values: [Double], _ p: Double) -> Double {
    precondition(!values.isEmpty)
    let sorted = values.sorted()
    let position = p / 100 * Double(sorted.count - 1)
    let lower = Int(position.rounded(.down))
    let upper = min(lower + 1, sorted.count - 1)
    let fraction = position - Double(lower)
    return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
}

// MARK: - JSON lines (ordered keys, no Foundation encoder so the field order matches the peers')

indirect enum JSON {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    var text: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d):
            guard d.isFinite else { return "null" }
            if d == d.rounded(), abs(d) < 1e15 { return String(format: "%.1f", d) }
            return String(d)
        case .string(let s): return JSON.quote(s)
        case .array(let items): return "[" + items.map(\.text).joined(separator: ", ") + "]"
        case .object(let fields):
            return "{" + fields.map { JSON.quote($0.0) + ": " + $0.1.text }.joined(separator: ", ") + "}"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral {
    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .int(value) }
    init(floatLiteral value: Double) { self = .double(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
}

/// Prints one JSON line to stdout (flushed) and appends it to `outPath` when given.
func emit(_ record: JSON, to outPath: String?) {
    let line = record.text
    print(line)
    fflush(nil)
    if let outPath {
        if let handle = FileHandle(forWritingAtPath: outPath) {
            handle.seekToEndOfFile()
            handle.write((line + "\n").data(using: .utf8)!)
            try? handle.close()
        } else {
            _ = FileManager.default.createFile(atPath: outPath, contents: (line + "\n").data(using: .utf8))
        }
    }
}

/// A progress/diagnostic message on stderr.
func log(_ message: String) {
    FileHandle.standardError.write((message + "\n").data(using: .utf8)!)
}

// MARK: - Arguments

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// `--name value` options and `--flag` switches, parsed by hand.
struct Arguments {
    private var values: [String: String] = [:]
    private var flags: Set<String> = []

    init(_ argv: ArraySlice<String>, flags known: Set<String>) throws {
        var it = argv.makeIterator()
        while let arg = it.next() {
            guard arg.hasPrefix("--") else { throw BenchError("unexpected argument '\(arg)'") }
            let name = String(arg.dropFirst(2))
            if let eq = name.firstIndex(of: "=") {
                values[String(name[..<eq])] = String(name[name.index(after: eq)...])
                continue
            }
            if known.contains(name) {
                flags.insert(name)
                continue
            }
            guard let value = it.next() else { throw BenchError("option --\(name) needs a value") }
            values[name] = value
        }
    }

    func string(_ name: String) -> String? { values[name] }
    func string(_ name: String, default fallback: String) -> String { values[name] ?? fallback }
    func required(_ name: String) throws -> String {
        guard let v = values[name] else { throw BenchError("missing --\(name)") }
        return v
    }
    func int(_ name: String, default fallback: Int) throws -> Int {
        guard let v = values[name] else { return fallback }
        guard let i = Int(v) else { throw BenchError("--\(name) expects an integer, got '\(v)'") }
        return i
    }
    func double(_ name: String, default fallback: Double) throws -> Double {
        guard let v = values[name] else { return fallback }
        guard let d = Double(v) else { throw BenchError("--\(name) expects a number, got '\(v)'") }
        return d
    }
    func flag(_ name: String) -> Bool { flags.contains(name) }
    func list(_ name: String) -> [String]? {
        values[name].map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
    }
}

// MARK: - .fvecs / .ivecs

/// A row-major matrix of `rows × dimension` values.
struct Matrix<Element> {
    var rows: Int
    var dimension: Int
    var values: [Element]

    func row(_ i: Int) -> ArraySlice<Element> { values[(i * dimension)..<((i + 1) * dimension)] }
}

/// Reads an `.fvecs` (`Float`) or `.ivecs` (`Int32`) file: per row a little-endian Int32 dimension, then the values.
func readVecs<Element>(_ path: String, as _: Element.Type) throws -> Matrix<Element> {
    precondition(MemoryLayout<Element>.size == 4)
    guard let data = FileManager.default.contents(atPath: path) else { throw BenchError("cannot read \(path)") }
    guard data.count >= 4 else { return Matrix(rows: 0, dimension: 0, values: []) }
    return try data.withUnsafeBytes { raw -> Matrix<Element> in
        let dimension = Int(Int32(littleEndian: raw.loadUnaligned(as: Int32.self)))
        let rowBytes = 4 * (dimension + 1)
        guard dimension > 0, raw.count % rowBytes == 0 else {
            throw BenchError("\(path): \(raw.count) bytes is not a whole number of \(dimension)-dimensional rows")
        }
        let rows = raw.count / rowBytes
        var values: [Element] = []
        values.reserveCapacity(rows * dimension)
        for r in 0..<rows {
            let offset = r * rowBytes
            guard Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int32.self))) == dimension else {
                throw BenchError("\(path): row \(r) has a different dimension")
            }
            for j in 0..<dimension {
                values.append(raw.loadUnaligned(fromByteOffset: offset + 4 + 4 * j, as: Element.self))
            }
        }
        return Matrix(rows: rows, dimension: dimension, values: values)
    }
}

/// `DIR/suffix`, or the single `DIR/*_suffix` (e.g. `siftsmall_base.fvecs`), like the peers' `find_file`.
func findDataFile(_ directory: String, _ suffix: String, required: Bool = true) throws -> String? {
    let exact = (directory as NSString).appendingPathComponent(suffix)
    if FileManager.default.fileExists(atPath: exact) { return exact }
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
        .filter { $0.hasSuffix("_" + suffix) }.sorted()
    if names.count == 1 { return (directory as NSString).appendingPathComponent(names[0]) }
    if required { throw BenchError("\(directory): no \(suffix) (or single *_\(suffix))") }
    return nil
}
