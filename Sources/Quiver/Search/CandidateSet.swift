/// A set of internal ids below a limit, as a bitmap: what a filter compiles to.
struct CandidateSet: Equatable {
    /// Ids are below this.
    let idLimit: Int
    private(set) var words: [UInt64]

    /// An empty set of ids below `idLimit`.
    init(idLimit: Int) {
        self.idLimit = idLimit
        words = [UInt64](repeating: 0, count: (idLimit + 63) >> 6)
    }

    @inline(__always)
    func contains(_ id: UInt32) -> Bool {
        let i = Int(id)
        guard i < idLimit else { return false }
        return words.withUnsafeBufferPointer { $0[i &>> 6] & (1 &<< UInt64(i & 63)) != 0 }
    }

    @inline(__always)
    mutating func insert(_ id: UInt32) {
        let i = Int(id)
        guard i < idLimit else { return }
        words[i &>> 6] |= 1 &<< UInt64(i & 63)
    }

    mutating func remove(_ id: UInt32) {
        let i = Int(id)
        guard i < idLimit else { return }
        words[i &>> 6] &= ~(1 &<< UInt64(i & 63))
    }

    /// Adds every id of a packed array of native `UInt32`s (a page of postings).
    mutating func insert(packed bytes: UnsafeRawBufferPointer) {
        let limit = idLimit
        words.withUnsafeMutableBufferPointer { w in
            var offset = 0
            while offset + 4 <= bytes.count {
                let i = Int(bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
                if i < limit { w[i &>> 6] |= 1 &<< UInt64(i & 63) }
                offset &+= 4
            }
        }
    }

    /// The number of ids in the set.
    var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    var isEmpty: Bool { words.allSatisfy { $0 == 0 } }

    mutating func formIntersection(_ other: CandidateSet) {
        for i in words.indices { words[i] &= other.words[i] }
    }

    mutating func formUnion(_ other: CandidateSet) {
        for i in words.indices { words[i] |= other.words[i] }
    }

    mutating func subtract(_ other: CandidateSet) {
        for i in words.indices { words[i] &= ~other.words[i] }
    }

    /// Calls `body` with every id in increasing order.
    func forEach(_ body: (UInt32) throws -> Void) rethrows {
        for (w, word) in words.enumerated() {
            var bits = word
            while bits != 0 {
                try body(UInt32(w &<< 6 | bits.trailingZeroBitCount))
                bits &= bits &- 1
            }
        }
    }

    /// Calls `body` with every id in increasing order, calling `prefetch` with each id
    /// `lookahead` ids before `body` gets it: a scan over scattered ids then waits on memory once
    /// per window instead of once per id. Allocation-free (the window is on the stack).
    func forEach(lookahead: Int, prefetch: (UInt32) -> Void, _ body: (UInt32) -> Void) {
        let window = max(1, lookahead)
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: window) { ring in
            var head = 0, filled = 0
            forEach { id in
                prefetch(id)
                if filled == window {
                    body(ring[head])
                } else {
                    filled &+= 1
                }
                ring[head] = id
                head = head &+ 1 == window ? 0 : head &+ 1
            }
            // Drain, oldest first.
            var i = filled == window ? head : 0
            for _ in 0..<filled {
                body(ring[i])
                i = i &+ 1 == window ? 0 : i &+ 1
            }
        }
    }

    /// The ids in increasing order.
    var ids: [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(count)
        forEach { out.append($0) }
        return out
    }
}
