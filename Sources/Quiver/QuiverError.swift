import Encoders
import LMDB

/// Everything that can go wrong in a store, each case saying what happened and what to do.
public enum QuiverError: Error, Sendable, CustomStringConvertible {
    /// The path exists but is not a Quiver store (a file, a non-empty directory without a store, or another LMDB environment).
    case notAStore(path: String, reason: String)
    /// The store's data file is damaged or not an LMDB file.
    case corruptStore(path: String, reason: String)
    /// The store was written by a newer Quiver with a format this version cannot read.
    case unsupportedFormatVersion(found: Int, supported: Int)
    /// The store does not exist and the options did not allow creating it.
    case storeNotFound(path: String)
    /// The encoder given does not match the one the store was created with.
    case encoderMismatch(stored: EncoderDescriptor, requested: EncoderDescriptor)
    /// The store records an encoder this build cannot rebuild; pass it in the options.
    case unknownEncoder(kind: String)
    /// A dimension does not match the store's.
    case dimensionMismatch(expected: Int, actual: Int)
    /// The metric asked for does not match the store's.
    case metricMismatch(stored: Metric, requested: Metric)
    /// A document id is empty or too long.
    case invalidID(String, reason: String)
    /// A document's text is longer than the store accepts.
    case textTooLong(id: String, bytes: Int, limit: Int)
    /// A metadata field name is empty or too long.
    case invalidFieldName(String)
    /// A vector holds NaN or infinity.
    case nonFiniteVector(id: String)
    /// The number of vectors differs from the number of documents.
    case vectorCountMismatch(documents: Int, vectors: Int)
    /// `k` must be at least 1.
    case invalidK(Int)
    /// The encoder failed.
    case encodingFailed(underlying: String)
    /// A stored record could not be decoded: the store is damaged.
    case corruptRecord(database: String, key: String, reason: String)
    /// The store was opened read-only and a write was attempted.
    case readOnly
    /// A parameter is out of range.
    case invalidParameter(String)
    /// All 2³² − 1 internal ids have been used; compaction renumbers them.
    case idSpaceExhausted
    /// LMDB reported an error.
    case storage(LMDBError)
    /// The store's files cannot be opened with the access needed (`EACCES`, `EROFS`): even
    /// reading needs write access to the directory's `lock.mdb`.
    case accessDenied(path: String, reason: String)
    /// Another process (or another store in this process) holds the store in a way that
    /// conflicts: compaction needs it to itself, and writers wait for no compaction.
    case storeBusy(path: String, reason: String)

    /// A message that says what went wrong and what to do.
    public var description: String {
        switch self {
        case .notAStore(let path, let reason):
            "\(path) is not a Quiver store: \(reason)"
        case .corruptStore(let path, let reason):
            "the store at \(path) is damaged or not an LMDB store: \(reason). Restore it from a backup or export/import it anew"
        case .unsupportedFormatVersion(let found, let supported):
            "the store has format version \(found) but this Quiver reads versions up to \(supported): upgrade Quiver"
        case .storeNotFound(let path):
            "no store at \(path) (create one by opening with create allowed, or `quiver import`)"
        case .encoderMismatch(let stored, let requested):
            "the store was built with encoder \(stored.fingerprint) but \(requested.fingerprint) was given: open it with the same encoder or import into a new store"
        case .unknownEncoder(let kind):
            "the store uses encoder '\(kind)', which this build cannot create by itself: pass the encoder in StoreOptions"
        case .dimensionMismatch(let expected, let actual):
            "dimension mismatch: the store holds \(expected)-dimensional vectors, got \(actual)"
        case .metricMismatch(let stored, let requested):
            "the store uses metric \(stored.rawValue), not \(requested.rawValue)"
        case .invalidID(let id, let reason):
            "invalid document id \(id.debugDescription): \(reason)"
        case .textTooLong(let id, let bytes, let limit):
            "the text of document \(id.debugDescription) is \(bytes) UTF-8 bytes; the limit is \(limit)"
        case .invalidFieldName(let name):
            "invalid metadata field name \(name.debugDescription): names must be 1–255 UTF-8 bytes"
        case .nonFiniteVector(let id):
            "the vector of \(id.debugDescription) holds NaN or infinity"
        case .vectorCountMismatch(let documents, let vectors):
            "\(documents) documents but \(vectors) vectors were given"
        case .invalidK(let k):
            "k must be at least 1, got \(k)"
        case .encodingFailed(let underlying):
            "encoding failed: \(underlying)"
        case .corruptRecord(let database, let key, let reason):
            "damaged record in '\(database)' at key \(key): \(reason). Run `quiver verify`"
        case .readOnly:
            "the store was opened read-only"
        case .invalidParameter(let message):
            "invalid parameter: \(message)"
        case .idSpaceExhausted:
            "the store has used every internal id: run `quiver compact`"
        case .storage(let error):
            "storage error: \(error.description)"
        case .storeBusy(let path, let reason):
            "the store at \(path) is busy: \(reason)"
        case .accessDenied(let path, let reason):
            "cannot open the store at \(path): \(reason). A store's directory and its lock.mdb must be "
                + "writable by this user, even to search"
        }
    }
}
