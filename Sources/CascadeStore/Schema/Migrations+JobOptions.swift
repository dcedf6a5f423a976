extension Migration {
    /// A queued run's `sensitivities` option (`POST /v1/scenarios/{id}/runs?sensitivities=true`):
    /// the worker that claims the job runs it with sensitivities, so the option survives the queue.
    static let jobSensitivities = Migration(
        id: 11, name: "add_run_queue_sensitivities",
        sqlite: """
        ALTER TABLE run_queue ADD COLUMN sensitivities INTEGER NOT NULL DEFAULT 0 CHECK (sensitivities IN (0, 1));
        """,
        postgresql: """
        ALTER TABLE run_queue ADD COLUMN sensitivities BOOLEAN NOT NULL DEFAULT FALSE;
        """
    )
}
