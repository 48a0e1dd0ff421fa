/// A value that can serve as an LMDB key by exposing its bytes.
public protocol LMDBKey {
    /// Calls `body` with the key's bytes, valid only during the call.
    func withKeyBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension Array: LMDBKey where Element == UInt8 {
    /// The array's bytes.
    public func withKeyBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(body)
    }
}

extension String: LMDBKey {
    /// The string's UTF-8 bytes.
    public func withKeyBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var copy = self
        return try copy.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
    }
}

extension UInt32: LMDBKey {
    /// The integer's native-endian bytes: use with ``DatabaseFlags/integerKey`` databases for numeric order.
    public func withKeyBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try Swift.withUnsafeBytes(of: self, body)
    }
}

extension UnsafeRawBufferPointer: LMDBKey {
    /// The buffer itself.
    public func withKeyBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(self)
    }
}
