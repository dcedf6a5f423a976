extension Migration {
    /// The chunks of a queued Monte Carlo run's draws (`Store+DrawChunks.swift`): the worker that
    /// claims the job splits its draws into ranges, and any worker — that one included — claims
    /// a range under a lease, computes its impacts and stores them here as bytes (little-endian
    /// doubles, entity by entity); the job's worker merges them in draw order. Each row keeps the
    /// fingerprint of the run it belongs to, so a chunk of another version of the world is never
    /// merged, and the worker that computed it (`owner`, kept after it is done).
    static let drawChunks = Migration(
        id: 12, name: "add_run_draw_chunks",
        sqlite: """
        CREATE TABLE run_draw_chunks (
          job_id TEXT NOT NULL REFERENCES run_queue(id) ON DELETE CASCADE,
          chunk INTEGER NOT NULL CHECK (chunk >= 0),
          first_draw INTEGER NOT NULL CHECK (first_draw >= 0),
          end_draw INTEGER NOT NULL CHECK (end_draw > first_draw),
          fingerprint TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
          attempts INTEGER NOT NULL DEFAULT 0,
          owner TEXT,
          lease_expires_ms INTEGER,
          error TEXT,
          impacts BLOB,
          PRIMARY KEY (job_id, chunk)
        );
        CREATE INDEX idx_run_draw_chunks_claim ON run_draw_chunks(status, job_id, chunk);
        """,
        postgresql: """
        CREATE TABLE run_draw_chunks (
          job_id UUID NOT NULL REFERENCES run_queue(id) ON DELETE CASCADE,
          chunk INTEGER NOT NULL CHECK (chunk >= 0),
          first_draw INTEGER NOT NULL CHECK (first_draw >= 0),
          end_draw INTEGER NOT NULL CHECK (end_draw > first_draw),
          fingerprint TEXT NOT NULL,
          status VARCHAR(20) NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
          attempts INTEGER NOT NULL DEFAULT 0,
          owner TEXT,
          lease_expires_ms BIGINT,
          error TEXT,
          impacts BYTEA,
          PRIMARY KEY (job_id, chunk)
        );
        CREATE INDEX idx_run_draw_chunks_claim ON run_draw_chunks(status, job_id, chunk);
        """
    )
}
