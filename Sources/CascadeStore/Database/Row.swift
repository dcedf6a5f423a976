/// One result row. Accessors convert between the two backends' representations (PostgreSQL
/// returns text, SQLite returns typed values), so callers read the same way from both.
package struct Row: Sendable {
    package let columns: [String]
    package let values: [SQLValue]

    package init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    package subscript(_ name: String) -> SQLValue {
        guard let i = columns.firstIndex(of: name) else { return .null }
        return values[i]
    }

    package func isNull(_ name: String) -> Bool { self[name] == .null }

    package func string(_ name: String) -> String? {
        switch self[name] {
        case .null: nil
        case .text(let s), .json(let s): s
        case .integer(let i): String(i)
        case .real(let x): String(x)
        case .bool(let b): b ? "true" : "false"
        case .blob: nil
        }
    }

    /// A binary column's bytes (nil for NULL and for any other value).
    package func bytes(_ name: String) -> [UInt8]? {
        if case .blob(let bytes) = self[name] { bytes } else { nil }
    }

    package func int(_ name: String) -> Int? {
        switch self[name] {
        case .integer(let i): Int(i)
        case .real(let x): Int(x)
        case .text(let s): Int(s)
        case .bool(let b): b ? 1 : 0
        default: nil
        }
    }

    package func double(_ name: String) -> Double? {
        switch self[name] {
        case .integer(let i): Double(i)
        case .real(let x): x
        case .text(let s): Double(s)
        default: nil
        }
    }

    package func bool(_ name: String) -> Bool? {
        switch self[name] {
        case .bool(let b): b
        case .integer(let i): i != 0
        case .text(let s): s == "t" || s == "true" || s == "1"
        default: nil
        }
    }

    /// A timestamp column as ISO 8601 UTC with milliseconds (`2025-01-01T09:30:00.000Z`), whichever
    /// backend stored it (PostgreSQL returns `2025-01-01 09:30:00+00`).
    package func timestamp(_ name: String) -> String? {
        guard let text = string(name) else { return nil }
        guard text.count >= 19, text.dropFirst(10).first == " " else { return text }
        let date = text.prefix(10), time = text.dropFirst(11).prefix(8)
        var fraction = ""
        var rest = text.dropFirst(19)
        if rest.first == "." {
            rest = rest.dropFirst()
            fraction = String(rest.prefix { $0.isNumber })
        }
        fraction = String((fraction + "000").prefix(3))
        return "\(date)T\(time).\(fraction)Z"
    }

    /// A date column as `YYYY-MM-DD` (PostgreSQL and SQLite both hand it back that way).
    package func date(_ name: String) -> String? { string(name).map { String($0.prefix(10)) } }
}
