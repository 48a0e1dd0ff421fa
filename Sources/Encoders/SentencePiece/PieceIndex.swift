import Foundation

/// An open-addressing hash table from a piece's UTF-8 bytes to its id, over a
/// ``PieceVocabulary`` (the bytes stay in the vocabulary; the table holds only ids).
///
/// About 2 MB for 250,002 pieces, against roughly 30 MB for a `[String: Int32]`.
struct PieceIndex: Sendable {
    /// The vocabulary the ids refer to.
    let vocabulary: PieceVocabulary
    /// Slot → piece id, or −1 for an empty slot; the count is a power of two.
    private let slots: [Int32]
    /// `slots.count − 1`.
    private let mask: Int
    /// The longest piece, in Unicode scalars.
    let longestPiece: Int

    /// Indexes every piece of `vocabulary`. When two pieces have the same bytes, the later id wins.
    init(vocabulary: PieceVocabulary) {
        self.vocabulary = vocabulary
        var capacity = 1
        while capacity < vocabulary.count * 2 { capacity <<= 1 }
        var slots = [Int32](repeating: -1, count: capacity)
        let mask = capacity - 1
        var longest = 0
        for id in 0..<Int32(vocabulary.count) {
            let bytes = vocabulary.bytes(id)
            longest = Swift.max(longest, bytes.reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) })
            var slot = Int(truncatingIfNeeded: PieceIndex.hash(bytes)) & mask
            while slots[slot] >= 0, !PieceIndex.equal(vocabulary.bytes(slots[slot]), bytes) {
                slot = (slot + 1) & mask
            }
            slots[slot] = id
        }
        self.slots = slots
        self.mask = mask
        self.longestPiece = longest
    }

    /// The id of the piece whose bytes are `bytes`, or `nil`.
    @inline(__always)
    func id(of bytes: UnsafeRawBufferPointer) -> Int32? {
        var slot = Int(truncatingIfNeeded: PieceIndex.hash(bytes)) & mask
        while true {
            let id = slots[slot]
            if id < 0 { return nil }
            if PieceIndex.equal(vocabulary.bytes(id), bytes) { return id }
            slot = (slot + 1) & mask
        }
    }

    /// The id of the piece spelled `text`, or `nil`.
    func id(of text: String) -> Int32? {
        var text = text
        return text.withUTF8 { id(of: UnsafeRawBufferPointer($0)) }
    }

    /// 64-bit FNV-1a.
    @inline(__always)
    private static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// Whether two byte strings are equal.
    @inline(__always)
    private static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        guard let first = a.baseAddress, let second = b.baseAddress else { return true }
        return memcmp(first, second, a.count) == 0
    }
}
