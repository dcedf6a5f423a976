/// The one definition of a JSON number (RFC 8259's grammar, finite doubles only), shared by the
/// parser and by readers that scan a document's bytes themselves (the world import's fast path):
/// whatever one accepts, the other reads to the same value.
package enum JSONNumber {
    /// What `scan` found.
    package enum Scan: Equatable, Sendable {
        /// A number and the offset just after its text.
        case number(Double, end: Int)
        /// Not a number: the parser's message and the offset it points at.
        case invalid(String, at: Int)
    }

    /// Reads the number whose text starts at `offset`.
    @inlinable
    package static func scan(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> Scan {
        let start = offset
        var i = offset
        @inline(__always) func digit(_ k: Int) -> Bool { k < bytes.count && bytes[k] >= 0x30 && bytes[k] <= 0x39 }
        if i < bytes.count && bytes[i] == UInt8(ascii: "-") { i += 1 }
        if i < bytes.count && bytes[i] == UInt8(ascii: "0") {
            i += 1
            if digit(i) { return .invalid("numbers may not have leading zeros", at: start) }
        } else if digit(i) {
            while digit(i) { i += 1 }
        } else {
            return .invalid("invalid number", at: start)
        }
        if i < bytes.count && bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digit(i) else { return .invalid("expected digits after the decimal point", at: i) }
            while digit(i) { i += 1 }
        }
        if i < bytes.count && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            i += 1
            if i < bytes.count && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
            guard digit(i) else { return .invalid("expected digits in the exponent", at: i) }
            while digit(i) { i += 1 }
        }
        // One digit (most counts and levels) is its own value; anything longer is converted
        // by the standard library, correctly rounded.
        if i - start == 1 { return .number(Double(bytes[start] &- 0x30), end: i) }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            return .invalid("number \(text) is outside the range of a double", at: start)
        }
        return .number(value, end: i)
    }
}
