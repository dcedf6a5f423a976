/// The values of the rows of one batch of a bulk load, appended in column order, kept flat: the
/// text of every value in one byte buffer, so a backend binds or copies them without an
/// intermediate `SQLValue` or `String` per value. Values still reach SQL only as bound parameters
/// (SQLite) or as `COPY` data (PostgreSQL), never as SQL text.
package struct BulkRow {
    enum Slot {
        case null
        case integer(Int64)
        case real(Double)
        case bool(Bool)
        /// Bytes `start..<start+count` of `text`.
        case text(start: Int, count: Int, json: Bool)
    }

    private(set) var slots: [Slot] = []
    private(set) var text: [UInt8] = []

    init() {}

    mutating func reserve(values: Int, bytes: Int) {
        slots.reserveCapacity(values)
        text.reserveCapacity(bytes)
    }

    mutating func removeAll() {
        slots.removeAll(keepingCapacity: true)
        text.removeAll(keepingCapacity: true)
    }

    var count: Int { slots.count }

    private mutating func appendText(_ s: String, json: Bool) {
        let start = text.count
        var s = s
        s.withUTF8 { text.append(contentsOf: $0) }
        slots.append(.text(start: start, count: text.count - start, json: json))
    }

    /// A text value, or NULL for nil.
    package mutating func text(_ s: String?) {
        if let s { appendText(s, json: false) } else { slots.append(.null) }
    }

    /// A JSON document as text (`jsonb` on PostgreSQL), or NULL for nil.
    package mutating func json(_ s: String?) {
        if let s { appendText(s, json: true) } else { slots.append(.null) }
    }

    package mutating func real(_ x: Double?) { slots.append(x.map { .real($0) } ?? .null) }

    package mutating func integer(_ x: Int?) { slots.append(x.map { .integer(Int64($0)) } ?? .null) }

    /// A 128-bit id written as a UUID (8-4-4-4-12 lowercase hex digits), as `ContentHash.format`.
    package mutating func uuid(_ bits: (UInt64, UInt64)) {
        let start = text.count
        ContentHash.appendFormatted(bits, to: &text)
        slots.append(.text(start: start, count: 36, json: false))
    }

    package mutating func value(_ value: SQLValue) {
        switch value {
        case .null: slots.append(.null)
        case .integer(let i): slots.append(.integer(i))
        case .real(let x): slots.append(.real(x))
        case .bool(let b): slots.append(.bool(b))
        case .text(let s): appendText(s, json: false)
        case .json(let s): appendText(s, json: true)
        case .blob: preconditionFailure("bulk loads carry text and numbers, not bytes")
        }
    }

    /// Value `index` as an `SQLValue` (for backends' generic paths).
    func sqlValue(_ index: Int) -> SQLValue {
        switch slots[index] {
        case .null: .null
        case .integer(let i): .integer(i)
        case .real(let x): .real(x)
        case .bool(let b): .bool(b)
        case .text(let start, let count, let json):
            json ? .json(String(decoding: text[start..<start + count], as: UTF8.self))
                 : .text(String(decoding: text[start..<start + count], as: UTF8.self))
        }
    }
}
