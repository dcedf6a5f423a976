import CascadeStore

/// A column of ids held as the 16 bytes of a UUID wherever an id is one as Cascade formats them
/// (lowercase 8-4-4-4-12: `ContentHash.parseFormatted`, so it formats back byte for byte), and as
/// text otherwise. At 1 M entities / 5 M relationships, the relationship ids as strings were 5 M
/// heap objects (~300 MB, and time to build each one from the snapshot, to free it, and to parse it
/// back into 16 bytes for the result document); here they are 80 MB in one array. An id is made
/// into a `String` only when one is asked for (`subscript`), or read in place (`withUTF8`).
package struct IDColumn: RandomAccessCollection, Sendable, Equatable {
    /// Each id's 128 bits; zero for an id held in `texts` instead.
    package private(set) var bits: [SIMD2<UInt64>] = []
    /// Position → text of every id that is not a formatted UUID (and of the all-zero UUID).
    package private(set) var texts: [Int: String] = [:]

    package init() {}

    package init(_ ids: [String]) {
        bits.reserveCapacity(ids.count)
        for id in ids { append(id) }
    }

    /// The columns as a result document stores them (`ResultColumns`' UUID form).
    package init(bits: [SIMD2<UInt64>], texts: [Int: String]) {
        self.bits = bits
        self.texts = texts
    }

    package var startIndex: Int { 0 }
    package var endIndex: Int { bits.count }

    package subscript(position: Int) -> String {
        let value = bits[position]
        return value == .zero ? texts[position]! : ContentHash.format((value[0], value[1]))
    }

    package mutating func reserveCapacity(_ count: Int) { bits.reserveCapacity(count) }

    package mutating func append(_ id: String) {
        if let done = id.utf8.withContiguousStorageIfAvailable({ append(utf8: $0) }) {
            if !done { texts[bits.count - 1] = id }
            return
        }
        var id = id
        if !id.withUTF8({ append(utf8: $0) }) { texts[bits.count - 1] = id }
    }

    /// Appends an id given as UTF-8 bytes: true when it was a formatted UUID; false when its
    /// text is to be recorded (`append(_:)` does).
    @discardableResult
    private mutating func append(utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        if let (high, low) = ContentHash.parseFormatted(utf8), high | low != 0 {
            bits.append(SIMD2(high, low))
            return true
        }
        bits.append(.zero)
        return false
    }

    /// Appends an id given as UTF-8 bytes (a database row's, a snapshot's), making a string only
    /// for one that is not a formatted UUID.
    package mutating func append(bytes utf8: UnsafeBufferPointer<UInt8>) {
        if !append(utf8: utf8) { texts[bits.count - 1] = String(decoding: utf8, as: UTF8.self) }
    }

    /// Calls `body` with id `position`'s UTF-8 bytes, without making a string for a UUID.
    package func withUTF8<R>(_ position: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let value = bits[position]
        if value != .zero { return try ContentHash.withFormatted((value[0], value[1]), body) }
        var text = texts[position]!
        return try text.withUTF8(body)
    }

    /// Whether ids `a` and `b` are the same text.
    package func idsEqual(_ a: Int, _ b: Int) -> Bool {
        bits[a] != .zero || bits[b] != .zero ? bits[a] == bits[b] : texts[a]!.utf8.elementsEqual(texts[b]!.utf8)
    }

    /// The ids in this order of positions.
    func permuted(_ order: [Int32]) -> IDColumn {
        var texts: [Int: String] = [:]
        if !self.texts.isEmpty {
            for (k, i) in order.enumerated() { if let text = self.texts[Int(i)] { texts[k] = text } }
        }
        return IDColumn(bits: CascadeEngine.permuted(bits, order), texts: texts)
    }

    /// Whether the ids are in UTF-8 byte order. For formatted UUIDs that is the order of their
    /// 128 bits (hex digits at fixed places, `0`–`9` before `a`–`f`).
    var isByteOrdered: Bool {
        guard texts.isEmpty else { return CascadeEngine.isByteOrdered(Array(self)) }
        guard bits.count > 1 else { return true }
        for k in 1..<bits.count where !Self.precedes(bits[k - 1], bits[k]) { return false }
        return true
    }

    /// Positions in UTF-8 byte order of their ids (equal ids by position).
    func byteOrderPermutation() -> [Int32] {
        guard texts.isEmpty else { return CascadeEngine.byteOrderPermutation(Array(self)) }
        // The ids with their positions, side by side (a sort of positions that read the ids
        // through them took 0.9 s for 5 M).
        var items = bits.enumerated().map { (id: $1, position: Int32($0)) }
        items.sort { a, b in a.id != b.id ? Self.precedes(a.id, b.id) : a.position < b.position }
        return items.map(\.position)
    }

    @inline(__always)
    private static func precedes(_ a: SIMD2<UInt64>, _ b: SIMD2<UInt64>) -> Bool {
        a[0] != b[0] ? a[0] < b[0] : a[1] < b[1]
    }
}
