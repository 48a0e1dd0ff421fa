import LMDB

/// The two databases of product quantization (docs/storage-format.md): `pq` (parameters,
/// codebook and state) and `codes` (id-addressed chunks of codes).
///
/// They are created on first training, not with the store, so stores made before PQ existed
/// open unchanged; a store without them has no quantizer.
struct QuantizationDatabases: Sendable {
    /// Keys of the `pq` database.
    enum Key {
        /// JSON ``QuantizerRecord``: the parameters the quantizer was trained with.
        static let parameters = "parameters"
        /// `dimension × 256` little-endian Float32: the codebook.
        static let codebook = "codebook"
        /// ``QuantizerState``, 16 bytes.
        static let state = "state"
    }

    /// name → parameters, codebook, state.
    let pq: Database
    /// chunk number (integer key) → live bitmap + codes.
    let codes: Database

    /// Opens the databases; nil when they do not exist and `create` is false.
    static func open(_ environment: Environment, create: Bool) throws -> QuantizationDatabases? {
        do {
            let pq = try environment.openDatabase("pq", create: create)
            let codes = try environment.openDatabase("codes", flags: .integerKey, create: create)
            return QuantizationDatabases(pq: pq, codes: codes)
        } catch let error as LMDBError where error.isNotFound {
            return nil
        }
    }
}
