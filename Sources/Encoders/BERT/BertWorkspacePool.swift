import Synchronization

/// A lock-protected stack of idle ``BertWorkspace``s, so concurrent `encode` calls each get
/// their own buffers and sequential calls reuse the same ones.
final class BertWorkspacePool: Sendable {
    /// The idle workspaces.
    private let idle = Mutex<[BertWorkspace]>([])
    /// The width of a token state.
    private let hiddenSize: Int
    /// The width of the feed-forward layer.
    private let intermediateSize: Int
    /// The most idle workspaces kept; extra ones returned by a burst of concurrent callers are freed.
    private let capacity: Int

    /// Creates an empty pool of workspaces for a model of the given widths.
    init(hiddenSize: Int, intermediateSize: Int, capacity: Int) {
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.capacity = capacity
    }

    /// Runs `body` with a workspace nobody else is using, then returns it to the pool.
    func withWorkspace<Result>(_ body: (BertWorkspace) throws -> Result) rethrows -> Result {
        let workspace = idle.withLock { $0.popLast() }
            ?? BertWorkspace(hiddenSize: hiddenSize, intermediateSize: intermediateSize)
        defer {
            idle.withLock { stack in
                if stack.count < capacity { stack.append(workspace) }
            }
        }
        return try body(workspace)
    }
}
