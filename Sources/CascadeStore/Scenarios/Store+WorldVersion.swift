extension Store {
    /// The key of a world snapshot (see `WorldSnapshotFile`) and of the recorded world digest
    /// (`recordedWorldDigest(at:)`): the data version, the time of the latest audited write to an
    /// input table, and the time the store was created. The data version alone
    /// (`count:max id/writes`) can repeat in a store deleted and created again at the same place;
    /// with the two times it cannot, short of a clock that stands still.
    package func worldVersion() throws -> String {
        try read { db in try Self.worldVersion(db) }
    }

    /// `worldVersion()` as seen inside the caller's transaction.
    static func worldVersion(_ db: any DatabaseConnection) throws -> String {
        let (count, latest) = try inputAudit(db)
        let written = try db.queryOne("SELECT CAST(occurred_at AS TEXT) AS t FROM audit_log WHERE id = ?",
                                      [.integer(Int64(latest))])?.string("t") ?? ""
        let created = try db.queryOne("SELECT applied_at FROM schema_migrations WHERE id = 1")?.string("applied_at") ?? ""
        return "\(count):\(latest)/\(try worldWrites(db))|\(written)|\(created)"
    }

    /// How many writes to `entities` and `relationships` the triggers of migration 14 counted
    /// (rows on SQLite, statements on PostgreSQL), by anyone.
    static func worldWrites(_ db: any DatabaseConnection) throws -> Int {
        try db.queryOne("SELECT changes FROM world_digest WHERE id = 1")?.int("changes") ?? 0
    }
}
