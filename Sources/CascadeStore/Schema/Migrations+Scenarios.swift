extension Migration {
    /// Scenario documents and cached run results: the resolved as-of date and the whole scenario
    /// document beside the seed's columns, the fingerprint and data version of the cached result,
    /// and a side table of per-entity results for large graphs.
    static let scenarioResults = Migration(
        id: 4, name: "add_scenario_documents_and_results",
        sqlite: """
        ALTER TABLE scenarios ADD COLUMN as_of TEXT CHECK (as_of IS NULL OR as_of IS date(as_of));
        ALTER TABLE scenarios ADD COLUMN document TEXT CHECK (document IS NULL OR json_valid(document));
        ALTER TABLE scenarios ADD COLUMN result_fingerprint TEXT;
        ALTER TABLE scenarios ADD COLUMN result_data_version TEXT;
        ALTER TABLE scenarios ADD COLUMN results_updated_at TEXT;
        CREATE TABLE scenario_entity_results (
          scenario_id TEXT NOT NULL REFERENCES scenarios(id) ON DELETE CASCADE,
          entity_id TEXT NOT NULL,
          result TEXT NOT NULL CHECK (json_valid(result)),
          PRIMARY KEY (scenario_id, entity_id)
        );
        """,
        postgresql: """
        ALTER TABLE scenarios ADD COLUMN as_of DATE, ADD COLUMN document JSONB, ADD COLUMN result_fingerprint TEXT,
          ADD COLUMN result_data_version TEXT, ADD COLUMN results_updated_at TIMESTAMPTZ;
        CREATE TABLE scenario_entity_results (
          scenario_id UUID NOT NULL REFERENCES scenarios(id) ON DELETE CASCADE,
          entity_id TEXT NOT NULL,
          result JSONB NOT NULL,
          PRIMARY KEY (scenario_id, entity_id)
        );
        """
    )
}
