import Foundation

/// The store: one connection to SQLite or PostgreSQL, used only inside `read { }` and
/// `write { }` transaction closures so it cannot escape or be used outside a transaction.
///
/// A failed closure rolls back; nothing partial is ever committed.
package final class Store {
    package let location: StoreLocation
    private let connection: any DatabaseConnection
    /// Who writes: recorded in the audit log.
    package var actor: String
    /// The time source for recorded timestamps (tests inject a fixed clock).
    package var clock: @Sendable () -> Date
    /// On PostgreSQL, the user every transaction sets as `cascade.user`, the key of the row-level
    /// security policies on `scenarios` (see `useApplicationRole()`); ignored on SQLite.
    package var rowSecurityUser: String?
    private var isInTransaction = false
    /// Whether this connection acts as `cascade_app` (see `useApplicationRole()`).
    package private(set) var isApplicationRole = false

    /// Opens a connection; does not create or migrate the schema (see `migrate()`).
    package init(
        _ location: StoreLocation, actor: String? = nil,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) throws(StoreError) {
        self.location = location
        switch location {
        case .sqlite(let path): connection = try SQLiteConnection(path: path)
        case .postgresql(let url): connection = try PostgresConnection(url: url)
        }
        let env = ProcessInfo.processInfo.environment
        self.actor = actor ?? env["CASCADE_USER"] ?? env["USER"] ?? env["LOGNAME"] ?? "unknown"
        self.clock = clock
    }

    deinit { connection.close() }

    package var dialect: SQLDialect { connection.dialect }

    /// On PostgreSQL, switches this connection for good to the role `cascade_app`, to which the
    /// row-level security policies on `scenarios` apply (even when the connection's own user owns
    /// the tables or is a superuser). The HTTP API's connections do this; a no-op on SQLite.
    package func useApplicationRole() throws {
        guard dialect == .postgresql else { return }
        do {
            try connection.executeScript("SET ROLE \(Migration.applicationRole)")
            isApplicationRole = true
        } catch {
            throw StoreError(.connection, "cannot switch to the role `\(Migration.applicationRole)`: \(error.message)",
                             location: location.description,
                             hint: "run `cascade init` as this user, or GRANT \(Migration.applicationRole) TO this user")
        }
    }

    /// Runs `body` in a read-only transaction.
    package func read<T>(_ body: (any DatabaseConnection) throws -> T) throws -> T {
        try transaction(writing: false, body)
    }

    /// Runs `body` in a write transaction; commits when it returns, rolls back when it throws.
    @discardableResult
    package func write<T>(_ body: (any DatabaseConnection) throws -> T) throws -> T {
        try transaction(writing: true, body)
    }

    /// Like `write`, but reruns the whole transaction when it loses a race (a unique violation on
    /// a freshly computed key, a serialization failure, a busy file), with jittered backoff.
    @discardableResult
    package func writeRetrying<T>(attempts: Int = 200, _ body: (any DatabaseConnection) throws -> T) throws -> T {
        try writeRetrying(attempts: attempts, checkingForeignKeys: true, body)
    }

    /// The import's write path. `checkingForeignKeys: false` is for bulk loads whose references
    /// were verified beforehand and are re-verified inside the transaction: SQLite then skips two
    /// index probes per edge. Before each attempt the sorter setting is flipped and set back
    /// outside the transaction: on SQLite a change of it closes the temp schema (a migration's
    /// `ALTER TABLE` opens it), which would refuse the switch `BulkLoads.finish` makes inside.
    func writeRetrying<T>(attempts: Int, checkingForeignKeys: Bool, _ body: (any DatabaseConnection) throws -> T) throws -> T {
        var attempt = 0
        while true {
            do {
                try connection.setSortsInTemporaryFiles(true)
                try connection.setSortsInTemporaryFiles(false)
                if !checkingForeignKeys { try connection.setForeignKeyChecks(false) }
                defer { if !checkingForeignKeys { try? connection.setForeignKeyChecks(true) } }
                return try transaction(writing: true, body)
            } catch let error as StoreError where error.isTransient && attempt < attempts {
                attempt += 1
                let ceiling = min(50_000, 500 * (1 << min(attempt, 7)))
                usleep(UInt32.random(in: 100...UInt32(ceiling)))
            }
        }
    }

    private func transaction<T>(writing: Bool, _ body: (any DatabaseConnection) throws -> T) throws -> T {
        precondition(!isInTransaction, "Store transactions do not nest")
        isInTransaction = true
        defer { isInTransaction = false }
        try connection.begin(writing: writing)
        do {
            if let rowSecurityUser, dialect == .postgresql {
                _ = try connection.query("SELECT set_config('cascade.user', ?, true)", [.text(rowSecurityUser)])
            }
            let value = try body(connection)
            try connection.commit()
            return value
        } catch {
            connection.rollback()
            throw error
        }
    }

    /// The current time as an ISO 8601 UTC timestamp, for `created_at` and the audit log.
    func now() -> String { Timestamp.iso8601(clock()) }
}

enum Timestamp {
    static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// Today's date (UTC) as `YYYY-MM-DD`.
    static func day(_ date: Date) -> String { String(iso8601(date).prefix(10)) }
}
