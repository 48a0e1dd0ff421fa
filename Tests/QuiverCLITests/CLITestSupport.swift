import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sends `signal` to process `pid`.
func sendSignal(_ pid: pid_t, _ signal: Int32) {
    _ = kill(pid, signal)
}

/// Finds the `quiver` executable built next to the test bundle.
enum QuiverBinary {
    struct NotFound: Error, CustomStringConvertible {
        var searched: [String]
        var description: String {
            "the quiver executable was not found next to the test bundle (build it with "
                + "`swift build --build-tests`); looked in: \(searched.joined(separator: ", "))"
        }
    }

    /// The path of `quiver`, or an error naming every directory searched.
    static let path: Result<String, NotFound> = {
        var directories: [URL] = []
        // On Linux the test bundle is an executable `<Package>PackageTests.xctest` in the build
        // directory; on macOS it is a bundle directory in the build directory.
        if let executable = Bundle.main.executableURL { directories.append(executable.deletingLastPathComponent()) }
        directories.append(Bundle.main.bundleURL)
        directories.append(Bundle.main.bundleURL.deletingLastPathComponent())
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            directories.append(bundle.bundleURL.deletingLastPathComponent())
        }
        if let selfExe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            directories.append(URL(fileURLWithPath: selfExe).deletingLastPathComponent())
        }
        if let first = CommandLine.arguments.first {
            directories.append(URL(fileURLWithPath: first).deletingLastPathComponent())
        }
        var searched: [String] = []
        for directory in directories {
            let candidate = directory.standardizedFileURL.appendingPathComponent("quiver").path
            if searched.contains(candidate) { continue }
            searched.append(candidate)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
               FileManager.default.isExecutableFile(atPath: candidate) {
                return .success(candidate)
            }
        }
        return .failure(NotFound(searched: searched))
    }()
}

/// The outcome of a finished `quiver` process.
struct QuiverResult {
    var status: Int32
    var reason: Process.TerminationReason
    var stdoutData: Data
    var stderrData: Data
    var stdout: String { String(decoding: stdoutData, as: UTF8.self) }
    var stderr: String { String(decoding: stderrData, as: UTF8.self) }
    /// Whether it exited normally (not killed by a signal) with `code`.
    func exited(_ code: Int32) -> Bool { reason == .exit && status == code }
    /// A summary for assertion messages.
    var summary: String {
        "status \(status) (\(reason == .exit ? "exit" : "signal"))\nstdout: \(stdout)\nstderr: \(stderr)"
    }
}

/// A `quiver` child process whose output goes to files (so it can never block on a full pipe).
final class QuiverProcess {
    let process = Process()
    private let stdoutURL: URL
    private let stderrURL: URL
    private let exited = DispatchSemaphore(value: 0)
    let arguments: [String]

    init(_ arguments: [String], scratch: URL) throws {
        self.arguments = arguments
        let binary = try QuiverBinary.path.get()
        let id = UUID().uuidString
        stdoutURL = scratch.appendingPathComponent("stdout-\(id)")
        stderrURL = scratch.appendingPathComponent("stderr-\(id)")
        FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        let stdoutHandle = try FileHandle(forWritingTo: stdoutURL)
        let stderrHandle = try FileHandle(forWritingTo: stderrURL)
        defer {
            try? stdoutHandle.close()
            try? stderrHandle.close()
        }
        process.standardOutput = stdoutHandle
        process.standardError = stderrHandle
        let exited = self.exited
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
    }

    var isRunning: Bool { process.isRunning }
    var pid: Int32 { process.processIdentifier }

    /// Sends SIGKILL (to this child only).
    func kill() {
        if process.isRunning { sendSignal(process.processIdentifier, SIGKILL) }
    }

