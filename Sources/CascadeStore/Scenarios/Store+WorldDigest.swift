extension Store {
    /// The digest of the entities and relationships (`WorldDigest.text`) recorded at world
    /// version `version` (`worldVersion()`), or nil when none is recorded at that version: any
    /// write to the world since, by Cascade or not, changed the version.
    package func recordedWorldDigest(at version: String) throws -> String? {
        try read { db in
            guard let row = try db.queryOne("SELECT world_version, digest FROM world_digest WHERE id = 1"),
                  row.string("world_version") == version else { return nil }
            return row.string("digest")
        }
    }

    /// Records `digest`, computed by a run from a world it read at world version `version`, if
    /// that is still the store's world version; returns whether it did. Never fails a run: an
    /// error (a read-only store, a lost race) records nothing.
    @discardableResult
    package func recordWorldDigest(_ digest: WorldDigest, at version: String) -> Bool {
        (try? write { db in
            try lockWorldDigest(db)
            guard try Self.worldVersion(db) == version else { return false }
            try recordWorldDigest(digest, version: version, db)
            return true
        }) ?? false
    }

    /// Inside an import's transaction, after its rows are written: records the digest of the
    /// rows it wrote (`imported`) when they are the whole world — when the tables hold exactly as
    /// many entities and relationships as it wrote (every id in a world file is distinct, and an
    /// imported row replaces a stored one with the same id, so the tables then hold exactly these
    /// rows). Otherwise (rows the import did not write, or rows written twice by several files)
    /// it records nothing, and the next run hashes the world and records its digest.
    func recordImportedWorldDigest(_ imported: WorldDigest, _ db: any DatabaseConnection) throws {
        guard imported.entityCount + imported.relationshipCount > 0 else { return }  // nothing of the graph imported
        try lockWorldDigest(db)
        let counts = try db.queryOne("SELECT (SELECT COUNT(*) FROM entities) AS e, (SELECT COUNT(*) FROM relationships) AS r")
        guard counts?.int("e") == imported.entityCount, counts?.int("r") == imported.relationshipCount else { return }
        try recordWorldDigest(imported, version: try Self.worldVersion(db), db)
    }

    /// On PostgreSQL, waits for any transaction that wrote the world (its triggers updated the
    /// row) and keeps others from doing so until this one ends, so that the world version read
    /// next is the one the digest is recorded at.
    private func lockWorldDigest(_ db: any DatabaseConnection) throws {
        if db.dialect == .postgresql { _ = try db.query("SELECT changes FROM world_digest WHERE id = 1 FOR UPDATE") }
    }

    private func recordWorldDigest(_ digest: WorldDigest, version: String, _ db: any DatabaseConnection) throws {
        _ = try db.execute("""
            UPDATE world_digest SET world_version = ?, digest = ?, entities = ?, relationships = ?, recorded_at = ?
            WHERE id = 1
            """, .text(version), .text(digest.text), .integer(Int64(digest.entityCount)),
            .integer(Int64(digest.relationshipCount)), .text(now()))
    }
}
