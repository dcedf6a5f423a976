import CascadeJSON
import Foundation

/// One `run_log` row (the seed's `calculation_audit_log`): when a run started and ended, how it
/// ended, what it counted, and why it failed.
public struct RunRecord: Sendable, Equatable {
    public enum Status: String, Sendable {
        case running, succeeded, failed
    }

    public var id: String
    public var scenarioID: String?
    public var startedAt: String
    public var finishedAt: String?
    public var status: Status
    public var counts: JSONValue?
    public var inputs: JSONValue?
    public var error: String?
}

extension Store {
    /// Records the start of a run; returns its id. `inputs` names what the run reads (formula
    /// versions, coefficient rows) so it can be reproduced.
    /// `jobID` names the queue job the run works for, if any.
    public func startRun(scenarioID: String? = nil, inputs: JSONValue? = nil, jobID: String? = nil) throws -> String {
        let id = UUID().uuidString.lowercased()
        try write { db in
            try db.execute("INSERT INTO run_log (id, scenario_id, started_at, status, inputs, job_id) VALUES (?, ?, ?, ?, ?, ?)",
                           .text(id), .text(scenarioID), .text(now()), .text(RunRecord.Status.running.rawValue),
                           .json(inputs.map { $0.serialized(sortedKeys: true) }), .text(jobID))
        }
        return id
    }

    /// Records how a run ended.
    public func finishRun(_ id: String, status: RunRecord.Status, counts: JSONValue? = nil, error: String? = nil) throws {
        try write { db in try finishRun(db, id, status: status, counts: counts, error: error) }
    }

    func finishRun(_ db: any DatabaseConnection, _ id: String, status: RunRecord.Status, counts: JSONValue?, error: String?) throws {
        let changed = try db.execute("UPDATE run_log SET finished_at = ?, status = ?, counts = ?, error = ? WHERE id = ?",
                                     .text(now()), .text(status.rawValue), .json(counts.map { $0.serialized(sortedKeys: true) }),
                                     .text(error), .text(id))
        guard changed == 1 else { throw StoreError(.notFound, "no run `\(id)` in the run log") }
    }

    /// Runs, newest first.
    public func runs(limit: Int = 100) throws -> [RunRecord] {
        try read { db in
            try db.query("SELECT id, scenario_id, started_at, finished_at, status, CAST(counts AS TEXT) AS counts, CAST(inputs AS TEXT) AS inputs, error FROM run_log ORDER BY started_at DESC, id LIMIT ?",
                         [.integer(Int64(limit))]).map { row in
                RunRecord(id: row.string("id") ?? "", scenarioID: row.string("scenario_id"), startedAt: row.timestamp("started_at") ?? "",
                          finishedAt: row.timestamp("finished_at"), status: RunRecord.Status(rawValue: row.string("status") ?? "") ?? .failed,
                          counts: row.string("counts").flatMap { try? JSONValue.parse($0) },
                          inputs: row.string("inputs").flatMap { try? JSONValue.parse($0) }, error: row.string("error"))
            }
        }
    }
}
