/// The run queue as an operator's metrics see it: how many jobs wait, how many leases are live,
/// and the jobs that finished after a point (for run outcomes and durations).
package struct QueueActivity: Sendable, Equatable {
    package var counts: QueueCounts
    /// Running jobs whose lease has not expired (a worker holds them now).
    package var leasesHeld: Int
    /// Finished jobs, oldest first, from `finishedAfter` on (at most the limit asked for).
    package var finished: [RunJob]
}

extension Store {
    /// Counts, live leases and the jobs finished at or after `finishedAfter` (every finished job
    /// when nil, newest `limit` of them), whichever worker process ran them.
    package func queueActivity(finishedAfter: String?, limit: Int = 10_000) throws -> QueueActivity {
        let counts = try queueCounts()
        return try read { db in
            let leases = try db.queryOne("""
                SELECT COUNT(*) AS n FROM run_queue WHERE status = 'running' AND lease_expires_ms >= \(Self.nowMillisSQL(db.dialect))
                """)?.int("n") ?? 0
            let since = db.dialect == .postgresql ? "CAST(? AS TIMESTAMPTZ)" : "?"
            let rows = try db.query("""
                SELECT \(Self.jobColumns)
                FROM run_queue
                WHERE status IN ('succeeded', 'failed') AND finished_at IS NOT NULL
                  AND (CAST(? AS TEXT) IS NULL OR finished_at >= \(since))
                ORDER BY finished_at DESC, id LIMIT ?
                """, [.text(finishedAfter), .text(finishedAfter), .integer(Int64(limit))])
            return QueueActivity(counts: counts, leasesHeld: leases, finished: rows.reversed().map(Self.runJob))
        }
    }
}
