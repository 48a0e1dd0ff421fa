/// Heap memory for a tensor assembled at load time, freed with the last reference.
///
/// `@unchecked Sendable` is sound because the memory is written only while the owning
/// ``FloatTensor`` is being built, and read-only afterwards.
final class FloatStorage: @unchecked Sendable {
    /// The first element.
    let elements: UnsafeMutablePointer<Float>
    /// The number of elements.
    let count: Int

    /// Allocates `count` zeroed floats.
    init(count: Int) {
        self.count = count
        elements = .allocate(capacity: Swift.max(count, 1))
        elements.initialize(repeating: 0, count: Swift.max(count, 1))
    }

    deinit {
        elements.deallocate()
    }
}
