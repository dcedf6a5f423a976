/// One result row. Accessors convert between the two backends' representations (PostgreSQL
/// returns text, SQLite returns typed values), so callers read the same way from both.
public struct Row: Sendable {
    public let columns: [String]
    public let values: [SQLValue]

    public init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    public subscript(_ name: String) -> SQLValue {
        guard let i = columns.firstIndex(of: name) else { return .null }
        return values[i]
    }

    public func isNull(_ name: String) -> Bool { self[name] == .null }

    public func string(_ name: String) -> String? {
        switch self[name] {
        case .null: nil
        case .text(let s), .json(let s): s
        case .integer(let i): String(i)
        case .real(let x): String(x)
        case .bool(let b): b ? "true" : "false"
        }
    }

    public func int(_ name: String) -> Int? {
        switch self[name] {
        case .integer(let i): Int(i)
        case .real(let x): Int(x)
        case .text(let s): Int(s)
        case .bool(let b): b ? 1 : 0
        default: nil
        }
    }

    public func double(_ name: String) -> Double? {
        switch self[name] {
        case .integer(let i): Double(i)
        case .real(let x): x
        case .text(let s): Double(s)
        default: nil
        }
    }

    public func bool(_ name: String) -> Bool? {
        switch self[name] {
        case .bool(let b): b
        case .integer(let i): i != 0
        case .text(let s): s == "t" || s == "true" || s == "1"
        default: nil
        }
    }

    /// A date column as `YYYY-MM-DD` (PostgreSQL and SQLite both hand it back that way).
    public func date(_ name: String) -> String? { string(name).map { String($0.prefix(10)) } }
}
