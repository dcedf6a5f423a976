extension Migration {
    /// The run log learns who runs each run and that a run can be abandoned: `process_id` and
    /// `host` of the process that started it (so a later look can tell that the process is gone),
    /// the status `abandoned`, and an index over the rows still `running` (every look scans them).
    ///
    /// SQLite cannot change a CHECK constraint in place, so its table is rebuilt (same columns
    /// and indexes, rows copied); PostgreSQL replaces the constraint.
    static let runLogAbandoned = Migration(
        id: 6, name: "add_run_log_process_and_abandoned_status",
        sqlite: """
        CREATE TABLE run_log_new (
          id TEXT PRIMARY KEY NOT NULL,
          scenario_id TEXT,
          started_at TEXT NOT NULL,
          finished_at TEXT,
          status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'abandoned')),
          counts TEXT CHECK (counts IS NULL OR json_valid(counts)),
          inputs TEXT CHECK (inputs IS NULL OR json_valid(inputs)),
          error TEXT,
          job_id TEXT,
          process_id INTEGER,
          host TEXT
        );
        INSERT INTO run_log_new (id, scenario_id, started_at, finished_at, status, counts, inputs, error, job_id)
          SELECT id, scenario_id, started_at, finished_at, status, counts, inputs, error, job_id FROM run_log;
        DROP TABLE run_log;
        ALTER TABLE run_log_new RENAME TO run_log;
        CREATE INDEX idx_run_log_started ON run_log(started_at);
        CREATE INDEX idx_run_log_job ON run_log(job_id);
        CREATE INDEX idx_run_log_running ON run_log(status) WHERE status = 'running';
        """,
        postgresql: """
        ALTER TABLE run_log DROP CONSTRAINT run_log_status_check;
        ALTER TABLE run_log ADD CONSTRAINT run_log_status_check CHECK (status IN ('running', 'succeeded', 'failed', 'abandoned')),
          ADD COLUMN process_id INTEGER, ADD COLUMN host TEXT;
        CREATE INDEX idx_run_log_running ON run_log(status) WHERE status = 'running';
        """
    )
}
