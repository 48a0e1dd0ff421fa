/// One search result: an internal vector id and its distance to the query.
public struct Neighbor: Sendable, Hashable {
    /// The internal id of the vector.
    public var id: UInt32
    /// The distance from the query to the vector (smaller is nearer).
    public var distance: Float

    /// Creates a neighbor with the given id and distance.
    @inlinable
    public init(id: UInt32, distance: Float) {
        self.id = id
        self.distance = distance
    }

    /// Whether `self` ranks strictly nearer than `other`: smaller distance, then smaller id.
    @inlinable
    func ranksBefore(_ other: Neighbor) -> Bool {
        distance < other.distance || (distance == other.distance && id < other.id)
    }
}
