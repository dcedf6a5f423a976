import CSQLite
import Foundation

/// A connection to a SQLite file: WAL journal, a busy timeout, foreign keys on. Writers take the
/// file lock up front (`BEGIN IMMEDIATE`), so concurrent processes queue instead of failing.
package final class SQLiteConnection: DatabaseConnection {
    package let dialect = SQLDialect.sqlite
    package let path: String
    private var handle: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]

    /// SQLite's `SQLITE_TRANSIENT`: copy bound bytes before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    /// SQLite's `SQLITE_STATIC`: the bound bytes stay valid until the statement is reset.
    private static let staticText: sqlite3_destructor_type? = nil

    /// Opens (creating when missing) the file at `path`, creating its directory too.
    package init(path: String, busyTimeoutMilliseconds: Int32 = 30_000) throws(StoreError) {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty && path != ":memory:" {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw StoreError(.io, "cannot create the directory `\(directory)`: \(error.localizedDescription)",
                                 location: path, hint: "check the path and its permissions")
            }
        }
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            throw StoreError(.connection, "cannot open the SQLite store: \(message)", location: path,
                             hint: "check that the path is a writable file", code: "SQLITE_\(rc)")
        }
        handle = db
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
        sqlite3_extended_result_codes(db, 1)
        do {
            // A new file's pages are 64 KiB (`page_size` is a no-op on an existing one, and must come
            // before WAL mode): a 1 M-entity run's ~0.5 GB result document, written to the WAL and
            // then checkpointed, cost half the CPU it did in 4 KiB pages; an import costs about
            // the same (600 k rows: 5.4–5.9 s of CPU either way), point lookups read a larger page.
            try executeScript("PRAGMA page_size=\(Self.newFilePageSize); PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY;")
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    /// The page size of a store file SQLite creates (its largest).
    static let newFilePageSize = 65_536

    package func close() {
        for (_, statement) in statements { sqlite3_finalize(statement) }
        statements.removeAll()
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    private func failure(_ rc: Int32, sql: String?) -> StoreError {
        let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "the connection is closed"
        let primary = rc & 0xFF
        let code: String
        switch rc {
        case 2067: code = "SQLITE_CONSTRAINT_UNIQUE"
        case 1555: code = "SQLITE_CONSTRAINT_PRIMARYKEY"
        case 787: code = "SQLITE_CONSTRAINT_FOREIGNKEY"
        case 275: code = "SQLITE_CONSTRAINT_CHECK"
        default:
            switch primary {
            case SQLITE_BUSY: code = "SQLITE_BUSY"
            case SQLITE_LOCKED: code = "SQLITE_LOCKED"
            case SQLITE_CONSTRAINT: code = "SQLITE_CONSTRAINT"
            default: code = "SQLITE_\(rc)"
            }
        }
        return StoreError(.database, "SQLite: \(message)", location: path, sql: sql, code: code)
    }

    private func prepared(_ sql: String) throws(StoreError) -> OpaquePointer {
        if let statement = statements[sql] {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
            return statement
        }
        guard let handle else { throw StoreError(.connection, "the SQLite connection is closed", location: path) }
        var statement: OpaquePointer?
        let rc = sql.withCString { sqlite3_prepare_v3(handle, $0, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) }
        guard rc == SQLITE_OK, let statement else { throw failure(rc, sql: sql) }
        if statements.count > 200 {
            for (_, old) in statements { sqlite3_finalize(old) }
            statements.removeAll()
        }
        statements[sql] = statement
        return statement
    }

    private func bind(_ arguments: [SQLValue], to statement: OpaquePointer, sql: String) throws(StoreError) {
        let expected = Int(sqlite3_bind_parameter_count(statement))
        guard expected == arguments.count else {
            throw StoreError(.database, "statement expects \(expected) values, got \(arguments.count)", sql: sql)
        }
        for (offset, value) in arguments.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(statement, index)
            case .integer(let i): rc = sqlite3_bind_int64(statement, index, i)
            case .real(let x): rc = sqlite3_bind_double(statement, index, x)
            case .bool(let b): rc = sqlite3_bind_int64(statement, index, b ? 1 : 0)
            case .text(let s), .json(let s):
                // Explicit byte length: NUL bytes survive; an empty string stays '' (not NULL).
                func bindBytes(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
                    guard let base = UnsafeRawPointer(bytes.baseAddress), bytes.count > 0 else {
                        return sqlite3_bind_text(statement, index, "", 0, Self.transient)
                    }
                    return sqlite3_bind_text(statement, index, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), Self.transient)
                }
                if let done = s.utf8.withContiguousStorageIfAvailable(bindBytes) {
                    rc = done
                } else {
                    var copy = s
                    rc = copy.withUTF8(bindBytes)
                }
            case .blob(let bytes):
                // Copied by SQLite (`transient`): the array's storage is not promised past this call.
                // An empty blob stays an empty blob (a nil pointer would bind NULL).
                rc = bytes.withUnsafeBytes { raw in
                    guard let base = raw.baseAddress, raw.count > 0 else { return sqlite3_bind_zeroblob(statement, index, 0) }
                    return sqlite3_bind_blob64(statement, index, base, UInt64(raw.count), Self.transient)
                }
            }
            guard rc == SQLITE_OK else { throw failure(rc, sql: sql) }
        }
    }

    @discardableResult
    package func execute(_ sql: String, _ arguments: [SQLValue]) throws(StoreError) -> Int {
        let statement = try prepared(sql)
        defer { sqlite3_reset(statement) }
        try bind(arguments, to: statement, sql: sql)
        var rc = sqlite3_step(statement)
        while rc == SQLITE_ROW { rc = sqlite3_step(statement) }
        guard rc == SQLITE_DONE else { throw failure(rc, sql: sql) }
        return Int(sqlite3_changes(handle))
    }

    package func query(_ sql: String, _ arguments: [SQLValue]) throws(StoreError) -> [Row] {
        let statement = try prepared(sql)
        defer { sqlite3_reset(statement) }
        try bind(arguments, to: statement, sql: sql)
        let count = sqlite3_column_count(statement)
        let columns = (0..<count).map { String(cString: sqlite3_column_name(statement, $0)) }
        var rows: [Row] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw failure(rc, sql: sql) }
            var values: [SQLValue] = []
            values.reserveCapacity(Int(count))
            for column in 0..<count {
                switch sqlite3_column_type(statement, column) {
                case SQLITE_NULL: values.append(.null)
                case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(statement, column)))
                case SQLITE_FLOAT: values.append(.real(sqlite3_column_double(statement, column)))
                case SQLITE_BLOB:
                    let length = Int(sqlite3_column_bytes(statement, column))
                    let bytes = sqlite3_column_blob(statement, column)?.assumingMemoryBound(to: UInt8.self)
                    values.append(.blob(bytes.map { Array(UnsafeBufferPointer(start: $0, count: length)) } ?? []))
                default:
                    let bytes = sqlite3_column_text(statement, column)
                    let length = Int(sqlite3_column_bytes(statement, column))
                    if let bytes, length > 0 {
                        values.append(.text(String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self)))
                    } else {
                        values.append(.text(""))
                    }
                }
            }
            rows.append(Row(columns: columns, values: values))
        }
        return rows
    }

    package func forEachRow(_ sql: String, _ arguments: [SQLValue], _ body: (RowCursor) throws -> Void) throws {
        let statement = try prepared(sql)
        defer { sqlite3_reset(statement) }
        try bind(arguments, to: statement, sql: sql)
        let cursor = RowCursor(statement: statement)
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw failure(rc, sql: sql) }
            try body(cursor)
        }
    }

    package func executeScript(_ sql: String) throws(StoreError) {
        guard let handle else { throw StoreError(.connection, "the SQLite connection is closed", location: path) }
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? "error \(rc)"
            sqlite3_free(message)
            var error = failure(rc, sql: sql)
            error.message = "SQLite: \(text)"
            throw error
        }
    }

    package func begin(writing: Bool) throws(StoreError) {
        try executeScript(writing ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED")
    }

    package func commit() throws(StoreError) { try executeScript("COMMIT") }

    /// Rows built per batch in `bulkLoad`: the row closure fills one `BulkRow` with this many
    /// rows, then each row is bound and stepped.
    static let bulkRowsPerBatch = 500

    /// Loads rows with one prepared one-row `INSERT … suffix`, bound straight from a batch's
    /// `BulkRow` and stepped once per row. Not one multi-row `VALUES` statement per batch: SQLite
    /// runs a statement that writes several rows and may abort inside a statement transaction,
    /// which copies every page the statement first touches into its statement journal (in
    /// memory: malloc + memcpy of a whole 64 KiB page). A table with an index in random key order
    /// (the external id's, rows going in by store id) has each row of a batch touch a leaf page
    /// of its own, so 500-row statements copied about a page per row: measured through
    /// `cascade import` (100 k world, 600 k rows) that was ~19 % of the import's CPU in memcpy
    /// under `sqlite3BtreeInsert`; with SQLite alone (Python, 500 k rows, 64 KiB pages) 4.1 s
    /// in 500-row statements vs 2.3 s stepping one row at a time. A one-row INSERT into a table
    /// without triggers (a bulk load drops them) has no statement transaction.
    package func bulkLoad(
        into table: String, columns: [String], count: Int, suffix: String,
        progress: (Int) -> Void, row: (Int, inout BulkRow) throws -> Void
    ) throws -> Int {
        guard count > 0 else { return 0 }
        guard let handle else { throw StoreError(.connection, "the SQLite connection is closed", location: path) }
        let width = columns.count
        let text = "INSERT INTO \(table) (\(columns.joined(separator: ","))) VALUES ("
            + Array(repeating: "?", count: width).joined(separator: ",") + ") " + suffix
        let statement = try prepared(text)
        let chunk = Self.bulkRowsPerBatch
        var batch = BulkRow()
        batch.reserve(values: chunk * width, bytes: chunk * 256)
        var changed = 0
        var start = 0
        var reported = 0
        while start < count {
            let end = min(start + chunk, count)
            batch.removeAll()
            for index in start..<end { try row(index, &batch) }
            guard batch.count == (end - start) * width else {
                throw StoreError(.database, "statement expects \((end - start) * width) values, got \(batch.count)", sql: text)
            }
            // Text is bound without a copy (SQLITE_STATIC): the buffer is neither changed nor
            // freed until the statement has run and its bindings are cleared.
            let rc: Int32 = batch.text.withUnsafeBufferPointer { bytes in
                let base = UnsafeRawPointer(bytes.baseAddress)
                return batch.slots.withUnsafeBufferPointer { slots in
                    var first = 0
                    while first < slots.count {
                        for column in 0..<width {
                            let index = Int32(column + 1)
                            let rc: Int32
                            switch slots[first + column] {
                            case .null: rc = sqlite3_bind_null(statement, index)
                            case .integer(let i): rc = sqlite3_bind_int64(statement, index, i)
                            case .real(let x): rc = sqlite3_bind_double(statement, index, x)
                            case .bool(let b): rc = sqlite3_bind_int64(statement, index, b ? 1 : 0)
                            case .text(let start, let count, _):
                                if count == 0 || base == nil {
                                    rc = sqlite3_bind_text(statement, index, "", 0, Self.transient)
                                } else {
                                    rc = sqlite3_bind_text(statement, index, (base! + start).assumingMemoryBound(to: CChar.self), Int32(count), Self.staticText)
                                }
                            }
                            guard rc == SQLITE_OK else { return rc }
                        }
                        var rc = sqlite3_step(statement)
                        while rc == SQLITE_ROW { rc = sqlite3_step(statement) }
                        sqlite3_reset(statement)
                        guard rc == SQLITE_DONE else {
                            sqlite3_clear_bindings(statement)
                            return rc
                        }
                        changed += Int(sqlite3_changes(handle))
                        first += width
                    }
                    sqlite3_clear_bindings(statement)
                    return SQLITE_OK
                }
            }
            guard rc == SQLITE_OK else { throw failure(rc, sql: text) }
            start = end
            if end - reported >= 1_000 || end == count {
                reported = end
                progress(end)
            }
        }
        return changed
    }

    package func setForeignKeyChecks(_ enabled: Bool) throws(StoreError) {
        try executeScript(enabled ? "PRAGMA foreign_keys=ON" : "PRAGMA foreign_keys=OFF")
    }

    package func setSortsInTemporaryFiles(_ enabled: Bool) throws(StoreError) {
        // With temp_store=MEMORY SQLite's sorter mallocs every record on its own and never
        // spills; with FILE it packs records into one buffer of up to cache_size and writes
        // sorted runs to a temporary file beyond that. Allowed inside a transaction only while
        // the temp schema is closed; outside one, a change of the setting closes it (the store
        // keeps nothing there, but `ALTER TABLE` in a migration opens it).
        try executeScript(enabled ? "PRAGMA temp_store=FILE" : "PRAGMA temp_store=MEMORY")
    }

    package func setCheckConstraints(_ enabled: Bool) throws(StoreError) {
        // A flag pragma: SQLite re-prepares every cached statement, so none keeps the setting.
        try executeScript(enabled ? "PRAGMA ignore_check_constraints=OFF" : "PRAGMA ignore_check_constraints=ON")
    }

    package func rollback() {
        if let handle, sqlite3_get_autocommit(handle) == 0 { try? executeScript("ROLLBACK") }
    }
}