    /// Waits for the process to end; kills it and throws after `timeout` seconds.
    func wait(timeout: TimeInterval = 120) throws -> QuiverResult {
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            kill()
            _ = exited.wait(timeout: .now() + 10)
            throw TimedOut(arguments: arguments, seconds: timeout)
        }
        process.waitUntilExit()
        defer {
            try? FileManager.default.removeItem(at: stdoutURL)
            try? FileManager.default.removeItem(at: stderrURL)
        }
        return QuiverResult(
            status: process.terminationStatus, reason: process.terminationReason,
            stdoutData: (try? Data(contentsOf: stdoutURL)) ?? Data(),
            stderrData: (try? Data(contentsOf: stderrURL)) ?? Data())
    }

    struct TimedOut: Error, CustomStringConvertible {
        var arguments: [String]
        var seconds: TimeInterval
        var description: String { "quiver \(arguments.joined(separator: " ")) did not finish in \(seconds) s" }
    }
}

/// A test case with a scratch directory and helpers to run `quiver`.
class CLITestCase: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("quiver-cli-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Fail clearly, once per test, when the binary is missing.
        _ = try QuiverBinary.path.get()
    }

    override func tearDownWithError() throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    /// Runs `quiver arguments...` to completion.
    @discardableResult
    func quiver(_ arguments: String..., timeout: TimeInterval = 120) throws -> QuiverResult {
        try quiver(arguments, timeout: timeout)
    }

    @discardableResult
    func quiver(_ arguments: [String], timeout: TimeInterval = 120) throws -> QuiverResult {
        try QuiverProcess(arguments, scratch: directory).wait(timeout: timeout)
    }

    /// Starts `quiver arguments...` without waiting.
    func startQuiver(_ arguments: [String]) throws -> QuiverProcess {
        try QuiverProcess(arguments, scratch: directory)
    }

    /// A path in the scratch directory (nothing is created).
    func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    /// Writes `bytes` to `name` in the scratch directory and returns its path.
    @discardableResult
    func writeFile(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    @discardableResult
    func writeFile(_ name: String, _ text: String) throws -> String {
        try writeFile(name, Array(text.utf8))
    }

    /// The names in a directory, sorted (empty when it does not exist).
    func contents(of path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }
}

/// A JSON value decoded strictly: a JSON `true` is never a number and `2019` is never a bool.
indirect enum JSON: Decodable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSON].self))
        }
    }

    static func parse(_ text: String) throws -> JSON {
        try JSONDecoder().decode(JSON.self, from: Data(text.utf8))
    }

    subscript(key: String) -> JSON? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    var keys: Set<String> {
        if case .object(let members) = self { return Set(members.keys) }
        return []
    }

    var array: [JSON]? {
        if case .array(let items) = self { return items }
        return nil
    }

    var number: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }

    var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    var description: String {
        switch self {
        case .null: "null"
        case .bool(let b): "\(b)"
        case .int(let i): "\(i)"
        case .double(let d): "\(d)"
        case .string(let s): s.debugDescription
        case .array(let a): "[" + a.map(\.description).joined(separator: ",") + "]"
        case .object(let o): "{" + o.keys.sorted().map { "\($0.debugDescription):\(o[$0]!)" }.joined(separator: ",") + "}"
        }
    }
}

/// A small deterministic pseudo-random generator (SplitMix64), so failures reproduce from the printed seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension CLITestCase {
    /// Runs `quiver arguments...` with `input` on stdin (from a file, so neither side can block).
    func quiver(_ arguments: [String], stdin input: String) throws -> QuiverResult {
        let inputURL = directory.appendingPathComponent("stdin-\(UUID().uuidString)")
        try Data(input.utf8).write(to: inputURL)
        let stdoutURL = directory.appendingPathComponent("stdout-\(UUID().uuidString)")
        let stderrURL = directory.appendingPathComponent("stderr-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try QuiverBinary.path.get())
        process.arguments = arguments
        process.standardInput = try FileHandle(forReadingFrom: inputURL)
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try process.run()
        process.waitUntilExit()
        return QuiverResult(
            status: process.terminationStatus, reason: process.terminationReason,
            stdoutData: try Data(contentsOf: stdoutURL), stderrData: try Data(contentsOf: stderrURL))
    }
}
