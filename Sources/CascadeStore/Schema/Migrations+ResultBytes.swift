extension Migration {
    /// A large result's parts as bytes (SQLite `BLOB`, PostgreSQL `bytea`) instead of base64 text:
    /// encoding 0.7 GB of document as 0.9 GB of base64 and back cost seconds at 1 M entities.
    ///
    /// PostgreSQL converts the stored parts in place. SQLite keeps its table: a column declared
    /// `TEXT` stores a bound `BLOB` as it is (type affinity converts only numbers), and SQLite
    /// cannot decode base64 in SQL, so rebuilding the table would only copy the older parts as
    /// the text they are — measured on the lead's 1 M store, 164 s and 2.4 GB peak RSS for one
    /// 0.9 GB result on a loaded machine. `Store.result(scenarioID:)` reads both: text is base64,
    /// bytes are the document.
    static let resultPartBytes = Migration(
        id: 15, name: "store_result_parts_as_bytes",
        sqlite: """
        -- Nothing to change: scenario_result_parts.data takes bytes as they are (see above).
        SELECT 1;
        """,
        postgresql: """
        ALTER TABLE scenario_result_parts ALTER COLUMN data TYPE bytea USING decode(data, 'base64');
        """
    )
}
