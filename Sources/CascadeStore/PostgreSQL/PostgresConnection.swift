import CLibPQ

/// A connection to a PostgreSQL server through libpq, opened from a `postgres://` URL.
///
/// Statements are written with `?` placeholders like SQLite's and rewritten to `$1, $2, …`;
/// every value is sent as a separate parameter, never spliced into the SQL.
package final class PostgresConnection: DatabaseConnection {
    package let dialect = SQLDialect.postgresql
    /// The URL without its password, for messages.
    package let displayURL: String
    private var handle: OpaquePointer?
    private var rewritten: [String: String] = [:]
    private var stagingCounter = 0

    package init(url: String) throws(StoreError) {
        displayURL = Self.redacted(url)
        guard let connection = PQconnectdb(url) else {
            throw StoreError(.connection, "cannot allocate a PostgreSQL connection", location: displayURL)
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection)).trimmingWhitespace
            PQfinish(connection)
            throw StoreError(.connection, "cannot connect to PostgreSQL: \(message)", location: displayURL,
                             hint: "check that the server is running and the URL's host, port, user and database are right")
        }
        handle = connection
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        try executeScript("SET client_min_messages = warning; SET TIME ZONE 'UTC'")
    }

    deinit { close() }

    package func close() {
        if let handle { PQfinish(handle) }
        handle = nil
    }

    static func redacted(_ url: String) -> String {
        // postgres://user:secret@host → postgres://user:***@host
        guard let schemeEnd = url.range(of: "://"), let at = url[schemeEnd.upperBound...].firstIndex(of: "@") else { return url }
        let userInfo = url[schemeEnd.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }

    /// `?` → `$n`, outside quoted literals and identifiers.
    private func placeholders(_ sql: String) -> String {
        if let done = rewritten[sql] { return done }
        var out = ""
        out.reserveCapacity(sql.utf8.count + 16)
        var n = 0
        var quote: Character?
        for ch in sql {
            if let q = quote {
                if ch == q { quote = nil }
                out.append(ch)
            } else if ch == "'" || ch == "\"" {
                quote = ch
                out.append(ch)
            } else if ch == "?" {
                n += 1
                out += "$\(n)"
            } else {
                out.append(ch)
            }
        }
        if rewritten.count > 500 { rewritten.removeAll() }
        rewritten[sql] = out
        return out
    }

    private func failure(_ result: OpaquePointer?, sql: String) -> StoreError {
        let message: String
        var code: String?
        if let result {
            message = String(cString: PQresultErrorMessage(result)).trimmingWhitespace
            if let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))) { code = String(cString: state) }
        } else {
            message = handle.map { String(cString: PQerrorMessage($0)).trimmingWhitespace } ?? "the connection is closed"
        }
        return StoreError(.database, "PostgreSQL: \(message)", location: displayURL, sql: sql, code: code)
    }

    private func run(_ sql: String, _ arguments: [SQLValue]) throws(StoreError) -> OpaquePointer {
        guard let handle else { throw StoreError(.connection, "the PostgreSQL connection is closed", location: displayURL) }
        // Text-format parameters are C strings: a NUL byte would silently cut the value short.
        // Bytes go as binary-format parameters (`bytea`), with their length.
        var texts: [[CChar]?] = []
        var lengths: [Int32] = [], formats: [Int32] = []
        texts.reserveCapacity(arguments.count)
        for value in arguments {
            lengths.append(0)
            formats.append(0)
            switch value {
            case .null: texts.append(nil)
            case .integer(let i): texts.append(Array(String(i).utf8CString))
            case .real(let x): texts.append(Array("\(x)".utf8CString))
            case .bool(let b): texts.append(Array((b ? "true" : "false").utf8CString))
            case .text(let s), .json(let s):
                if s.utf8.contains(0) {
                    throw StoreError(.invalidInput, "a text value contains a NUL character, which PostgreSQL cannot store",
                                     location: displayURL, hint: "remove the \\u0000 from the value")
                }
                texts.append(Array(s.utf8CString))
            case .blob(let bytes):
                guard bytes.count <= Int(Int32.max) else {
                    throw StoreError(.invalidInput, "a binary value of \(bytes.count) bytes is larger than one PostgreSQL parameter",
                                     location: displayURL)
                }
                texts.append(bytes.withUnsafeBytes { Array($0.bindMemory(to: CChar.self)) })
                lengths[lengths.count - 1] = Int32(bytes.count)
                formats[formats.count - 1] = 1
            }
        }
        let statement = placeholders(sql)
        let result: OpaquePointer? = withPointers(texts) { pointers in
            PQexecParams(handle, statement, Int32(arguments.count), nil, pointers, lengths, formats, 0)
        }
        let status = result.map(PQresultStatus) ?? PGRES_FATAL_ERROR
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK, let result else {
            let error = failure(result, sql: sql)
            PQclear(result)
            throw error
        }
        return result
    }

    private func withPointers<R>(_ texts: [[CChar]?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        var storage: [UnsafeMutablePointer<CChar>?] = []
        storage.reserveCapacity(texts.count)
        defer { for p in storage { p?.deallocate() } }
        for text in texts {
            guard let text else { storage.append(nil); continue }
            let p = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, text.count))
            p.initialize(from: text, count: text.count)
            storage.append(p)
        }
        return body(storage.map { $0.map { UnsafePointer($0) } })
    }

    @discardableResult
    package func execute(_ sql: String, _ arguments: [SQLValue]) throws(StoreError) -> Int {
        let result = try run(sql, arguments)
        defer { PQclear(result) }
        return Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    package func query(_ sql: String, _ arguments: [SQLValue]) throws(StoreError) -> [Row] {
        let result = try run(sql, arguments)
        defer { PQclear(result) }
        let rowCount = PQntuples(result)
        let columnCount = PQnfields(result)
        let columns = (0..<columnCount).map { String(cString: PQfname(result, $0)) }
        let isBytes = (0..<columnCount).map { PQftype(result, $0) == Self.byteaType }
        var rows: [Row] = []
        rows.reserveCapacity(Int(rowCount))
        for r in 0..<rowCount {
            var values: [SQLValue] = []
            values.reserveCapacity(Int(columnCount))
            for c in 0..<columnCount {
                if PQgetisnull(result, r, c) == 1 {
                    values.append(.null)
                } else if isBytes[Int(c)] {
                    values.append(.blob(try Self.unescapedBytes(PQgetvalue(result, r, c)!, sql: sql)))
                } else {
                    let length = Int(PQgetlength(result, r, c))
                    let bytes = UnsafeRawPointer(PQgetvalue(result, r, c)!).assumingMemoryBound(to: UInt8.self)
                    values.append(.text(String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self)))
                }
            }
            rows.append(Row(columns: columns, values: values))
        }
        return rows
    }

    /// The type OID of `bytea`, which libpq reports for binary columns.
    private static let byteaType: Oid = 17

    /// A `bytea` column's text form (`\\x` and hex digits) as the bytes it stands for.
    private static func unescapedBytes(_ text: UnsafeMutablePointer<CChar>, sql: String) throws(StoreError) -> [UInt8] {
        var length = 0
        guard let bytes = text.withMemoryRebound(to: UInt8.self, capacity: 1, { PQunescapeBytea($0, &length) }) else {
            throw StoreError(.database, "PostgreSQL: cannot read a binary value (out of memory)", sql: sql)
        }
        defer { PQfreemem(bytes) }
        return Array(UnsafeBufferPointer(start: bytes, count: length))
    }

    package func executeScript(_ sql: String) throws(StoreError) {
        guard let handle else { throw StoreError(.connection, "the PostgreSQL connection is closed", location: displayURL) }
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        let status = result.map(PQresultStatus) ?? PGRES_FATAL_ERROR
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else { throw failure(result, sql: sql) }
    }

    package func begin(writing: Bool) throws(StoreError) {
        try executeScript(writing ? "BEGIN ISOLATION LEVEL READ COMMITTED" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    }

    package func commit() throws(StoreError) { try executeScript("COMMIT") }

    package func bulkLoad(
        into table: String, columns: [String], count: Int, suffix: String,
        progress: (Int) -> Void, row: (Int, inout BulkRow) throws -> Void
    ) throws -> Int {
        guard count >= 1_000 else {
            // A temporary table costs more than it saves for a few rows.
            return try insertMany(into: table, columns: columns, count: count, suffix: suffix, progress: progress, rows: row)
        }
        let list = columns.joined(separator: ", ")
        if try isEmptyForLoad(table) {
            // Nothing stored can conflict with the rows (and they do not conflict with each other:
            // see `bulkLoad`'s contract), so `suffix` would do nothing: the rows go straight in.
            return try copy(into: table, columns: list, count: count, progress: progress, row: row)
        }
        stagingCounter += 1
        let staging = "cascade_staging_\(stagingCounter)"
        try executeScript("CREATE TEMP TABLE \(staging) (LIKE \(table) INCLUDING DEFAULTS) ON COMMIT DROP")
        try copy(into: staging, columns: list, count: count, progress: progress, row: row)
        return try execute("INSERT INTO \(table) (\(list)) SELECT \(list) FROM \(staging) \(suffix)", [])
    }

    /// Whether `table` is empty and stays so until this transaction writes it: when it looks
    /// empty, writers are locked out (`SHARE ROW EXCLUSIVE`, held to commit; a bulk load's
    /// dropped indexes hold a stronger lock already) and it is looked at again, since a writer
    /// may have committed in between. A `COPY` straight into the table then replaces a `COPY`
    /// into a staging table plus `INSERT … SELECT … ON CONFLICT`: measured on 500 k relationship
    /// rows, 7.8–11 s instead of 15.4 s of server time (load average 15–17).
    private func isEmptyForLoad(_ table: String) throws(StoreError) -> Bool {
        func empty() throws(StoreError) -> Bool {
            try queryOne("SELECT NOT EXISTS (SELECT 1 FROM \(table)) AS empty")?.bool("empty") ?? false
        }
        guard try empty() else { return false }
        try executeScript("LOCK TABLE \(table) IN SHARE ROW EXCLUSIVE MODE")
        return try empty()
    }

    /// `COPY table (columns) FROM STDIN` in text format, streamed in ~1 MB chunks; returns the
    /// rows copied.
    @discardableResult
    private func copy(
        into table: String, columns: String, count: Int, progress: (Int) -> Void,
        row: (Int, inout BulkRow) throws -> Void
    ) throws -> Int {
        guard let handle else { throw StoreError(.connection, "the PostgreSQL connection is closed", location: displayURL) }
        let sql = "COPY \(table) (\(columns)) FROM STDIN"
        let start = PQexec(handle, sql)
        let status = start.map(PQresultStatus) ?? PGRES_FATAL_ERROR
        guard status == PGRES_COPY_IN else {
            let error = failure(start, sql: sql)
            PQclear(start)
            throw error
        }
        PQclear(start)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 21)
        var values = BulkRow()
        var failed: (any Error)?
        func send() -> Bool {
            let ok = buffer.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { PQputCopyData(handle, $0.baseAddress, Int32($0.count)) }
            } == 1
            buffer.removeAll(keepingCapacity: true)
            return ok
        }
        do {
            for index in 0..<count {
                values.removeAll()
                try row(index, &values)
                try values.text.withUnsafeBufferPointer { text in
                    for (i, slot) in values.slots.enumerated() {
                        if i > 0 { buffer.append(0x09) }
                        try Self.appendCopyField(slot, text: text, to: &buffer, location: displayURL)
                    }
                }
                buffer.append(0x0A)
                if buffer.count >= 1 << 20 {
                    guard send() else { break }
                    progress(index + 1)
                }
            }
            if !buffer.isEmpty { _ = send() }
        } catch {
            failed = error
        }
        PQputCopyEnd(handle, failed == nil ? nil : "cascade: import aborted")
        var copyError: StoreError?
        var copied = 0
        while let result = PQgetResult(handle) {
            if PQresultStatus(result) != PGRES_COMMAND_OK {
                if copyError == nil { copyError = self.failure(result, sql: sql) }
            } else {
                copied += Int(String(cString: PQcmdTuples(result))) ?? 0
            }
            PQclear(result)
        }
        if let failed { throw failed }
        if let copyError { throw copyError }
        progress(count)
        return copied
    }

    /// One field in COPY's text format: `\N` for null; backslash, tab, newline and carriage
    /// return escaped.
    private static func appendCopyField(_ slot: BulkRow.Slot, text: UnsafeBufferPointer<UInt8>, to buffer: inout [UInt8], location: String) throws {
        switch slot {
        case .null: buffer.append(contentsOf: [0x5C, 0x4E])
        case .integer(let i): buffer.append(contentsOf: String(i).utf8)
        case .real(let x): buffer.append(contentsOf: "\(x)".utf8)
        case .bool(let b): buffer.append(b ? 0x74 : 0x66)
        case .text(let start, let count, _):
            let bytes = UnsafeBufferPointer(rebasing: text[start..<start + count])
            // Most values need no escape: copy them whole.
            if !bytes.contains(where: { $0 == 0x00 || $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
                buffer.append(contentsOf: bytes)
                return
            }
            for byte in bytes {
                switch byte {
                case 0x00:
                    throw StoreError(.invalidInput, "a text value contains a NUL character, which PostgreSQL cannot store",
                                     location: location, hint: "remove the \\u0000 from the value")
                case 0x5C: buffer.append(contentsOf: [0x5C, 0x5C])
                case 0x09: buffer.append(contentsOf: [0x5C, 0x74])
                case 0x0A: buffer.append(contentsOf: [0x5C, 0x6E])
                case 0x0D: buffer.append(contentsOf: [0x5C, 0x72])
                default: buffer.append(byte)
                }
            }
        }
    }

    package func setForeignKeyChecks(_ enabled: Bool) throws(StoreError) {}

    package func setCheckConstraints(_ enabled: Bool) throws(StoreError) {}

    package func setSortsInTemporaryFiles(_ enabled: Bool) throws(StoreError) {}

    package func rollback() {
        guard let handle else { return }
        if PQtransactionStatus(handle) != PQTRANS_IDLE { try? executeScript("ROLLBACK") }
    }
}

extension String {
    /// The text on one line: libpq's multi-line messages joined with single spaces.
    var trimmingWhitespace: String {
        split(whereSeparator: { $0.isNewline }).map { line in
            var s = Substring(line)
            while let c = s.first, c.isWhitespace { s.removeFirst() }
            while let c = s.last, c.isWhitespace { s.removeLast() }
            return String(s)
        }.filter { !$0.isEmpty }.joined(separator: " ")
    }
}
