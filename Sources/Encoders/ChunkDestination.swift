/// The output slots of a parallel batch, written by several threads at disjoint indices.
///
/// `@unchecked Sendable` is sound because each index is written by exactly one chunk and
/// the buffer outlives `DispatchQueue.concurrentPerform`, which returns only when all chunks finish.
struct ChunkDestination: @unchecked Sendable {
    /// The first output slot (`nil` only for an empty batch, which never reaches here).
    let base: UnsafeMutablePointer<[Float]>?

    /// Stores `vector` in slot `index`.
    func store(_ vector: [Float], at index: Int) {
        base?[index] = vector
    }
}
