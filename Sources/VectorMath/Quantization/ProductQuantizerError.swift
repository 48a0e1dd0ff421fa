/// Why a product quantizer could not be trained or built.
public enum ProductQuantizerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The vector dimension must be at least 1.
    case invalidDimension(Int)
    /// The number of sub-spaces must be between 1 and the dimension.
    case invalidSubspaceCount(Int, dimension: Int)
    /// Training needs at least one vector per centroid (256).
    case tooFewTrainingVectors(Int, needed: Int)
    /// The training sample's length is not a multiple of the dimension.
    case sampleShape(values: Int, dimension: Int)
    /// The training sample holds NaN or infinity.
    case nonFiniteSample
    /// A stored codebook has the wrong number of values.
    case codebookSize(values: Int, expected: Int)
    /// Lloyd iterations must be at least 1.
    case invalidIterations(Int)
    /// A vector or code has the wrong length for this quantizer.
    case lengthMismatch(expected: Int, actual: Int)

    /// What was wrong and what to do.
    public var description: String {
        switch self {
        case .invalidDimension(let d):
            "a product quantizer needs a dimension of at least 1, got \(d)"
        case .invalidSubspaceCount(let m, let d):
            "the number of PQ sub-spaces (m) must be between 1 and the dimension \(d), got \(m)"
        case .tooFewTrainingVectors(let n, let needed):
            "PQ training needs at least \(needed) vectors (one per centroid), got \(n): add vectors or train later"
        case .sampleShape(let values, let d):
            "the PQ training sample has \(values) values, not a multiple of the dimension \(d)"
        case .nonFiniteSample:
            "the PQ training sample holds NaN or infinity"
        case .codebookSize(let values, let expected):
            "a PQ codebook must hold \(expected) values, got \(values)"
        case .invalidIterations(let n):
            "k-means needs at least 1 iteration, got \(n)"
        case .lengthMismatch(let expected, let actual):
            "the product quantizer expects \(expected) values here, got \(actual)"
        }
    }
}
