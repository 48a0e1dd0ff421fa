/// A hash table from UTF-8 byte strings to token ids, probed with a raw byte range so the
/// WordPiece search never builds a `String` per candidate piece.
///
/// Keys compare byte for byte, as in the reference implementation: unlike `String`
/// equality, two canonically equivalent spellings ("é" and "e\u{301}") are different keys.
/// The table is filled once while a vocabulary loads and is read-only afterwards.
struct TokenTable: Sendable {
    /// The keys, back to back.
    private var keyBytes: [UInt8] = []
    /// Where each entry's key starts in `keyBytes`; entry `i` ends where entry `i + 1` starts.
    private var keyStarts: [Int] = [0]
    /// Each entry's value.
    private var values: [Int32] = []
    /// Each entry's full hash, compared before the bytes.
    private var hashes: [UInt64] = []
    /// Open-addressing slots holding an entry index plus one; zero marks an empty slot.
    private var slots: [Int32]
    /// `slots.count - 1`; the slot count is a power of two, at least twice the entry count.
    private var slotMask: Int
    /// The length in bytes of the longest key: longer candidates cannot be present.
    private(set) var maximumKeyLength = 0

    /// An empty table sized for `capacity` entries (it grows if more are inserted).
    init(capacity: Int) {
        var slotCount = 16
        while slotCount < capacity * 2 {
            slotCount *= 2
        }
        slots = [Int32](repeating: 0, count: slotCount)
        slotMask = slotCount - 1
        keyBytes.reserveCapacity(capacity * 8)
        keyStarts.reserveCapacity(capacity + 1)
        values.reserveCapacity(capacity)
        hashes.reserveCapacity(capacity)
    }

    /// The number of entries.
    var count: Int { values.count }

    /// Adds `key` with `value`, unless an entry with the same bytes exists: then the table
    /// is unchanged and the value already stored is returned.
    mutating func insert(_ key: UnsafeRawBufferPointer, value: Int32) -> Int32? {
        if (values.count + 1) * 2 > slots.count {
            growSlots()
        }
        let hash = TokenTable.hash(key)
        var slot = Int(truncatingIfNeeded: hash) & slotMask
        while slots[slot] != 0 {
            let entry = Int(slots[slot]) - 1
            if hashes[entry] == hash && keyEquals(entry, key) {
                return values[entry]
            }
            slot = (slot + 1) & slotMask
        }
        keyBytes.append(contentsOf: key)
        keyStarts.append(keyBytes.count)
        values.append(value)
        hashes.append(hash)
        slots[slot] = Int32(values.count)
        maximumKeyLength = max(maximumKeyLength, key.count)
        return nil
    }

    /// The value stored under the bytes of `key`, or `nil`.
    @inline(__always)
    func value(for key: UnsafeRawBufferPointer) -> Int32? {
        guard key.count <= maximumKeyLength else { return nil }
        let hash = TokenTable.hash(key)
        var slot = Int(truncatingIfNeeded: hash) & slotMask
        return slots.withUnsafeBufferPointer { slots in
            while true {
                let stored = slots[slot]
                if stored == 0 {
                    return nil
                }
                let entry = Int(stored) - 1
                if hashes[entry] == hash && keyEquals(entry, key) {
                    return values[entry]
                }
                slot = (slot + 1) & slotMask
            }
        }
    }

    /// The value stored under the UTF-8 bytes of `key`, or `nil`.
    func value(for key: String) -> Int32? {
        var key = key
        return key.withUTF8 { value(for: UnsafeRawBufferPointer($0)) }
    }

    /// Doubles the slot count and re-inserts every entry.
    private mutating func growSlots() {
        let slotCount = slots.count * 2
        slots = [Int32](repeating: 0, count: slotCount)
        slotMask = slotCount - 1
        for entry in hashes.indices {
            var slot = Int(truncatingIfNeeded: hashes[entry]) & slotMask
            while slots[slot] != 0 {
                slot = (slot + 1) & slotMask
            }
            slots[slot] = Int32(entry + 1)
        }
    }

    /// Whether entry `entry`'s key has exactly the bytes of `key`.
    @inline(__always)
    private func keyEquals(_ entry: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        let start = keyStarts[entry]
        guard keyStarts[entry + 1] - start == key.count else { return false }
        return keyBytes.withUnsafeBufferPointer { bytes in
            for offset in 0..<key.count where bytes[start + offset] != key[offset] {
                return false
            }
            return true
        }
    }

    /// FNV-1a over the bytes, then a final mix so the low bits (the slot) depend on every byte.
    @inline(__always)
    private static func hash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in key {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        hash ^= hash >> 29
        hash = hash &* 0xBF58_476D_1CE4_E5B9
        return hash ^ (hash >> 32)
    }
}
