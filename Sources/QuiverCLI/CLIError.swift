import ArgumentParser
import Foundation
import Quiver

/// Turns library errors into a message on stderr and a conventional exit status.
enum CLIError {
    /// A malformed command-line argument, such as a filter (sysexits EX_USAGE).
    static let usageError: Int32 = 64
    /// Malformed input data (sysexits EX_DATAERR).
    static let dataError: Int32 = 65
    /// A missing store or input file (EX_NOINPUT).
    static let noInput: Int32 = 66
    /// A storage failure (EX_IOERR).
    static let ioError: Int32 = 74
    /// The store is busy (being compacted, or open for writing elsewhere): try again (EX_TEMPFAIL).
    static let temporaryFailure: Int32 = 75
    /// The store's files cannot be opened with the access needed (EX_NOPERM).
    static let noPermission: Int32 = 77

    /// Runs `body`; on a Quiver error prints `quiver: <message>` to stderr and exits with a matching status.
    static func run<R>(_ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as QuiverError {
            throw fail("\(error)", code: exitCode(for: error))
        } catch let error as ImportError {
            switch error {
            case .file(let inner):
                throw fail("\(error)", code: { if case .cannotOpen = inner { noInput } else { dataError } }())
            case .badRow: throw fail("\(error)", code: dataError)
            case .store(let inner, _): throw fail("\(error)", code: exitCode(for: inner))
            }
        } catch let error as FilterSyntaxError {
            throw fail("\(error)", code: usageError)
        } catch let error as FilterError {
            throw fail("\(error)", code: usageError)
        } catch let error as MetadataError {
            throw fail("\(error)", code: dataError)
        } catch let error as ExitCode {
            throw error
        } catch {
            throw fail("\(error)", code: 1)
        }
    }

    static func exitCode(for error: QuiverError) -> Int32 {
        switch error {
        case .storeNotFound: noInput
        case .notAStore: dataError
        case .storage, .corruptStore, .corruptRecord: ioError
        case .accessDenied: noPermission
        case .storeBusy: temporaryFailure
        case .invalidID, .textTooLong, .invalidFieldName, .nonFiniteVector, .dimensionMismatch,
             .vectorCountMismatch, .invalidK:
            dataError
        default: 1
        }
    }

    /// Prints `message` to stderr and returns the exit code to throw.
    static func fail(_ message: String, code: Int32) -> ExitCode {
        StandardError.write("quiver: \(message)\n")
        return ExitCode(code)
    }
}

/// Unbuffered writes to the standard error stream.
enum StandardError {
    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Whether stderr is a terminal (progress bars) rather than a file or pipe (plain lines).
    static var isTerminal: Bool { isatty(2) != 0 }
}
