extension Migration {
    /// A large result's parts as bytes (SQLite `BLOB`, PostgreSQL `bytea`) instead of base64 text:
    /// encoding 0.7 GB of document as 0.9 GB of base64 and back cost seconds at 1 M entities.
    ///
    /// PostgreSQL converts the stored parts in place. SQLite cannot decode base64 in SQL, so its
    /// table is rebuilt with a `BLOB` column and the older parts move over as the text they are;
    /// `Store.result(scenarioID:)` still reads those (text is base64, bytes are the document).
    static let resultPartBytes = Migration(
        id: 15, name: "store_result_parts_as_bytes",
        sqlite: """
        CREATE TABLE scenario_result_parts_bytes (
          scenario_id TEXT NOT NULL REFERENCES scenarios(id) ON DELETE CASCADE,
          part INTEGER NOT NULL CHECK (part >= 0),
          data BLOB NOT NULL,
          PRIMARY KEY (scenario_id, part)
        );
        INSERT INTO scenario_result_parts_bytes (scenario_id, part, data)
          SELECT scenario_id, part, data FROM scenario_result_parts;
        DROP TABLE scenario_result_parts;
        ALTER TABLE scenario_result_parts_bytes RENAME TO scenario_result_parts;
        """,
        postgresql: """
        ALTER TABLE scenario_result_parts ALTER COLUMN data TYPE bytea USING decode(data, 'base64');
        """
    )
}
