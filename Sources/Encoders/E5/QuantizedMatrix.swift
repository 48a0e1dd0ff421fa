/// A row-major matrix stored as Q4_0 blocks (see ``Q4Block``) in a memory-mapped file,
/// dequantized on demand, one row or the whole matrix at a time.
///
/// `@unchecked Sendable` is sound because `blocks` points into the read-only mapping `owner`,
/// which this value keeps alive.
struct QuantizedMatrix: @unchecked Sendable {
    /// The tensor's name in its file.
    let name: String
    /// The number of rows.
    let rows: Int
    /// The number of columns, a multiple of 32.
    let columns: Int
    /// The mapping holding the blocks.
    let owner: MappedFile
    /// The first block.
    let blocks: UnsafeRawPointer

    /// Bytes per row.
    var rowByteCount: Int { columns / Q4Block.weights * Q4Block.byteCount }

    /// Writes row `row` (`columns` floats) to `output`.
    @inline(__always)
    func dequantizeRow(_ row: Int, into output: UnsafeMutablePointer<Float>) {
        Q4Block.dequantize(blocks + row * rowByteCount, blockCount: columns / Q4Block.weights, into: output)
    }

    /// The byte range of the blocks in the file.
    var byteRange: Range<Int> {
        let start = blocks - owner.base
        return start..<start + rows * rowByteCount
    }

    /// The whole matrix as a float32 tensor of shape `[rows, columns]` (newly allocated).
    func dequantized() -> FloatTensor {
        let storage = FloatStorage(count: rows * columns)
        Q4Block.dequantize(blocks, blockCount: rows * columns / Q4Block.weights, into: storage.elements)
        return FloatTensor(name: name, shape: [rows, columns], owner: storage, elements: UnsafePointer(storage.elements))
    }

    /// The matrices `parts` (equal column counts) dequantized and stacked along their rows into one tensor.
    static func dequantized(stacking parts: [QuantizedMatrix], name: String) -> FloatTensor {
        let columns = parts.first?.columns ?? 0
        precondition(parts.allSatisfy { $0.columns == columns }, "stacked matrices must agree on columns")
        let rows = parts.reduce(0) { $0 + $1.rows }
        let storage = FloatStorage(count: rows * columns)
        var offset = 0
        for part in parts {
            Q4Block.dequantize(part.blocks, blockCount: part.rows * columns / Q4Block.weights, into: storage.elements + offset)
            offset += part.rows * columns
        }
        return FloatTensor(name: name, shape: [rows, columns], owner: storage, elements: UnsafePointer(storage.elements))
    }
}
