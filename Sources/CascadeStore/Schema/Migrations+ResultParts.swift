extension Migration {
    /// A large result's per-entity results as one binary document (`ResultColumns` in the engine),
    /// stored base64-encoded in parts of at most `Store.resultPartBytes` bytes, in place of one JSON
    /// row per entity in `scenario_entity_results` (which older results keep, and still read from).
    ///
    /// On PostgreSQL `cascade_app` sees a result's parts exactly when it sees the scenario.
    static let resultParts = Migration(
        id: 10, name: "add_scenario_result_parts",
        sqlite: """
        CREATE TABLE scenario_result_parts (
          scenario_id TEXT NOT NULL REFERENCES scenarios(id) ON DELETE CASCADE,
          part INTEGER NOT NULL CHECK (part >= 0),
          data TEXT NOT NULL,
          PRIMARY KEY (scenario_id, part)
        );
        """,
        postgresql: """
        CREATE TABLE scenario_result_parts (
          scenario_id UUID NOT NULL REFERENCES scenarios(id) ON DELETE CASCADE,
          part INTEGER NOT NULL CHECK (part >= 0),
          data TEXT NOT NULL,
          PRIMARY KEY (scenario_id, part)
        );
        GRANT SELECT, INSERT, UPDATE, DELETE ON scenario_result_parts TO \(applicationRole);
        ALTER TABLE scenario_result_parts ENABLE ROW LEVEL SECURITY;
        CREATE POLICY scenario_result_parts_visible ON scenario_result_parts FOR ALL TO \(applicationRole)
          USING (EXISTS (SELECT 1 FROM scenarios s WHERE s.id = scenario_id))
          WITH CHECK (EXISTS (SELECT 1 FROM scenarios s WHERE s.id = scenario_id));
        """
    )
}
