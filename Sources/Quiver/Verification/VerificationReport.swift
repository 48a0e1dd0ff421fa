/// What ``Store/verify()`` found: every broken invariant, with the ids involved.
public struct VerificationReport: Sendable, Codable, Hashable {
    /// Every violation found; empty when the store is sound.
    public var problems: [VerificationProblem]
    /// How many records of each kind were checked, by name (`documents`, `keys`, `vectors`, …).
    public var checked: [String: Int]

    /// Whether no invariant is broken.
    public var isSound: Bool { problems.isEmpty }

    /// Creates a report.
    public init(problems: [VerificationProblem], checked: [String: Int]) {
        self.problems = problems
        self.checked = checked
    }
}

/// One broken invariant.
public struct VerificationProblem: Sendable, Codable, Hashable, CustomStringConvertible {
    /// The part of the store the problem is in.
    public enum Area: String, Sendable, Codable, Hashable {
        /// The external-id index (`keys`).
        case keys
        /// The documents (`docs`).
        case documents
        /// The vector chunks and their live bitmaps (`vectors`).
        case vectors
        /// The tombstones (`deleted`).
        case tombstones
        /// The HNSW graph (`graph`, `graph_upper`, the entry point).
        case graph
        /// The manifest and counters (`meta`).
        case meta
        /// The product-quantization codes (`codes`).
        case codes
        /// The metadata index (`fields`, `postings`).
        case postings
    }

    /// Where the problem is.
    public var area: Area
    /// What is wrong, in words.
    public var message: String
    /// The internal ids involved (empty when the problem is not about particular records).
    public var internalIDs: [UInt32]

    /// Creates a problem.
    public init(area: Area, message: String, internalIDs: [UInt32] = []) {
        self.area = area
        self.message = message
        self.internalIDs = internalIDs
    }

    /// `area: message`.
    public var description: String { "\(area.rawValue): \(message)" }
}
