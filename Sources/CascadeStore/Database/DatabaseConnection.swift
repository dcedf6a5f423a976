/// The SQL flavour a connection speaks; the few statements that differ switch on it.
package enum SQLDialect: String, Sendable {
    case sqlite, postgresql
}

/// An open connection, handed to `Store.read { }` / `Store.write { }` closures only, inside a
/// transaction. SQL is written with `?` placeholders; values are always bound, never spliced.
package protocol DatabaseConnection: AnyObject {
    var dialect: SQLDialect { get }

    /// Runs a statement that returns no rows; returns the number of rows it changed.
    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws(StoreError) -> Int

    /// Runs a query and returns every row.
    func query(_ sql: String, _ arguments: [SQLValue]) throws(StoreError) -> [Row]

    /// Runs a query and calls `body` with each row in turn, without collecting them (large scans).
    func forEachRow(_ sql: String, _ arguments: [SQLValue], _ body: (RowCursor) throws -> Void) throws

    /// Runs several statements with no parameters (schema scripts).
    func executeScript(_ sql: String) throws(StoreError)

    /// Starts, commits and rolls back transactions; used by `Store` only.
    func begin(writing: Bool) throws(StoreError)
    func commit() throws(StoreError)
    func rollback()

    /// Loads many rows, by the fastest means the backend has: one prepared one-row `INSERT …
    /// suffix` stepped per row, its values bound straight from `BulkRow`'s buffer, on SQLite; on PostgreSQL `COPY`
    /// into a temporary table, then one `INSERT … SELECT … suffix` (or, into a table that is
    /// empty, `COPY` straight into it: `suffix` could match nothing). `row(i, &out)` appends row
    /// `i`'s values in column order; no two rows may have the same value of a unique key (an
    /// `ON CONFLICT … DO UPDATE` suffix would fail on them anyway). Returns the rows inserted or changed.
    func bulkLoad(
        into table: String, columns: [String], count: Int, suffix: String,
        progress: (Int) -> Void, row: (Int, inout BulkRow) throws -> Void
    ) throws -> Int

    /// Turns enforcement of foreign keys on or off outside transactions (SQLite; a no-op on
    /// PostgreSQL, where bulk loads drop and re-add the constraints instead).
    func setForeignKeyChecks(_ enabled: Bool) throws(StoreError)

    /// Turns enforcement of the schema's CHECK constraints off or on for the statements that
    /// follow (SQLite, for rows validated beforehand by exactly those rules; a no-op on
    /// PostgreSQL).
    func setCheckConstraints(_ enabled: Bool) throws(StoreError)

    /// Makes the sorts that follow keep their records in one growing buffer spilled to
    /// temporary files (`true`) or in memory, one allocation per record (`false`, SQLite's
    /// setting at other times); inside a transaction only after a change outside one (SQLite's
    /// temp schema must be closed; a change closes it). SQLite only: `CREATE INDEX` over
    /// a bulk-loaded table sorts every row, and measured about a quarter less CPU in files.
    /// A no-op on PostgreSQL.
    func setSortsInTemporaryFiles(_ enabled: Bool) throws(StoreError)

    /// Closes the connection; further use is an error.
    func close()
}

extension DatabaseConnection {
    @discardableResult
    package func execute(_ sql: String, _ arguments: SQLValue...) throws(StoreError) -> Int {
        try execute(sql, arguments)
    }

    package func query(_ sql: String, _ arguments: SQLValue...) throws(StoreError) -> [Row] {
        try query(sql, arguments)
    }

    /// Collects the rows, then calls `body` with each (backends without a streaming reader).
    package func forEachRow(_ sql: String, _ arguments: [SQLValue], _ body: (RowCursor) throws -> Void) throws {
        for row in try query(sql, arguments) { try body(RowCursor(row: row)) }
    }

    /// The first row, or nil.
    package func queryOne(_ sql: String, _ arguments: [SQLValue] = []) throws(StoreError) -> Row? {
        try query(sql, arguments).first
    }

    /// `bulkLoad` with each row given as `SQLValue`s.
    package func bulkInsert(
        into table: String, columns: [String], count: Int, suffix: String,
        progress: (Int) -> Void, row: (Int, inout [SQLValue]) throws -> Void
    ) throws -> Int {
        var values: [SQLValue] = []
        return try bulkLoad(into: table, columns: columns, count: count, suffix: suffix, progress: progress) { i, out in
            values.removeAll(keepingCapacity: true)
            try row(i, &values)
            for value in values { out.value(value) }
        }
    }

    /// `insertMany` with rows appended to a `BulkRow`.
    @discardableResult
    func insertMany(
        into table: String, columns: [String], count: Int, suffix: String = "", progress: (Int) -> Void = { _ in },
        rows row: (Int, inout BulkRow) throws -> Void
    ) throws -> Int {
        var batch = BulkRow()
        return try insertMany(into: table, columns: columns, count: count, suffix: suffix, progress: progress) { i, out in
            batch.removeAll()
            try row(i, &batch)
            for k in 0..<batch.count { out.append(batch.sqlValue(k)) }
        }
    }

    /// Inserts many rows with few statements: rows `0..<count`, appended on demand by `row` to the argument list, are
    /// sent as multi-row `VALUES` lists (bounded by both backends' parameter limits). `suffix`
    /// follows the `VALUES` list, e.g. an `ON CONFLICT` clause. Returns the rows changed.
    @discardableResult
    package func insertMany(
        into table: String, columns: [String], count: Int, suffix: String = "", rowsPerStatement: Int = 500,
        progress: (Int) -> Void = { _ in }, row: (Int, inout [SQLValue]) throws -> Void
    ) throws -> Int {
        guard count > 0 else { return 0 }
        let perRow = "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
        let chunk = max(1, min(rowsPerStatement, 30_000 / max(1, columns.count)))
        var start = 0
        var changed = 0
        var cachedCount = -1
        var cachedSQL = ""
        var arguments: [SQLValue] = []
        arguments.reserveCapacity(chunk * columns.count)
        while start < count {
            let end = min(start + chunk, count)
            if end - start != cachedCount {
                cachedCount = end - start
                cachedSQL = "INSERT INTO \(table) (\(columns.joined(separator: ","))) VALUES "
                    + Array(repeating: perRow, count: cachedCount).joined(separator: ",") + " " + suffix
            }
            arguments.removeAll(keepingCapacity: true)
            for index in start..<end { try row(index, &arguments) }
            changed += try execute(cachedSQL, arguments)
            start = end
            progress(end)
        }
        return changed
    }
}
