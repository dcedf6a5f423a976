extension Migration {
    /// What-if sessions (the seed's modeling sessions): a base scenario, the modifications made
    /// so far (`WhatIfChanges`' JSON form), the modified scenario they give, a status
    /// (`active`, `completed`, `cancelled`) and the history of impact summaries, one per change.
    /// A session's name is unique per author. The scenarios are referred to by id only (a deleted
    /// scenario leaves the session's history intact).
    ///
    /// On PostgreSQL a session is its author's as a scenario is: `cascade_app` sees and changes
    /// only its user's own (admins any), under row-level security keyed on `cascade.user`.
    static let whatIfSessions = Migration(
        id: 8, name: "add_whatif_sessions",
        sqlite: """
        CREATE TABLE whatif_sessions (
          id TEXT PRIMARY KEY NOT NULL,
          name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
          author TEXT NOT NULL,
          base_scenario_id TEXT NOT NULL,
          scenario_id TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('active', 'completed', 'cancelled')),
          modifications TEXT NOT NULL CHECK (json_valid(modifications)),
          history TEXT NOT NULL CHECK (json_valid(history)),
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          UNIQUE (author, name)
        );
        """,
        postgresql: """
        CREATE TABLE whatif_sessions (
          id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
          name VARCHAR(200) NOT NULL CHECK (length(name) >= 1),
          author VARCHAR(100) NOT NULL,
          base_scenario_id UUID NOT NULL,
          scenario_id UUID NOT NULL,
          status VARCHAR(20) NOT NULL CHECK (status IN ('active', 'completed', 'cancelled')),
          modifications JSONB NOT NULL,
          history JSONB NOT NULL,
          created_at TIMESTAMPTZ NOT NULL,
          updated_at TIMESTAMPTZ NOT NULL,
          UNIQUE (author, name)
        );
        GRANT SELECT, INSERT, UPDATE, DELETE ON whatif_sessions TO \(applicationRole);
        ALTER TABLE whatif_sessions ENABLE ROW LEVEL SECURITY;
        CREATE POLICY whatif_sessions_read ON whatif_sessions FOR SELECT TO \(applicationRole)
          USING (author = current_setting('cascade.user', true) OR cascade_user_is_admin());
        CREATE POLICY whatif_sessions_insert ON whatif_sessions FOR INSERT TO \(applicationRole)
          WITH CHECK (author = current_setting('cascade.user', true));
        CREATE POLICY whatif_sessions_update ON whatif_sessions FOR UPDATE TO \(applicationRole)
          USING (author = current_setting('cascade.user', true) OR cascade_user_is_admin())
          WITH CHECK (author = current_setting('cascade.user', true) OR cascade_user_is_admin());
        CREATE POLICY whatif_sessions_delete ON whatif_sessions FOR DELETE TO \(applicationRole)
          USING (author = current_setting('cascade.user', true) OR cascade_user_is_admin());
        """
    )
}
