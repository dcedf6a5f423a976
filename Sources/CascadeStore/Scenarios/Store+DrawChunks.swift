/// One range of a queued Monte Carlo run's draws (`run_draw_chunks`): planned by the worker that
/// holds the job, claimed under a lease by any worker, done when its impacts are stored.
package struct DrawChunk: Sendable, Equatable {
    package enum Status: String, Sendable {
        case queued, running, done, failed
    }

    package var jobID: String
    package var index: Int
    package var draws: Range<Int>
    /// The fingerprint of the run whose draws these are: a worker whose prepared run has another
    /// one (the world changed since the job started) does not compute it.
    package var fingerprint: String
    package var status: Status
    package var attempts: Int
    /// The worker that holds it, or (once done or failed) that computed it.
    package var owner: String?
    package var error: String?

    package var isFinished: Bool { status == .done || status == .failed }

    /// The lease its owner holds on it.
    package var lease: ChunkLease? { owner.map { ChunkLease(jobID: jobID, index: index, owner: $0) } }
}

/// The claim a worker holds on one chunk of a job's draws.
package struct ChunkLease: Sendable, Equatable {
    package var jobID: String
    package var index: Int
    package var owner: String

    package init(jobID: String, index: Int, owner: String) {
        self.jobID = jobID
        self.index = index
        self.owner = owner
    }
}

extension Store {
    static let chunkColumns = "job_id, chunk, first_draw, end_draw, fingerprint, status, attempts, owner, error"

    /// Splits the draws of the job `lease` holds into `ranges` for the run `fingerprint`, and
    /// returns the chunks. The chunks already planned for the job are kept when they are the same
    /// ranges of the same run (a job taken over from a stopped worker keeps the draws computed
    /// so far); otherwise they are replaced. Throws `leaseLost` when the worker no longer holds
    /// the job.
    package func planDrawChunks(_ lease: JobLease, ranges: [Range<Int>], fingerprint: String) throws -> [DrawChunk] {
        try writeRetrying { db in
            try requireJobLease(db, lease)
            let existing = try db.query("SELECT \(Self.chunkColumns) FROM run_draw_chunks WHERE job_id = ? ORDER BY chunk",
                                        [.text(lease.jobID)]).map(Self.drawChunk)
            if existing.map(\.draws) == ranges && existing.allSatisfy({ $0.fingerprint == fingerprint && $0.status != .failed }) {
                return existing
            }
            try db.execute("DELETE FROM run_draw_chunks WHERE job_id = ?", .text(lease.jobID))
            for (index, range) in ranges.enumerated() {
                try db.execute("""
                    INSERT INTO run_draw_chunks (job_id, chunk, first_draw, end_draw, fingerprint, status, attempts)
                    VALUES (?, ?, ?, ?, ?, 'queued', 0)
                    """, .text(lease.jobID), .integer(Int64(index)), .integer(Int64(range.lowerBound)),
                    .integer(Int64(range.upperBound)), .text(fingerprint))
            }
            return ranges.enumerated().map { index, range in
                DrawChunk(jobID: lease.jobID, index: index, draws: range, fingerprint: fingerprint, status: .queued, attempts: 0)
            }
        }
    }

    /// Claims a queued chunk of a running job, or one whose lease expired (its worker stopped),
    /// for `owner` for `leaseSeconds` — of job `jobID` only, when given; nil when there is none.
    /// Chunks go in the order their jobs started, then by index. On PostgreSQL the candidate row
    /// is locked with `FOR UPDATE SKIP LOCKED`; on SQLite the write transaction is exclusive. A
    /// chunk whose lease expired `maxAttempts` times is failed (and with it, its job's run).
    package func claimDrawChunk(owner: String, leaseSeconds: Double, maxAttempts: Int = 3, jobID: String? = nil) throws -> DrawChunk? {
        try writeRetrying { db in
            let now = Self.nowMillisSQL(db.dialect)
            try db.execute("""
                UPDATE run_draw_chunks SET status = 'failed',
                  error = 'abandoned: ' || attempts || ' workers stopped while computing draws ' || first_draw || '..<' || end_draw
                WHERE status = 'running' AND lease_expires_ms < \(now) AND attempts >= ?
                """, .integer(Int64(maxAttempts)))
            let lock = db.dialect == .postgresql ? "FOR UPDATE OF c SKIP LOCKED" : ""
            var arguments: [SQLValue] = [.text(owner), .integer(Int64(leaseSeconds * 1000))]
            if let jobID { arguments.append(.text(jobID)) }
            let rows = try db.query("""
                UPDATE run_draw_chunks SET status = 'running', owner = ?, attempts = attempts + 1, lease_expires_ms = \(now) + ?
                WHERE (job_id, chunk) = (
                  SELECT c.job_id, c.chunk FROM run_draw_chunks c JOIN run_queue q ON q.id = c.job_id
                  WHERE q.status = 'running' \(jobID == nil ? "" : "AND c.job_id = ?")
                    AND (c.status = 'queued' OR (c.status = 'running' AND c.lease_expires_ms < \(now)))
                  ORDER BY q.started_at, c.job_id, c.chunk LIMIT 1 \(lock))
                RETURNING \(Self.chunkColumns)
                """, arguments)
            return rows.first.map(Self.drawChunk)
        }
    }

