/// A value bound to, or read from, a SQL statement. Values always travel as bound parameters.
package enum SQLValue: Hashable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case bool(Bool)
    /// A JSON document as text; PostgreSQL stores it as `jsonb`, SQLite as checked `TEXT`.
    case json(String)
    /// Bytes as they are; SQLite stores them as a `BLOB`, PostgreSQL as `bytea`.
    case blob([UInt8])
}

extension SQLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    package init(stringLiteral value: String) { self = .text(value) }
    package init(integerLiteral value: Int) { self = .integer(Int64(value)) }
    package init(nilLiteral: ()) { self = .null }

    /// `.text(s)` or `.null` when `s` is nil.
    package static func text(_ s: String?) -> SQLValue { s.map { .text($0) } ?? .null }
    /// `.real(x)` or `.null` when `x` is nil.
    package static func real(_ x: Double?) -> SQLValue { x.map { .real($0) } ?? .null }
    /// `.json(s)` or `.null` when `s` is nil.
    package static func json(_ s: String?) -> SQLValue { s.map { .json($0) } ?? .null }
}
