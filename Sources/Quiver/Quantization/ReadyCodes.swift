import LMDB
import VectorMath

/// A store's ready quantizer as one read snapshot sees it: the decoded codebook, every live
/// id's code by pointer, and whether the store still keeps full vectors for re-ranking.
struct ReadyCodes {
    let loaded: QuantizationRuntime.LoadedQuantizer
    let codes: CodeSnapshot
    /// The store keeps only codes: results are ranked by ADC distances alone.
    let fullVectorsDiscarded: Bool
}

extension Store {
    /// The ready quantizer and codes of `txn`'s snapshot, or nil when the store has never been
    /// trained or is still encoding its vectors (searches then use full vectors).
    func readyCodes(txn: Transaction) throws -> ReadyCodes? {
        guard let qdb = quantization.knownDatabases else { return nil }
        let state = try quantization.state(in: txn, qdb)
        guard state.phase == .ready else { return nil }
        let loaded = try quantization.quantizer(generation: state.generation, txn: txn, qdb, dimension: dimension)
        let counters = try MetaCounters.read(from: txn, meta: databases.meta)
        let codes = try quantization.codes(
            txn: txn, mapGeneration: environment.mapGeneration, qdb, layout: loaded.codeLayout, idLimit: Int(counters.nextID))
        return ReadyCodes(loaded: loaded, codes: codes, fullVectorsDiscarded: state.fullVectorsDiscarded)
    }

    /// What this store's ADC tables measure: squared L2 (l2), the negated cosine to the
    /// reconstruction (cosine), or the negated inner product (dot).
    var adcKind: ADCTable.Kind {
        switch metric {
        case .l2: .squaredL2
        case .cosine: .cosine
        case .dot: .negatedInnerProduct
        }
    }
}
