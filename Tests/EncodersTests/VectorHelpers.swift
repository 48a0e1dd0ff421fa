/// The inner product of two equal-length vectors (the cosine for unit vectors), in Double.
func cosine(_ a: [Float], _ b: [Float]) -> Double {
    precondition(a.count == b.count)
    return zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
}

/// The Euclidean norm of a vector, in Double.
func norm(_ v: [Float]) -> Double {
    cosine(v, v).squareRoot()
}

/// The indices of the nonzero entries of a vector.
func support(_ v: [Float]) -> Set<Int> {
    Set(v.indices.filter { v[$0] != 0 })
}
