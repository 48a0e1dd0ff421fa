import VectorMath

/// Reusable ``ADCTable``s of the current quantizer generation, so a PQ search does not
/// allocate its `m × 256` floats per query (as ``ScratchPool`` does for search scratch).
///
/// A table serves one search at a time; a new generation (retraining) empties the pool.
final class ADCTablePool: @unchecked Sendable {
    private let lock = NSLockShim()
    private var generation: UInt64 = 0
    private var free: [ADCTable] = []
    /// The most tables kept (one per concurrent search is enough).
    static let capacity = 16

    /// Calls `body` with a table for `loaded`'s quantizer measuring `kind` (unfilled or holding
    /// another query's entries: fill it first), then keeps the table for the next search.
    func withTable<R>(
        _ loaded: QuantizationRuntime.LoadedQuantizer, kind: ADCTable.Kind, _ body: (ADCTable) throws -> R
    ) rethrows -> R {
        let pooled = lock.withLock { () -> ADCTable? in
            if generation != loaded.generation {
                generation = loaded.generation
                free.removeAll()
            }
            return free.popLast()
        }
        let table = pooled.flatMap { $0.kind == kind ? $0 : nil } ?? ADCTable(quantizer: loaded.quantizer, kind: kind)
        defer {
            lock.withLock {
                if generation == loaded.generation && free.count < Self.capacity { free.append(table) }
            }
        }
        return try body(table)
    }
}
