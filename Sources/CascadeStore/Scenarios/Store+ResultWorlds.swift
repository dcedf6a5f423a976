import CascadeJSON

/// A large result's world part as the engine hands it to the store (`ResultColumns.WorldPart`):
/// opaque bytes and their key, the XXH3-128 of the bytes as 32 hex digits.
package struct ResultWorld: Sendable {
    package var key: String
    package var bytes: [UInt8]
    /// Whether to write the bytes even when a world part of this key is stored (a forced run:
    /// it repairs a stored world part whose bytes were damaged).
    package var replacesStored: Bool

    package init(key: String, bytes: [UInt8], replacesStored: Bool = false) {
        self.key = key
        self.bytes = bytes
        self.replacesStored = replacesStored
    }
}

extension Store {
    /// Makes sure the world part `world` of `owner` is stored, and on PostgreSQL keeps it from
    /// being deleted until the transaction ends (a share lock on its `result_worlds` row, which
    /// `collectWorld` must lock for update). Writes its bytes only when it is not stored yet, when
    /// parts of it are missing, or when `world.replacesStored`.
    ///
    /// The race this settles on PostgreSQL: a worker storing a result of world K while another
    /// drops the last result that used K. Either the lock is taken first (the deleter then waits
    /// and sees the new reference), or the deleter's row is gone when the lock is asked for (the
    /// world part is written again). `INSERT … ON CONFLICT DO NOTHING` waits for a concurrent
    /// insert of the same key and then finds its row. The reference's foreign key is the last
    /// guard: a world part a result uses can never be deleted.
    func retainWorld(_ db: any DatabaseConnection, owner: String, _ world: ResultWorld) throws {
        let isPostgreSQL = db.dialect == .postgresql
        for _ in 0..<3 {
            if let row = try db.queryOne("SELECT parts FROM result_worlds WHERE owner = ? AND world_key = ?"
                                         + (!isPostgreSQL ? "" : world.replacesStored ? " FOR UPDATE" : " FOR SHARE"),
                                         [.text(owner), .text(world.key)]) {
                let stored = try db.queryOne("SELECT COUNT(*) AS n FROM result_world_parts WHERE owner = ? AND world_key = ?",
                                             [.text(owner), .text(world.key)])?.int("n")
                if stored == row.int("parts") && !world.replacesStored { return }
                if isPostgreSQL && !world.replacesStored {
                    _ = try db.query("SELECT 1 FROM result_worlds WHERE owner = ? AND world_key = ? FOR UPDATE", [.text(owner), .text(world.key)])
                }
                try db.execute("DELETE FROM result_world_parts WHERE owner = ? AND world_key = ?", .text(owner), .text(world.key))
                try db.execute("UPDATE result_worlds SET parts = ?, bytes = ? WHERE owner = ? AND world_key = ?",
                               .integer(Int64(Self.partCount(world.bytes))), .integer(Int64(world.bytes.count)),
                               .text(owner), .text(world.key))
                try insertWorldParts(db, owner: owner, world)
                return
            }
            let inserted = try db.execute("""
                INSERT INTO result_worlds (owner, world_key, parts, bytes, created_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (owner, world_key) DO NOTHING
                """, .text(owner), .text(world.key), .integer(Int64(Self.partCount(world.bytes))),
                .integer(Int64(world.bytes.count)), .text(now()))
            guard inserted == 1 else { continue }  // stored meanwhile (or deleted again): look again
            try insertWorldParts(db, owner: owner, world)
            return
        }
        throw StoreError(.conflict, "the world part `\(world.key)` of \(owner) was stored and deleted by others meanwhile",
                         hint: "run again")
    }

    /// How many parts of at most `resultPartBytes` hold `bytes` (one, even when empty).
    private static func partCount(_ bytes: [UInt8]) -> Int { max(1, (bytes.count + resultPartBytes - 1) / resultPartBytes) }

    private func insertWorldParts(_ db: any DatabaseConnection, owner: String, _ world: ResultWorld) throws {
        for k in 0..<Self.partCount(world.bytes) {
            let start = k * Self.resultPartBytes, end = min(start + Self.resultPartBytes, world.bytes.count)
            try db.execute("INSERT INTO result_world_parts (owner, world_key, part, data) VALUES (?, ?, ?, ?)",
                           .text(owner), .text(world.key), .integer(Int64(k)), .blob(Array(world.bytes[start..<end])))
        }
    }

    /// Drops scenario `scenarioID`'s reference to its result's world part, if it has one, and
    /// returns what it referred to (for `collectWorld`, once the new reference, if any, is in).
    func dropWorldReference(_ db: any DatabaseConnection, _ scenarioID: String) throws -> (owner: String, key: String)? {
        guard let row = try db.queryOne("SELECT owner, world_key FROM scenario_result_worlds WHERE scenario_id = ?", [.text(scenarioID)]),
              let owner = row.string("owner"), let key = row.string("world_key") else { return nil }
        try db.execute("DELETE FROM scenario_result_worlds WHERE scenario_id = ?", .text(scenarioID))
        return (owner, key)
    }

    /// Deletes the world part `key` of `owner` (all its parts) when no stored result refers to
    /// it any more. On PostgreSQL its row is locked for update first, so a concurrent
    /// `retainWorld` either finishes (and its reference is seen here) or waits and writes it again.
    func collectWorld(_ db: any DatabaseConnection, owner: String, key: String) throws {
        let lock = db.dialect == .postgresql ? " FOR UPDATE" : ""
        guard try db.queryOne("SELECT parts FROM result_worlds WHERE owner = ? AND world_key = ?\(lock)",
                              [.text(owner), .text(key)]) != nil else { return }
        let used = try db.queryOne("SELECT COUNT(*) AS n FROM scenario_result_worlds WHERE owner = ? AND world_key = ?",
                                   [.text(owner), .text(key)])?.int("n") ?? 0
        guard used == 0 else { return }
        try db.execute("DELETE FROM result_world_parts WHERE owner = ? AND world_key = ?", .text(owner), .text(key))
        try db.execute("DELETE FROM result_worlds WHERE owner = ? AND world_key = ?", .text(owner), .text(key))
    }

    /// The bytes of the world part scenario `scenarioID`'s result refers to: nil when it refers
    /// to none (a result stored before version 3, or a small one); the parts as they are found
    /// otherwise (the engine checks them against their key).
    func worldColumns(_ db: any DatabaseConnection, _ scenarioID: String) throws -> [UInt8]? {
        guard let row = try db.queryOne("""
            SELECT r.owner AS owner, r.world_key AS world_key, w.bytes AS bytes,
              (SELECT COUNT(*) FROM result_world_parts p WHERE p.owner = r.owner AND p.world_key = r.world_key) AS parts
            FROM scenario_result_worlds r
            LEFT JOIN result_worlds w ON w.owner = r.owner AND w.world_key = r.world_key WHERE r.scenario_id = ?
            """, [.text(scenarioID)]) else { return nil }
        var bytes: [UInt8] = []
        // The recorded size, as far as the parts found can hold it (a damaged row cannot make it allocate more).
        bytes.reserveCapacity(max(0, min(row.int("bytes") ?? 0, (row.int("parts") ?? 0) * Self.resultPartBytes)))
        try db.forEachRow("SELECT data FROM result_world_parts WHERE owner = ? AND world_key = ? ORDER BY part",
                          [.text(row.string("owner")), .text(row.string("world_key"))]) { part in
            _ = part.withBytes(0) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }
}
