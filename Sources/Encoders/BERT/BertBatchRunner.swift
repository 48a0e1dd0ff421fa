import Foundation
import Synchronization

/// Runs token sequences through a ``BertModel`` in length-sorted batches, in parallel, with
/// pooled scratch buffers: the part of an encoder between its tokenizer and its vectors,
/// shared by ``MiniLMEncoder`` and ``E5Encoder``.
///
/// Sequences are sorted by length and run up to ``batchSize`` at a time (at most
/// ``maximumBatchTokens`` token rows per batch), packed without padding. With a
/// single-threaded BLAS, up to ``threadCount`` batches run at once; with a multi-threaded
/// BLAS, one at a time (BLAS fills the cores).
struct BertBatchRunner: Sendable {
    /// The network.
    let model: BertModel
    /// Scratch buffers for forward passes.
    let workspaces: BertWorkspacePool
    /// The most batches run at once.
    let threadCount: Int
    /// The most token ids per sequence, special tokens included.
    let maximumTokens: Int
    /// The most sequences per batch.
    let batchSize: Int
    /// The most token rows per batch (bounds the scratch memory).
    let maximumBatchTokens: Int

    /// Creates a runner for `model` with a workspace pool of `threadCount` entries.
    init(model: BertModel, threadCount: Int, maximumTokens: Int, batchSize: Int, maximumBatchTokens: Int) {
        self.model = model
        self.threadCount = Swift.max(1, threadCount)
        self.maximumTokens = maximumTokens
        self.batchSize = batchSize
        self.maximumBatchTokens = Swift.max(maximumBatchTokens, maximumTokens)
        self.workspaces = BertWorkspacePool(
            hiddenSize: model.configuration.hiddenSize, intermediateSize: model.configuration.intermediateSize,
            capacity: self.threadCount
        )
    }

    /// The width of every embedding.
    var dimension: Int { model.configuration.hiddenSize }

    /// One unit-length embedding per sequence, in order.
    ///
    /// - Throws: ``BertInputError`` for an empty or too long sequence or an id outside the vocabulary.
    func embed(_ sequences: [[Int32]]) throws -> [[Float]] {
        let vocabularySize = model.configuration.vocabularySize
        for (index, sequence) in sequences.enumerated() {
            guard !sequence.isEmpty else { throw BertInputError.emptySequence(index: index) }
            guard sequence.count <= maximumTokens else {
                throw BertInputError.sequenceTooLong(index: index, length: sequence.count, limit: maximumTokens)
            }
            if let bad = sequence.first(where: { $0 < 0 || Int($0) >= vocabularySize }) {
                throw BertInputError.invalidTokenID(index: index, id: bad, vocabularySize: vocabularySize)
            }
        }
        // With multi-threaded BLAS, one batch at a time (BLAS fills the cores); otherwise our own workers.
        let parallelism = (LinearAlgebra.threadCount ?? 1) > 1 ? 1 : threadCount
        let units = workUnits(lengths: sequences.map(\.count), workers: parallelism)
        var result = [[Float]](repeating: [], count: sequences.count)
        let workers = Swift.min(parallelism, units.count)
        guard workers > 1 else {
            workspaces.withWorkspace { workspace in
                for unit in units {
                    run(unit, of: sequences, in: workspace) { result[$0] = $1 }
                }
            }
            return result
        }
        result.withUnsafeMutableBufferPointer { output in
            let destination = ChunkDestination(base: output.baseAddress)
            let next = Atomic<Int>(0)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                workspaces.withWorkspace { workspace in
                    while case let index = next.wrappingAdd(1, ordering: .relaxed).oldValue, index < units.count {
                        run(units[index], of: sequences, in: workspace) { destination.store($1, at: $0) }
                    }
                }
            }
        }
        return result
    }

    /// Runs the sequences at `indices` through the model as one batch, handing each embedding to `store` with its index.
    private func run(_ indices: [Int], of sequences: [[Int32]], in workspace: BertWorkspace, store: (Int, [Float]) -> Void) {
        model.embed(indices.map { sequences[$0] }, workspace: workspace)
        let width = dimension
        for (slot, index) in indices.enumerated() {
            store(index, Array(UnsafeBufferPointer(start: workspace.pooled + slot * width, count: width)))
        }
    }

    /// Groups sequence indices into batches (see ``batches(lengths:)``), then splits the
    /// biggest batches in two until there are at least `workers` of them (when possible), so
    /// a single batch of texts still keeps every worker busy.
    func workUnits(lengths: [Int], workers: Int) -> [[Int]] {
        var units = batches(lengths: lengths)
        while units.count < workers {
            let tokens = units.map { $0.reduce(0) { $0 + lengths[$1] } }
            guard let largest = units.indices.filter({ units[$0].count > 1 }).max(by: { tokens[$0] < tokens[$1] }) else { break }
            // Alternate members (sorted by length) so both halves get similar token counts.
            let unit = units[largest]
            units[largest] = stride(from: 0, to: unit.count, by: 2).map { unit[$0] }
            units.insert(stride(from: 1, to: unit.count, by: 2).map { unit[$0] }, at: largest + 1)
        }
        return units
    }

    /// Groups sequence indices into batches: longest first, at most ``batchSize`` sequences
    /// and ``maximumBatchTokens`` tokens each, so sequences of similar length run together.
    func batches(lengths: [Int]) -> [[Int]] {
        let order = lengths.indices.sorted { (lengths[$0], $1) > (lengths[$1], $0) }
        var batches: [[Int]] = []
        var current: [Int] = []
        var tokens = 0
        for index in order {
            if !current.isEmpty, current.count == batchSize || tokens + lengths[index] > maximumBatchTokens {
                batches.append(current)
                current = []
                tokens = 0
            }
            current.append(index)
            tokens += lengths[index]
        }
        if !current.isEmpty { batches.append(current) }
        return batches
    }
}
