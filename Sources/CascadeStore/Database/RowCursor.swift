import CSQLite

/// The current row of a result being stepped through by `DatabaseConnection.forEachRow`: columns
/// are read by position, straight from the backend's buffers, without building a `Row`. Valid
/// only inside the closure it is passed to.
package struct RowCursor {
    enum Source {
        case sqlite(OpaquePointer)
        case row(Row)
    }

    let source: Source

    init(statement: OpaquePointer) { source = .sqlite(statement) }
    init(row: Row) { source = .row(row) }

    package func isNull(_ column: Int) -> Bool {
        switch source {
        case .sqlite(let statement): sqlite3_column_type(statement, Int32(column)) == SQLITE_NULL
        case .row(let row): row.values[column] == .null
        }
    }

    /// The column's text (numbers are given as text), or nil for NULL.
    package func string(_ column: Int) -> String? {
        switch source {
        case .sqlite(let statement):
            let c = Int32(column)
            switch sqlite3_column_type(statement, c) {
            case SQLITE_NULL: return nil
            case SQLITE_INTEGER: return String(sqlite3_column_int64(statement, c))
            case SQLITE_FLOAT: return String(sqlite3_column_double(statement, c))
            default:
                let length = Int(sqlite3_column_bytes(statement, c))
                guard let bytes = sqlite3_column_text(statement, c), length > 0 else { return "" }
                return String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self)
            }
        case .row(let row):
            return Row(columns: [""], values: [row.values[column]]).string("")
        }
    }

    package func int(_ column: Int) -> Int? {
        switch source {
        case .sqlite(let statement):
            let c = Int32(column)
            switch sqlite3_column_type(statement, c) {
            case SQLITE_NULL: return nil
            case SQLITE_INTEGER: return Int(sqlite3_column_int64(statement, c))
            case SQLITE_FLOAT: return Int(exactly: sqlite3_column_double(statement, c).rounded(.towardZero))
            default: return string(column).flatMap { Int($0) }
            }
        case .row(let row):
            return Row(columns: [""], values: [row.values[column]]).int("")
        }
    }

    package func double(_ column: Int) -> Double? {
        switch source {
        case .sqlite(let statement):
            let c = Int32(column)
            switch sqlite3_column_type(statement, c) {
            case SQLITE_NULL: return nil
            case SQLITE_INTEGER: return Double(sqlite3_column_int64(statement, c))
            case SQLITE_FLOAT: return sqlite3_column_double(statement, c)
            default: return string(column).flatMap { Double($0) }
            }
        case .row(let row):
            return Row(columns: [""], values: [row.values[column]]).double("")
        }
    }

    /// Whether the column holds bytes (a `BLOB` or `bytea`) rather than text or a number.
    package func isBlob(_ column: Int) -> Bool {
        switch source {
        case .sqlite(let statement): sqlite3_column_type(statement, Int32(column)) == SQLITE_BLOB
        case .row(let row): if case .blob = row.values[column] { true } else { false }
        }
    }

    /// Calls `body` with the column's bytes — a blob's as stored, anything else's text as UTF-8
    /// — valid only during the call; nil for NULL.
    package func withBytes<T>(_ column: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T? {
        switch source {
        case .sqlite(let statement):
            let c = Int32(column)
            switch sqlite3_column_type(statement, c) {
            case SQLITE_NULL: return nil
            case SQLITE_BLOB:
                let bytes = sqlite3_column_blob(statement, c)?.assumingMemoryBound(to: UInt8.self)
                let length = Int(sqlite3_column_bytes(statement, c))
                return try body(UnsafeBufferPointer(start: bytes, count: bytes == nil ? 0 : length))
            default:
                let bytes = sqlite3_column_text(statement, c)
                let length = Int(sqlite3_column_bytes(statement, c))
                return try body(UnsafeBufferPointer(start: bytes, count: bytes == nil ? 0 : length))
            }
        case .row(let row):
            if case .blob(let bytes) = row.values[column] { return try bytes.withUnsafeBufferPointer(body) }
            guard var text = string(column) else { return nil }
            return try text.withUTF8(body)
        }
    }
}
