import CascadeJSON
import Foundation

/// One run request in the queue table: queued by `cascade serve`, claimed by a worker under a
/// lease, finished (with the result) in one transaction by the worker that still holds the lease.
package struct RunJob: Sendable, Equatable {
    package enum Status: String, Sendable {
        case queued, running, succeeded, failed
    }

    package var id: String
    package var scenarioID: String
    package var requestedBy: String
    package var force: Bool
    /// Whether the run computes sensitivities (`?sensitivities=true`).
    package var sensitivities: Bool
    package var status: Status
    package var attempts: Int
    package var leaseOwner: String?
    package var enqueuedAt: String
    package var startedAt: String?
    package var finishedAt: String?
    /// The `run_log` row of the run that completed the job.
    package var runID: String?
    package var cached: Bool?
    package var error: String?

    package var isFinished: Bool { status == .succeeded || status == .failed }

    package var json: JSONValue {
        var o = JSONObject()
        o["id"] = .string(id)
        o["scenario_id"] = .string(scenarioID)
        o["status"] = .string(status.rawValue)
        o["requested_by"] = .string(requestedBy)
        o["force"] = .bool(force)
        o["sensitivities"] = .bool(sensitivities)
        o["attempts"] = .number(Double(attempts))
        o["enqueued_at"] = .string(enqueuedAt)
        o["started_at"] = startedAt.map(JSONValue.string) ?? .null
        o["finished_at"] = finishedAt.map(JSONValue.string) ?? .null
        o["run_id"] = runID.map(JSONValue.string) ?? .null
        o["cached"] = cached.map(JSONValue.bool) ?? .null
        o["error"] = error.map(JSONValue.string) ?? .null
        return .object(o)
    }
}

/// The claim a worker holds on a job: the job and the worker's name.
package struct JobLease: Sendable, Equatable {
    package var jobID: String
    package var owner: String

    package init(jobID: String, owner: String) {
        self.jobID = jobID
        self.owner = owner
    }
}

/// How many jobs are in each state.
package struct QueueCounts: Sendable, Equatable {
    package var queued = 0
    package var running = 0
    package var succeeded = 0
    package var failed = 0
}

extension Store {
    static let jobColumns = """
        id, scenario_id, requested_by, force_run, sensitivities, status, attempts, lease_owner, enqueued_at, started_at, finished_at, run_id, cached, error
        """

    /// The database server's clock in milliseconds since 1970: leases compare against one clock
    /// however many machines the workers run on.
    static func nowMillisSQL(_ dialect: SQLDialect) -> String {
        switch dialect {
        case .sqlite: "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)"
        case .postgresql: "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)"
        }
    }

    /// Queues a run of a scenario, or returns the unfinished job already queued for it (with the
    /// same `force` and `sensitivities`), so that a burst of requests for one scenario runs it once.
    /// Audited.
    package func enqueueRun(scenarioID: String, requestedBy: String, force: Bool,
                           sensitivities: Bool = false) throws -> (job: RunJob, isNew: Bool) {
        try writeRetrying { db in
            if let row = try db.queryOne("""
                SELECT \(Self.jobColumns) FROM run_queue
                WHERE scenario_id = ? AND force_run = ? AND sensitivities = ? AND status IN ('queued', 'running')
                ORDER BY enqueued_at LIMIT 1
                """, [.text(scenarioID), .bool(force), .bool(sensitivities)]) {
                return (Self.runJob(row), false)
            }
            let id = UUID().uuidString.lowercased()
            try db.execute("""
                INSERT INTO run_queue (id, scenario_id, requested_by, force_run, sensitivities, status, attempts, enqueued_at)
                VALUES (?, ?, ?, ?, ?, 'queued', 0, ?)
                """, .text(id), .text(scenarioID), .text(requestedBy), .bool(force), .bool(sensitivities), .text(now()))
            let job = try Self.runJob(db.queryOne("SELECT \(Self.jobColumns) FROM run_queue WHERE id = ?", [.text(id)])!)
            try audit(db, action: "enqueue", table: "run_queue", row: id, before: nil, after: job.json)
            return (job, true)
        }
    }

    /// One job by id.
    package func job(_ id: String) throws -> RunJob? {
        guard UUID(uuidString: id) != nil else { return nil }
        return try read { db in
            try db.queryOne("SELECT \(Self.jobColumns) FROM run_queue WHERE id = ?", [.text(id.lowercased())]).map(Self.runJob)
        }
    }

    /// The running job `owner` holds, if any.
    package func job(ofOwner owner: String) throws -> RunJob? {
        try read { db in
            try db.queryOne("SELECT \(Self.jobColumns) FROM run_queue WHERE lease_owner = ? AND status = 'running'", [.text(owner)])
                .map(Self.runJob)
        }
    }

