/// Strict UTF-8 decoding of one scalar, shared by the formula lexer and the JSON reader.
package enum UTF8Decoding {
    /// The scalar value starting at `index` and its length in bytes; nil for malformed bytes
    /// (overlong forms, surrogates, values past U+10FFFF, truncated sequences).
    @inlinable
    package static func scalar<Bytes: RandomAccessCollection<UInt8>>(in bytes: Bytes, at index: Bytes.Index) -> (value: UInt32, length: Int)? {
        let lead = bytes[index]
        let count: Int
        var value: UInt32
        switch lead {
        case 0x00..<0x80: return (UInt32(lead), 1)
        case 0xC2...0xDF: count = 2; value = UInt32(lead & 0x1F)
        case 0xE0...0xEF: count = 3; value = UInt32(lead & 0x0F)
        case 0xF0...0xF4: count = 4; value = UInt32(lead & 0x07)
        default: return nil
        }
        guard bytes.distance(from: index, to: bytes.endIndex) >= count else { return nil }
        var position = bytes.index(after: index)
        for _ in 1..<count {
            let b = bytes[position]
            guard b & 0xC0 == 0x80 else { return nil }
            value = value << 6 | UInt32(b & 0x3F)
            position = bytes.index(after: position)
        }
        let minimum: UInt32 = count == 2 ? 0x80 : count == 3 ? 0x800 : 0x10000
        guard value >= minimum, value <= 0x10FFFF, !(0xD800...0xDFFF).contains(value) else { return nil }
        return (value, count)
    }
}
