/// A read-only float32 tensor: either a slice of a memory-mapped model file or an array
/// assembled at load time (such as the fused query/key/value projection).
///
/// `@unchecked Sendable` is sound because `elements` points into memory owned by `owner`,
/// which this value keeps alive and which nobody writes after the tensor is created.
struct FloatTensor: @unchecked Sendable {
    /// The tensor's name (in its file, or a description of how it was assembled).
    let name: String
    /// The tensor's dimensions, outermost first (row-major).
    let shape: [Int]
    /// The object owning the elements: a ``MappedFile`` or a ``FloatStorage``.
    let owner: any AnyObject & Sendable
    /// The first element.
    let elements: UnsafePointer<Float>

    /// The number of elements.
    var count: Int { shape.reduce(1, *) }

    /// A tensor viewing `elements`, kept alive by `owner`.
    init(name: String, shape: [Int], owner: any AnyObject & Sendable, elements: UnsafePointer<Float>) {
        self.name = name
        self.shape = shape
        self.owner = owner
        self.elements = elements
    }

    /// The tensors `parts` stacked along their first dimension into a new tensor
    /// (all parts must agree on the other dimensions).
    init(stacking parts: [FloatTensor], name: String) {
        let inner = Array(parts.first?.shape.dropFirst() ?? [])
        precondition(parts.allSatisfy { Array($0.shape.dropFirst()) == inner }, "stacked tensors must agree on inner dimensions")
        let storage = FloatStorage(count: parts.reduce(0) { $0 + $1.count })
        var offset = 0
        for part in parts {
            (storage.elements + offset).update(from: part.elements, count: part.count)
            offset += part.count
        }
        self.init(
            name: name,
            shape: [parts.reduce(0) { $0 + ($1.shape.first ?? 1) }] + inner,
            owner: storage,
            elements: UnsafePointer(storage.elements)
        )
    }
}
