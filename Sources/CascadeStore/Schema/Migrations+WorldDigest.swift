extension Migration {
    /// The digest of the world's entities and relationships (`WorldDigest`), kept with the world
    /// version it was computed at, so that a run without a world snapshot does not hash the whole
    /// graph again; and a count of the statements (PostgreSQL) or rows (SQLite) written to
    /// `entities` and `relationships` — and to the other tables a run reads, `sector_coefficients`,
    /// `formulas` and `macro_data` — by anyone, `psql` and `sqlite3` included, kept by triggers. The count is part of the world version and of the data version
    /// (`Store.worldVersion()`, `Store.dataVersion()`), so a write that bypasses Cascade (and its
    /// audit rows) still makes the next run read the store, hash it and miss the cache. One row,
    /// `id = 1`.
    ///
    /// SQLite has no statement triggers: its triggers run per row, which costs an import of
    /// 1 M rows about 0.01 s of CPU (measured with `sqlite3`: 2.14 s without, 2.15 s with).
    static let worldDigest = Migration(
        id: 14, name: "record_world_digest",
        sqlite: """
        CREATE TABLE world_digest (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          changes INTEGER NOT NULL DEFAULT 0,
          world_version TEXT,
          digest TEXT,
          entities INTEGER,
          relationships INTEGER,
          recorded_at TEXT
        );
        INSERT INTO world_digest (id, changes) VALUES (1, 0);
        CREATE TRIGGER entities_insert_counted AFTER INSERT ON entities
          BEGIN UPDATE world_digest SET changes = changes + 1 WHERE id = 1; END;
        CREATE TRIGGER entities_update_counted AFTER UPDATE ON entities
          BEGIN UPDATE world_digest SET changes = changes + 1 WHERE id = 1; END;
        CREATE TRIGGER entities_delete_counted AFTER DELETE ON entities
          BEGIN UPDATE world_digest SET changes = changes + 1 WHERE id = 1; END;
        CREATE TRIGGER relationships_insert_counted AFTER INSERT ON relationships
          BEGIN UPDATE world_digest SET changes = changes + 1 WHERE id = 1; END;
        CREATE TRIGGER relationships_update_counted AFTER UPDATE ON relationships
          BEGIN UPDATE world_digest SET changes = changes + 1 WHERE id = 1; END;
        CREATE TRIGGER relationships_delete_counted AFTER DELETE ON relationships
          BEGIN UPDATE world_digest SET changes = changes + 1 WHERE id = 1; END;
        CREATE TRIGGER sector_coefficients_insert_counted AFTER INSERT ON sector_coefficients
          BEGIN UPDATE world_digest SET changes = changes + 1 WHERE id = 1; END;
        CREATE TRIGGER sector_coefficients_update_counted AFTER UPDATE ON sector_coefficients
          BEGIN UPDATE world_digest SET changes = changes + 1 WHERE id = 1; END;
        CREATE TRIGGER sector_coefficients_delete_counted AFTER DELETE ON sector_coefficients
          BEGIN UPDATE world_digest SET changes = changes + 1 WHERE id = 1; END;
        CREATE TRIGGER formulas_insert_counted AFTER INSERT ON formulas
          BEGIN UPDATE world_digest SET changes = changes + 1 WHERE id = 1; END;
        CREATE TRIGGER formulas_update_counted AFTER UPDATE ON formulas
          BEGIN UPDATE world_digest SET changes = changes + 1 WHERE id = 1; END;
        CREATE TRIGGER formulas_delete_counted AFTER DELETE ON formulas
          BEGIN UPDATE world_digest SET changes = changes + 1 WHERE id = 1; END;
        CREATE TRIGGER macro_data_insert_counted AFTER INSERT ON macro_data
          BEGIN UPDATE world_digest SET changes = changes + 1 WHERE id = 1; END;
        CREATE TRIGGER macro_data_update_counted AFTER UPDATE ON macro_data
          BEGIN UPDATE world_digest SET changes = changes + 1 WHERE id = 1; END;
        CREATE TRIGGER macro_data_delete_counted AFTER DELETE ON macro_data
          BEGIN UPDATE world_digest SET changes = changes + 1 WHERE id = 1; END;
        """,
        postgresql: """
        CREATE TABLE world_digest (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          changes BIGINT NOT NULL DEFAULT 0,
          world_version TEXT,
          digest TEXT,
          entities BIGINT,
          relationships BIGINT,
          recorded_at TEXT
        );
        INSERT INTO world_digest (id, changes) VALUES (1, 0);
        GRANT SELECT, UPDATE ON world_digest TO \(applicationRole);
        CREATE FUNCTION cascade_count_world_write() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
        BEGIN
          UPDATE world_digest SET changes = changes + 1 WHERE id = 1;
          RETURN NULL;
        END $$;
        CREATE TRIGGER entities_counted AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON entities
          FOR EACH STATEMENT EXECUTE FUNCTION cascade_count_world_write();
        CREATE TRIGGER relationships_counted AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON relationships
          FOR EACH STATEMENT EXECUTE FUNCTION cascade_count_world_write();
        CREATE TRIGGER sector_coefficients_counted AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sector_coefficients
          FOR EACH STATEMENT EXECUTE FUNCTION cascade_count_world_write();
        CREATE TRIGGER formulas_counted AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON formulas
          FOR EACH STATEMENT EXECUTE FUNCTION cascade_count_world_write();
        CREATE TRIGGER macro_data_counted AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON macro_data
          FOR EACH STATEMENT EXECUTE FUNCTION cascade_count_world_write();
        """
    )
}