    /// Extends a chunk lease the worker still holds; false when it lost it.
    package func renewChunkLease(_ lease: ChunkLease, leaseSeconds: Double) throws -> Bool {
        try writeRetrying { db in
            try db.execute("""
                UPDATE run_draw_chunks SET lease_expires_ms = \(Self.nowMillisSQL(db.dialect)) + ?
                WHERE job_id = ? AND chunk = ? AND owner = ? AND status = 'running'
                """, .integer(Int64(leaseSeconds * 1000)), .text(lease.jobID), .integer(Int64(lease.index)), .text(lease.owner)) == 1
        }
    }

    /// Stores a chunk's impacts and marks it done; throws `leaseLost` (writing nothing) when the
    /// worker no longer holds it.
    package func completeDrawChunk(_ lease: ChunkLease, impacts: [UInt8]) throws {
        try finishDrawChunk(lease, status: .done, impacts: .blob(impacts), error: nil)
    }

    /// Marks a chunk failed with the error its draws (or its preparation) gave; throws
    /// `leaseLost` when the worker no longer holds it.
    package func failDrawChunk(_ lease: ChunkLease, error: String) throws {
        try finishDrawChunk(lease, status: .failed, impacts: .null, error: error)
    }

    private func finishDrawChunk(_ lease: ChunkLease, status: DrawChunk.Status, impacts: SQLValue, error: String?) throws {
        try writeRetrying { db in
            let changed = try db.execute("""
                UPDATE run_draw_chunks SET status = ?, impacts = ?, error = ?, lease_expires_ms = NULL
                WHERE job_id = ? AND chunk = ? AND owner = ? AND status = 'running'
                """, .text(status.rawValue), impacts, .text(error), .text(lease.jobID), .integer(Int64(lease.index)), .text(lease.owner))
            guard changed == 1 else {
                throw StoreError(.leaseLost, "draw chunk \(lease.index) of job \(lease.jobID) is no longer leased to \(lease.owner)",
                                 hint: "its lease expired and another worker took it over")
            }
        }
    }

    /// The chunks of a job, in index order (without their impacts).
    package func drawChunks(jobID: String) throws -> [DrawChunk] {
        try read { db in
            try db.query("SELECT \(Self.chunkColumns) FROM run_draw_chunks WHERE job_id = ? ORDER BY chunk", [.text(jobID)])
                .map(Self.drawChunk)
        }
    }

    /// The impacts a done chunk stored, as they were stored; nil when it has none.
    package func drawChunkImpacts(jobID: String, index: Int) throws -> [UInt8]? {
        try read { db in
            try db.queryOne("SELECT impacts FROM run_draw_chunks WHERE job_id = ? AND chunk = ? AND status = 'done'",
                            [.text(jobID), .integer(Int64(index))])?.bytes("impacts")
        }
    }

    /// How many chunks of running jobs wait for a worker.
    package func queuedDrawChunkCount() throws -> Int {
        try read { db in
            try db.queryOne("""
                SELECT COUNT(*) AS n FROM run_draw_chunks c JOIN run_queue q ON q.id = c.job_id
                WHERE q.status = 'running' AND c.status = 'queued'
                """)?.int("n") ?? 0
        }
    }

    /// Throws `leaseLost` unless `lease`'s worker still holds its running job.
    func requireJobLease(_ db: any DatabaseConnection, _ lease: JobLease) throws {
        guard try db.queryOne("SELECT 1 AS held FROM run_queue WHERE id = ? AND lease_owner = ? AND status = 'running'",
                              [.text(lease.jobID), .text(lease.owner)]) != nil else {
            throw StoreError(.leaseLost, "job \(lease.jobID) is no longer leased to \(lease.owner)",
                             hint: "its lease expired and another worker took it over")
        }
    }

    /// Whether `lease`'s worker still holds its running job.
    package func holdsJob(_ lease: JobLease) throws -> Bool {
        try read { db in
            do {
                try requireJobLease(db, lease)
                return true
            } catch let error as StoreError where error.kind == .leaseLost {
                return false
            }
        }
    }

    static func drawChunk(_ row: Row) -> DrawChunk {
        let first = row.int("first_draw") ?? 0
        return DrawChunk(jobID: row.string("job_id") ?? "", index: row.int("chunk") ?? 0,
                         draws: first..<max(first, row.int("end_draw") ?? first), fingerprint: row.string("fingerprint") ?? "",
                         status: DrawChunk.Status(rawValue: row.string("status") ?? "") ?? .failed, attempts: row.int("attempts") ?? 0,
                         owner: row.string("owner"), error: row.string("error"))
    }
}
