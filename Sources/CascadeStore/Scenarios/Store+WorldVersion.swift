extension Store {
    /// The key of a world snapshot (see `WorldSnapshotFile`): the data version, the time of the latest
    /// audited write to an input table, and the time the store was created. The data version alone
    /// (`count:max id`) can repeat in a store deleted and created again at the same place; with the
    /// two times it cannot, short of a clock that stands still.
    package func worldVersion() throws -> String {
        try read { db in
            let (count, latest) = try Self.inputAudit(db)
            let written = try db.queryOne("SELECT CAST(occurred_at AS TEXT) AS t FROM audit_log WHERE id = ?",
                                          [.integer(Int64(latest))])?.string("t") ?? ""
            let created = try db.queryOne("SELECT applied_at FROM schema_migrations WHERE id = 1")?.string("applied_at") ?? ""
            return "\(count):\(latest)|\(written)|\(created)"
        }
    }
}
