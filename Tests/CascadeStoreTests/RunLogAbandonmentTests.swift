@testable import CascadeStore
import CascadeJSON
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `run_log` never lies: a run whose process was killed, or whose queue job is no longer leased,
/// is `abandoned` (with an end time) the next time the store looks.
@Suite("Abandoned runs (both backends)")
struct RunLogAbandonmentTests {
    /// A clock that moves one millisecond per reading (timestamps order the runs of a job).
    static func ticking() -> @Sendable () -> Date {
        let ticks = Locked(0.0)
        return { Date(timeIntervalSince1970: 1_767_225_600 + ticks.withLock { $0 += 0.001; return $0 }) }
    }

    @Test(arguments: TestBackend.available)
    func aRunWhoseProcessWasKilledIsAbandoned(_ backend: TestBackend) throws {
        try backend.withStore(clock: Self.ticking()) { store in
            // A real process stands in for `cascade run`; the run is recorded as its own.
            let child = Process()
            child.executableURL = URL(fileURLWithPath: "/bin/sleep")
            child.arguments = ["600"]
            try child.run()
            defer { if child.isRunning { child.terminate() } }
            let id = try store.startRun(process: RunProcess(id: Int(child.processIdentifier), host: RunProcess.current.host))
            let mine = try store.startRun()  // this process: alive, so it stays running

            #expect(try store.runs().first { $0.id == id }?.status == .running)
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()  // reaped: the pid is gone

            let runs = try store.runs()
            let run = try #require(runs.first { $0.id == id })
            #expect(run.status == .abandoned)
            #expect(run.finishedAt != nil)
            #expect(run.error?.contains("process \(child.processIdentifier)") == true, "\(run.error ?? "")")
            #expect(runs.first { $0.id == mine }?.status == .running)
            // A run on another host is not judged by a pid this host cannot see.
            let elsewhere = try store.startRun(process: RunProcess(id: Int(child.processIdentifier), host: "another-host"))
            #expect(try store.runs().first { $0.id == elsewhere }?.status == .running)
        }
    }

    @Test(arguments: TestBackend.available)
    func aRunWhoseJobIsNoLongerLeasedIsAbandoned(_ backend: TestBackend) throws {
        try backend.withStore(clock: Self.ticking()) { store in
            let scenario = try store.insertScenario(name: "s", description: nil, author: "tester", asOf: "2025-06-30", isPublic: false,
                                                    document: .object(JSONObject([("name", .string("s"))])))
            // Leased and running: the run stays `running`.
            _ = try store.enqueueRun(scenarioID: scenario, requestedBy: "tester", force: false)
            let job = try #require(try store.claimJob(owner: "w1", leaseSeconds: 600))
            let run = try store.startRun(scenarioID: scenario, jobID: job.id)
            #expect(try store.runs().first { $0.id == run }?.status == .running)

            // The worker's job ended without it finishing the run (here: failed by someone else).
            try store.finishJob(JobLease(jobID: job.id, owner: "w1"), status: .failed, error: "stopped")
            let record = try #require(try store.runs().first { $0.id == run })
            #expect(record.status == .abandoned)
            #expect(record.finishedAt != nil)
            #expect(record.error?.contains("no longer leased") == true, "\(record.error ?? "")")
        }
    }

    @Test(arguments: TestBackend.available)
    func aRunWhoseJobAnotherWorkerTookOverIsAbandonedWhenItClaims(_ backend: TestBackend) throws {
        try backend.withStore(clock: Self.ticking()) { store in
            let scenario = try store.insertScenario(name: "s", description: nil, author: "tester", asOf: "2025-06-30", isPublic: false,
                                                    document: .object(JSONObject([("name", .string("s"))])))
            _ = try store.enqueueRun(scenarioID: scenario, requestedBy: "tester", force: false)
            let job = try #require(try store.claimJob(owner: "w1", leaseSeconds: 600))
            let first = try store.startRun(scenarioID: scenario, jobID: job.id)
            #expect(try store.runs().first { $0.id == first }?.status == .running)
            // w1 stops renewing its lease: let it run out, and w2 claims the job.
            try store.write { db in try db.execute("UPDATE run_queue SET lease_expires_ms = 0 WHERE id = ?", .text(job.id)) }
            let second = try #require(try store.claimJob(owner: "w2", leaseSeconds: 600))
            #expect(second.id == job.id)
            let status = try store.read { db in
                try db.queryOne("SELECT status FROM run_log WHERE id = ?", [.text(first)])?.string("status")
            }
            #expect(status == "abandoned", "the claim did not mark the old run")
            let rerun = try store.startRun(scenarioID: scenario, jobID: job.id)
            #expect(try store.runs().first { $0.id == rerun }?.status == .running)
        }
    }
}
