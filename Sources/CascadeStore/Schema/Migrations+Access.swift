extension Migration {
    /// The name of the PostgreSQL role the HTTP API's connections switch to, so that row-level
    /// security applies to them even when the server connects as the tables' owner or a superuser.
    package static let applicationRole = "cascade_app"

    /// Users with a role and a salted hash of their API key; the run queue that `cascade serve`
    /// fills and `cascade worker` processes drain; the queue job a run-log row belongs to; an index
    /// on scenario names (submitting looks up scenarios by name).
    ///
    /// On PostgreSQL also row-level security on `scenarios`, keyed on the per-transaction setting
    /// `cascade.user`: the role `cascade_app` (created when missing, never able to log in) sees
    /// public scenarios and its user's own, and inserts, updates and deletes only its user's own —
    /// admins any. The store's owner (the CLI, workers, migrations) is not subject to it.
    static let accessAndQueue = Migration(
        id: 5, name: "add_users_run_queue_and_row_security",
        sqlite: """
        CREATE TABLE users (
          id TEXT PRIMARY KEY NOT NULL,
          username TEXT NOT NULL UNIQUE CHECK (length(username) BETWEEN 1 AND 100),
          role TEXT NOT NULL CHECK (role IN ('admin', 'calibrator', 'author', 'viewer')),
          key_id TEXT NOT NULL UNIQUE,
          key_salt TEXT NOT NULL,
          key_hash TEXT NOT NULL,
          is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
          created_at TEXT NOT NULL
        );

        CREATE TABLE run_queue (
          id TEXT PRIMARY KEY NOT NULL,
          scenario_id TEXT NOT NULL REFERENCES scenarios(id) ON DELETE CASCADE,
          requested_by TEXT NOT NULL,
          force_run INTEGER NOT NULL DEFAULT 0 CHECK (force_run IN (0, 1)),
          status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
          attempts INTEGER NOT NULL DEFAULT 0,
          lease_owner TEXT,
          lease_expires_ms INTEGER,
          enqueued_at TEXT NOT NULL,
          started_at TEXT,
          finished_at TEXT,
          run_id TEXT,
          cached INTEGER CHECK (cached IS NULL OR cached IN (0, 1)),
          error TEXT
        );
        CREATE INDEX idx_run_queue_claim ON run_queue(status, enqueued_at);
        CREATE INDEX idx_run_queue_scenario ON run_queue(scenario_id, status);

        ALTER TABLE run_log ADD COLUMN job_id TEXT;
        CREATE INDEX idx_run_log_job ON run_log(job_id);
        CREATE INDEX idx_scenarios_name ON scenarios(name);
        """,
        postgresql: """
        CREATE TABLE users (
          id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
          username VARCHAR(100) NOT NULL UNIQUE CHECK (length(username) >= 1),
          role VARCHAR(20) NOT NULL CHECK (role IN ('admin', 'calibrator', 'author', 'viewer')),
          key_id VARCHAR(64) NOT NULL UNIQUE,
          key_salt VARCHAR(64) NOT NULL,
          key_hash VARCHAR(128) NOT NULL,
          is_active BOOLEAN NOT NULL DEFAULT TRUE,
          created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
        );

        CREATE TABLE run_queue (
          id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
          scenario_id UUID NOT NULL REFERENCES scenarios(id) ON DELETE CASCADE,
          requested_by VARCHAR(100) NOT NULL,
          force_run BOOLEAN NOT NULL DEFAULT FALSE,
          status VARCHAR(20) NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
          attempts INTEGER NOT NULL DEFAULT 0,
          lease_owner TEXT,
          lease_expires_ms BIGINT,
          enqueued_at TIMESTAMPTZ NOT NULL,
          started_at TIMESTAMPTZ,
          finished_at TIMESTAMPTZ,
          run_id UUID,
          cached BOOLEAN,
          error TEXT
        );
        CREATE INDEX idx_run_queue_claim ON run_queue(status, enqueued_at);
        CREATE INDEX idx_run_queue_scenario ON run_queue(scenario_id, status);

        ALTER TABLE run_log ADD COLUMN job_id UUID;
        CREATE INDEX idx_run_log_job ON run_log(job_id);
        CREATE INDEX idx_scenarios_name ON scenarios(name);

        DO $$ BEGIN
          CREATE ROLE \(applicationRole) NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END $$;
        DO $$ BEGIN
          EXECUTE format('GRANT \(applicationRole) TO %I', current_user);
        EXCEPTION WHEN others THEN NULL;  -- already a member, or a superuser
        END $$;
        DO $$ BEGIN
          EXECUTE format('GRANT USAGE ON SCHEMA %I TO \(applicationRole)', current_schema());
          EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO \(applicationRole)', current_schema());
          EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO \(applicationRole)', current_schema());
        END $$;

        CREATE FUNCTION cascade_user_is_admin() RETURNS BOOLEAN AS $$
          SELECT EXISTS (SELECT 1 FROM users
                         WHERE username = current_setting('cascade.user', true) AND role = 'admin' AND is_active)
        $$ LANGUAGE sql STABLE;

        ALTER TABLE scenarios ENABLE ROW LEVEL SECURITY;
        CREATE POLICY scenarios_read ON scenarios FOR SELECT TO \(applicationRole)
          USING (is_public OR author = current_setting('cascade.user', true) OR cascade_user_is_admin());
        CREATE POLICY scenarios_insert ON scenarios FOR INSERT TO \(applicationRole)
          WITH CHECK (author = current_setting('cascade.user', true));
        CREATE POLICY scenarios_update ON scenarios FOR UPDATE TO \(applicationRole)
          USING (author = current_setting('cascade.user', true) OR cascade_user_is_admin())
          WITH CHECK (author = current_setting('cascade.user', true) OR cascade_user_is_admin());
        CREATE POLICY scenarios_delete ON scenarios FOR DELETE TO \(applicationRole)
          USING (author = current_setting('cascade.user', true) OR cascade_user_is_admin());
        """
    )
}
