/// A BERT model's word-embedding table: float32 (MiniLM, memory-mapped) or 4-bit Q4_0
/// (multilingual-e5-small, whose 250k-row table stays quantized: only the rows a text uses
/// are dequantized, into scratch memory).
enum WordEmbeddingTable: Sendable {
    /// A float32 `[vocabulary, hidden]` tensor.
    case dense(FloatTensor)
    /// A Q4_0 `[vocabulary rows, hidden]` matrix.
    case quantized(QuantizedMatrix)

    /// The number of rows.
    var rows: Int {
        switch self {
        case .dense(let tensor): return tensor.shape.first ?? 0
        case .quantized(let matrix): return matrix.rows
        }
    }

    /// The embedding of `token`: a pointer into the table, or `scratch` (at least `width`
    /// floats) after dequantizing the row into it.
    @inline(__always)
    func row(_ token: Int, width: Int, scratch: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        switch self {
        case .dense(let tensor):
            return tensor.elements + token * width
        case .quantized(let matrix):
            matrix.dequantizeRow(token, into: scratch)
            return UnsafePointer(scratch)
        }
    }
}
