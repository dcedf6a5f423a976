extension Migration {
    /// A large result's world part (`ResultColumns`, version 3: the columns every run of the same
    /// world shares, 38 % of a 1 M-entity result) stored once per owner and key instead of once
    /// per result: `result_worlds` names each (owner, key) — the key is the XXH3-128 of the
    /// part's bytes, the owner the author of the scenarios whose results use it — with its size;
    /// `result_world_parts` holds its bytes in parts of at most `Store.resultPartBytes`;
    /// `scenario_result_worlds` says which world part a scenario's stored result uses. The
    /// reference is a foreign key without a delete action: a world part a result uses cannot be
    /// deleted (the store deletes one in the transaction that drops its last reference, see
    /// `Store.storeResult`).
    ///
    /// On PostgreSQL `cascade_app` reads a world part when it sees a scenario of its owner, and
    /// writes or deletes only its own user's (an admin any), so one user's clean-up sees exactly
    /// that user's rows; it sees a result's reference exactly when it sees the scenario.
    static let resultWorlds = Migration(
        id: 16, name: "add_result_worlds",
        sqlite: """
        CREATE TABLE result_worlds (
          owner TEXT NOT NULL,
          world_key TEXT NOT NULL CHECK (length(world_key) = 32),
          parts INTEGER NOT NULL CHECK (parts >= 1),
          bytes INTEGER NOT NULL CHECK (bytes >= 0),
          created_at TEXT NOT NULL,
          PRIMARY KEY (owner, world_key)
        );
        CREATE TABLE result_world_parts (
          owner TEXT NOT NULL,
          world_key TEXT NOT NULL,
          part INTEGER NOT NULL CHECK (part >= 0),
          data BLOB NOT NULL,
          PRIMARY KEY (owner, world_key, part),
          FOREIGN KEY (owner, world_key) REFERENCES result_worlds(owner, world_key) ON DELETE CASCADE
        );
        CREATE TABLE scenario_result_worlds (
          scenario_id TEXT PRIMARY KEY NOT NULL REFERENCES scenarios(id) ON DELETE CASCADE,
          owner TEXT NOT NULL,
          world_key TEXT NOT NULL,
          FOREIGN KEY (owner, world_key) REFERENCES result_worlds(owner, world_key)
        );
        CREATE INDEX idx_scenario_result_worlds_world ON scenario_result_worlds(owner, world_key);
        """,
        postgresql: """
        CREATE TABLE result_worlds (
          owner VARCHAR(100) NOT NULL,
          world_key CHAR(32) NOT NULL,
          parts INTEGER NOT NULL CHECK (parts >= 1),
          bytes BIGINT NOT NULL CHECK (bytes >= 0),
          created_at TIMESTAMPTZ NOT NULL,
          PRIMARY KEY (owner, world_key)
        );
        CREATE TABLE result_world_parts (
          owner VARCHAR(100) NOT NULL,
          world_key CHAR(32) NOT NULL,
          part INTEGER NOT NULL CHECK (part >= 0),
          data BYTEA NOT NULL,
          PRIMARY KEY (owner, world_key, part),
          FOREIGN KEY (owner, world_key) REFERENCES result_worlds(owner, world_key) ON DELETE CASCADE
        );
        CREATE TABLE scenario_result_worlds (
          scenario_id UUID PRIMARY KEY REFERENCES scenarios(id) ON DELETE CASCADE,
          owner VARCHAR(100) NOT NULL,
          world_key CHAR(32) NOT NULL,
          FOREIGN KEY (owner, world_key) REFERENCES result_worlds(owner, world_key)
        );
        CREATE INDEX idx_scenario_result_worlds_world ON scenario_result_worlds(owner, world_key);

        GRANT SELECT, INSERT, UPDATE, DELETE ON result_worlds, result_world_parts, scenario_result_worlds TO \(applicationRole);
        ALTER TABLE result_worlds ENABLE ROW LEVEL SECURITY;
        CREATE POLICY result_worlds_read ON result_worlds FOR SELECT TO \(applicationRole)
          USING (EXISTS (SELECT 1 FROM scenarios s WHERE s.author = result_worlds.owner));
        CREATE POLICY result_worlds_own ON result_worlds FOR ALL TO \(applicationRole)
          USING (owner = current_setting('cascade.user', true) OR cascade_user_is_admin())
          WITH CHECK (owner = current_setting('cascade.user', true) OR cascade_user_is_admin());
        ALTER TABLE result_world_parts ENABLE ROW LEVEL SECURITY;
        CREATE POLICY result_world_parts_read ON result_world_parts FOR SELECT TO \(applicationRole)
          USING (EXISTS (SELECT 1 FROM scenarios s WHERE s.author = result_world_parts.owner));
        CREATE POLICY result_world_parts_own ON result_world_parts FOR ALL TO \(applicationRole)
          USING (owner = current_setting('cascade.user', true) OR cascade_user_is_admin())
          WITH CHECK (owner = current_setting('cascade.user', true) OR cascade_user_is_admin());
        ALTER TABLE scenario_result_worlds ENABLE ROW LEVEL SECURITY;
        CREATE POLICY scenario_result_worlds_visible ON scenario_result_worlds FOR ALL TO \(applicationRole)
          USING (EXISTS (SELECT 1 FROM scenarios s WHERE s.id = scenario_id))
          WITH CHECK (EXISTS (SELECT 1 FROM scenarios s WHERE s.id = scenario_id));
        """
    )
}
