import CascadeJSON
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One `run_log` row (the seed's `calculation_audit_log`): when a run started and ended, how it
/// ended, what it counted, and why it failed.
///
/// A row never stays `running` after its run stopped: a run that was interrupted (its process
/// killed, its worker's lease lost) is marked `abandoned`, with the time it was noticed as its
/// end, the next time the store looks (`runs`, `startRun`, `claimJob`).
package struct RunRecord: Sendable, Equatable {
    package enum Status: String, Sendable {
        case running, succeeded, failed, abandoned
    }

    package var id: String
    package var scenarioID: String?
    package var startedAt: String
    package var finishedAt: String?
    package var status: Status
    package var counts: JSONValue?
    package var inputs: JSONValue?
    package var error: String?
    /// The process that started the run, and its host.
    package var processID: Int?
    package var host: String?
}

/// The process a run belongs to: its id and host name.
package struct RunProcess: Sendable, Equatable {
    package var id: Int
    package var host: String

    package init(id: Int, host: String) {
        self.id = id
        self.host = host
    }

    /// This process.
    package static let current = RunProcess(id: Int(getpid()), host: hostName())

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether the process still exists (a process we may not signal exists too).
    var isAlive: Bool {
        guard id > 0, id <= Int(Int32.max) else { return false }
        return kill(pid_t(id), 0) == 0 || errno == EPERM
    }
}

extension Store {
    /// Records the start of a run; returns its id. `inputs` names what the run reads (formula
    /// versions, coefficient rows) so it can be reproduced.
    /// `jobID` names the queue job the run works for, if any; `process` the process running it
    /// (this one unless a supervisor records a run for another). Runs found interrupted are
    /// marked `abandoned` in the same transaction.
    package func startRun(scenarioID: String? = nil, inputs: JSONValue? = nil, jobID: String? = nil,
                         process: RunProcess = .current) throws -> String {
        let id = UUID().uuidString.lowercased()
        try writeRetrying { db in
            try db.execute("""
                INSERT INTO run_log (id, scenario_id, started_at, status, inputs, job_id, process_id, host)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                .text(id), .text(scenarioID), .text(now()), .text(RunRecord.Status.running.rawValue),
                .json(inputs.map { $0.serialized(sortedKeys: true) }), .text(jobID), .integer(Int64(process.id)), .text(process.host))
            try markAbandonedRuns(db)
        }
        return id
    }

    /// Marks `abandoned` (ended now) every `running` row whose run can no longer finish:
    /// - its queue job is no longer leased (finished, or its lease expired), or a later run of
    ///   the same job has started (another worker took the job over);
    /// - its process, on this host, is gone (`kill -9`, a crash). A process on another host is
    ///   judged by its job's lease alone.
    /// - Complexity: one query over the rows still `running` (indexed), plus one `kill(pid, 0)`
    ///   per running row of this host.
    func markAbandonedRuns(_ db: any DatabaseConnection) throws {
        let now = Self.nowMillisSQL(db.dialect)
        try db.execute("""
            UPDATE run_log SET status = 'abandoned', finished_at = ?,
              error = 'abandoned: its queue job is no longer leased to the worker that started it'
            WHERE status = 'running' AND job_id IS NOT NULL AND (
              NOT EXISTS (SELECT 1 FROM run_queue q WHERE q.id = run_log.job_id AND q.status = 'running' AND q.lease_expires_ms >= \(now))
              OR EXISTS (SELECT 1 FROM run_log later WHERE later.job_id = run_log.job_id AND later.started_at > run_log.started_at))
            """, .text(self.now()))
        let this = RunProcess.current
        let candidates = try db.query("""
            SELECT id, process_id FROM run_log
            WHERE status = 'running' AND host = ? AND process_id IS NOT NULL AND process_id <> ?
            """, [.text(this.host), .integer(Int64(this.id))])
        for row in candidates {
            guard let id = row.string("id"), let pid = row.int("process_id") else { continue }
            let process = RunProcess(id: pid, host: this.host)
            if process.isAlive { continue }
            try db.execute("""
                UPDATE run_log SET status = 'abandoned', finished_at = ?, error = ? WHERE id = ? AND status = 'running'
                """, .text(self.now()), .text("abandoned: process \(pid) on \(this.host) ended without finishing the run"), .text(id))
        }
    }

    /// Records how a run ended.
    package func finishRun(_ id: String, status: RunRecord.Status, counts: JSONValue? = nil, error: String? = nil) throws {
        try write { db in try finishRun(db, id, status: status, counts: counts, error: error) }
    }

    func finishRun(_ db: any DatabaseConnection, _ id: String, status: RunRecord.Status, counts: JSONValue?, error: String?) throws {
        let changed = try db.execute("UPDATE run_log SET finished_at = ?, status = ?, counts = ?, error = ? WHERE id = ?",
                                     .text(now()), .text(status.rawValue), .json(counts.map { $0.serialized(sortedKeys: true) }),
                                     .text(error), .text(id))
        guard changed == 1 else { throw StoreError(.notFound, "no run `\(id)` in the run log") }
    }

    /// Runs, newest first; interrupted ones are marked `abandoned` first, so none is listed as
    /// `running` after its run stopped.
    package func runs(limit: Int = 100) throws -> [RunRecord] {
        try writeRetrying { db in try markAbandonedRuns(db) }
        return try read { db in
            try db.query("SELECT id, scenario_id, started_at, finished_at, status, CAST(counts AS TEXT) AS counts, CAST(inputs AS TEXT) AS inputs, error, process_id, host FROM run_log ORDER BY started_at DESC, id LIMIT ?",
                         [.integer(Int64(limit))]).map { row in
                RunRecord(id: row.string("id") ?? "", scenarioID: row.string("scenario_id"), startedAt: row.timestamp("started_at") ?? "",
                          finishedAt: row.timestamp("finished_at"), status: RunRecord.Status(rawValue: row.string("status") ?? "") ?? .failed,
                          counts: row.string("counts").flatMap { try? JSONValue.parse($0) },
                          inputs: row.string("inputs").flatMap { try? JSONValue.parse($0) }, error: row.string("error"),
                          processID: row.int("process_id"), host: row.string("host"))
            }
        }
    }
}
