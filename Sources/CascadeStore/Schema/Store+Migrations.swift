/// The state of a store's schema relative to this binary.
package struct SchemaStatus: Sendable, Equatable {
    /// Names of the migrations recorded in the store, in order.
    package var applied: [String]
    /// Names of the migrations this binary would apply.
    package var pending: [String]
}

extension Store {
    /// Creates the schema or brings it up to date; harmless to run again. Refuses a store whose
    /// schema is newer than this binary. Returns the migrations applied now.
    @discardableResult
    package func migrate() throws -> [String] {
        try write { db in
            if db.dialect == .postgresql {
                // One migrator at a time, across processes and machines.
                _ = try db.query("SELECT pg_advisory_xact_lock(5303720873)")
            }
            try db.execute("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                  id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)
                """)
            let applied = try Self.appliedMigrations(db)
            try Self.refuseUnknown(applied, location: location)
            var done: [String] = []
            for migration in Migration.all where !applied.contains(where: { $0.id == migration.id }) {
                try db.executeScript(migration.script(for: db.dialect))
                try db.execute("INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)",
                               .integer(Int64(migration.id)), .text(migration.name), .text(now()))
                done.append(migration.name)
            }
            if !done.isEmpty {
                try audit(db, action: "migrate", table: "schema_migrations", row: nil, before: nil,
                          after: .array(done.map { .string($0) }))
            }
            return done
        }
    }

    /// What is applied and what is pending, without changing anything.
    package func schemaStatus() throws -> SchemaStatus {
        try read { db in
            let applied = try Self.tableExists(db, "schema_migrations") ? try Self.appliedMigrations(db) : []
            try Self.refuseUnknown(applied, location: location)
            let pending = Migration.all.filter { m in !applied.contains { $0.id == m.id } }.map(\.name)
            return SchemaStatus(applied: applied.map(\.name), pending: pending)
        }
    }

    /// Throws unless the schema is exactly what this binary knows; every command but `init` calls it.
    package func requireCurrentSchema() throws {
        let status = try schemaStatus()
        if status.applied.isEmpty {
            throw StoreError(.schema, "the store has no Cascade schema", location: location.description,
                             hint: "run `cascade init` (with `--db` if you use one) to create it")
        }
        if !status.pending.isEmpty {
            throw StoreError(.schema, "the store's schema is out of date (pending: \(status.pending.joined(separator: ", ")))",
                             location: location.description, hint: "run `cascade init` to migrate it")
        }
    }

    static func tableExists(_ db: any DatabaseConnection, _ table: String) throws -> Bool {
        switch db.dialect {
        case .sqlite:
            try !db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", .text(table)).isEmpty
        case .postgresql:
            try db.queryOne("SELECT to_regclass(?) IS NOT NULL AS present", [.text(table)])?.bool("present") ?? false
        }
    }

    private static func appliedMigrations(_ db: any DatabaseConnection) throws -> [(id: Int, name: String)] {
        try db.query("SELECT id, name FROM schema_migrations ORDER BY id").map { ($0.int("id") ?? 0, $0.string("name") ?? "") }
    }

    private static func refuseUnknown(_ applied: [(id: Int, name: String)], location: StoreLocation) throws {
        for record in applied {
            let known = Migration.all.first { $0.id == record.id }
            if known?.name != record.name {
                throw StoreError(
                    .schema,
                    "the store's schema is newer than this cascade understands: migration \(record.id) `\(record.name)` is unknown (this binary knows up to \(Migration.all.count) `\(Migration.all.last!.name)`)",
                    location: location.description,
                    hint: "upgrade cascade, or use a store created by this version")
            }
        }
    }
}