    /// Claims the oldest queued job, or one whose lease expired (its worker died), for `owner`
    /// for `leaseSeconds`; nil when there is none. On PostgreSQL the candidate row is locked with
    /// `FOR UPDATE SKIP LOCKED`, so concurrent workers never claim the same job; on SQLite the
    /// write transaction is exclusive. A job whose lease expired `maxAttempts` times is failed.
    package func claimJob(owner: String, leaseSeconds: Double, maxAttempts: Int = 3) throws -> RunJob? {
        try writeRetrying { db in
            let now = Self.nowMillisSQL(db.dialect)
            try db.execute("""
                UPDATE run_queue SET status = 'failed', finished_at = ?, lease_owner = NULL,
                  error = 'abandoned: ' || attempts || ' workers stopped while running it'
                WHERE status = 'running' AND lease_expires_ms < \(now) AND attempts >= ?
                """, .text(self.now()), .integer(Int64(maxAttempts)))
            try markAbandonedRuns(db)
            let lock = db.dialect == .postgresql ? "FOR UPDATE SKIP LOCKED" : ""
            let rows = try db.query("""
                UPDATE run_queue SET status = 'running', lease_owner = ?, attempts = attempts + 1,
                  lease_expires_ms = \(now) + ?, started_at = COALESCE(started_at, ?)
                WHERE id = (SELECT id FROM run_queue
                            WHERE status = 'queued' OR (status = 'running' AND lease_expires_ms < \(now))
                            ORDER BY enqueued_at, id LIMIT 1 \(lock))
                RETURNING \(Self.jobColumns)
                """, [.text(owner), .integer(Int64(leaseSeconds * 1000)), .text(self.now())])
            return rows.first.map(Self.runJob)
        }
    }

    /// Extends a lease the worker still holds; false when it lost it (it expired and another
    /// worker claimed the job).
    package func renewLease(_ lease: JobLease, leaseSeconds: Double) throws -> Bool {
        try writeRetrying { db in
            try db.execute("""
                UPDATE run_queue SET lease_expires_ms = \(Self.nowMillisSQL(db.dialect)) + ?
                WHERE id = ? AND lease_owner = ? AND status = 'running'
                """, .integer(Int64(leaseSeconds * 1000)), .text(lease.jobID), .text(lease.owner)) == 1
        }
    }

    /// Marks a leased job done inside the caller's transaction, before anything else is written
    /// there: throws `leaseLost` (and so rolls the whole transaction back) when the worker no
    /// longer holds the lease, so a job is never completed twice.
    func completeJob(_ db: any DatabaseConnection, _ lease: JobLease, status: RunJob.Status, runID: String?,
                     cached: Bool?, error: String?) throws {
        let changed = try db.execute("""
            UPDATE run_queue SET status = ?, finished_at = ?, run_id = ?, cached = ?, error = ?, lease_owner = NULL
            WHERE id = ? AND lease_owner = ? AND status = 'running'
            """, .text(status.rawValue), .text(now()), .text(runID), cached.map { SQLValue.bool($0) } ?? .null,
            .text(error), .text(lease.jobID), .text(lease.owner))
        guard changed == 1 else {
            throw StoreError(.leaseLost, "job \(lease.jobID) is no longer leased to \(lease.owner)",
                             hint: "its lease expired and another worker took it over")
        }
        // The draws of its chunks (if it had any) were merged into the result: only the record stays.
        try db.execute("UPDATE run_draw_chunks SET impacts = NULL WHERE job_id = ?", .text(lease.jobID))
    }

    /// Finishes a leased job that wrote no result (a cached result, or a failure).
    package func finishJob(_ lease: JobLease, status: RunJob.Status, runID: String? = nil, cached: Bool? = nil,
                          error: String? = nil) throws {
        try writeRetrying { db in try completeJob(db, lease, status: status, runID: runID, cached: cached, error: error) }
    }

    /// How many jobs are in each state.
    package func queueCounts() throws -> QueueCounts {
        try read { db in
            var counts = QueueCounts()
            for row in try db.query("SELECT status, COUNT(*) AS n FROM run_queue GROUP BY status") {
                let n = row.int("n") ?? 0
                switch RunJob.Status(rawValue: row.string("status") ?? "") {
                case .queued: counts.queued = n
                case .running: counts.running = n
                case .succeeded: counts.succeeded = n
                case .failed: counts.failed = n
                case nil: break
                }
            }
            return counts
        }
    }

    static func runJob(_ row: Row) -> RunJob {
        RunJob(id: row.string("id") ?? "", scenarioID: row.string("scenario_id") ?? "", requestedBy: row.string("requested_by") ?? "",
               force: row.bool("force_run") ?? false, sensitivities: row.bool("sensitivities") ?? false, status: RunJob.Status(rawValue: row.string("status") ?? "") ?? .failed,
               attempts: row.int("attempts") ?? 0, leaseOwner: row.string("lease_owner"), enqueuedAt: row.timestamp("enqueued_at") ?? "",
               startedAt: row.timestamp("started_at"), finishedAt: row.timestamp("finished_at"), runID: row.string("run_id"),
               cached: row.isNull("cached") ? nil : row.bool("cached"), error: row.string("error"))
    }
}
