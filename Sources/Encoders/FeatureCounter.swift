/// Counts occurrences of feature hashes with a reusable open-addressing table.
///
/// Distinct hashes are listed in order of first occurrence, which depends only on the text
/// (not on table size or on previous texts), so accumulating in that order is deterministic.
struct FeatureCounter {
    /// Distinct hashes in order of first occurrence.
    private(set) var distinct: [UInt64] = []
    /// `counts[i]` is how often `distinct[i]` occurred.
    private(set) var counts: [Int32] = []
    /// The table slot holding each distinct hash, so the table can be cleared cheaply.
    private var slotOfDistinct: [Int] = []
    /// Open-addressing table: 0 for an empty slot, otherwise an index into `distinct` plus one.
    private var table: [Int32] = []

    /// Creates an empty counter.
    init() {}

    /// Replaces the counts with those of `hashes`.
    mutating func count(_ hashes: [UInt64]) {
        distinct.removeAll(keepingCapacity: true)
        counts.removeAll(keepingCapacity: true)
        slotOfDistinct.removeAll(keepingCapacity: true)
        // Keep the load factor at most 1/2.
        var capacity = Swift.max(table.count, 64)
        while capacity < hashes.count * 2 {
            capacity *= 2
        }
        if capacity != table.count {
            table = [Int32](repeating: 0, count: capacity)
        }
        let mask = capacity - 1
        table.withUnsafeMutableBufferPointer { slots in
            for hash in hashes {
                // The low bits choose the bucket of the vector; probe with different bits.
                var slot = Int(truncatingIfNeeded: hash >> 40) & mask
                while true {
                    let entry = Int(slots[slot])
                    if entry == 0 {
                        distinct.append(hash)
                        counts.append(1)
                        slotOfDistinct.append(slot)
                        slots[slot] = Int32(truncatingIfNeeded: distinct.count)
                        break
                    }
                    if distinct[entry &- 1] == hash {
                        counts[entry &- 1] &+= 1
                        break
                    }
                    slot = (slot &+ 1) & mask
                }
            }
            for slot in slotOfDistinct {
                slots[slot] = 0
            }
        }
    }
}
