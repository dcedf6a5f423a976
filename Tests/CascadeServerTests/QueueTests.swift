@testable import CascadeServer
import CascadeEngine
import CascadeJSON
import CascadeStore
import Foundation
import Testing

@Suite("Row-level security and workers", .serialized)
struct QueueTests {
    /// Even raw SQL run as the API's role under an author's per-transaction setting cannot touch
    /// another author's scenario, nor read a private one.
    @Test func rowLevelSecurityHoldsForRawSQL() throws {
        guard Backend.postgresURL != nil else { return }
        let (location, _, cleanup) = try Backend.postgresql.freshStore()
        defer { cleanup() }
        let service = ScenarioService(store: try Store(location))
        let (publicID, _) = try service.submit(try JSONValue.parse(scenarioJSON(name: "public", author: "alice")), today: "2025-06-30")
        let (privateID, _) = try service.submit(try JSONValue.parse(scenarioJSON(name: "private", author: "alice", isPublic: false)),
                                                today: "2025-06-30")
        let raw = try Store(location)
        func asUser<T>(_ user: String, _ body: (any DatabaseConnection) throws -> T) throws -> T {
            try raw.write { db in
                try db.execute("SET LOCAL ROLE \(Migration.applicationRole)")
                _ = try db.query("SELECT set_config('cascade.user', ?, true)", .text(user))
                return try body(db)
            }
        }
        let hijack = "UPDATE scenarios SET name = 'hijacked', author = 'bob' WHERE id = ?"
        #expect(try asUser("bob") { try $0.execute(hijack, .text(publicID)) } == 0)
        #expect(try asUser("bob") { try $0.execute("UPDATE scenarios SET is_public = TRUE WHERE id = ?", .text(privateID)) } == 0)
        #expect(try asUser("bob") { try $0.execute("DELETE FROM scenarios WHERE author = 'alice'") } == 0)
        #expect(try asUser("bob") { try $0.query("SELECT id FROM scenarios").compactMap { $0.string("id") } } == [publicID])
        #expect(throws: StoreError.self) {
            try asUser("bob") { db in
                try db.execute("INSERT INTO scenarios (id, name, author, macro_variables) VALUES (gen_random_uuid(), 'forged', 'alice', '{}')")
            }
        }
        // Without the setting nothing is writable at all.
        #expect(try raw.write { db in
            try db.execute("SET LOCAL ROLE \(Migration.applicationRole)")
            return try db.execute("UPDATE scenarios SET name = 'x'")
        } == 0)
        // The author can; and everything above left the rows as they were.
        #expect(try asUser("alice") { try $0.execute("UPDATE scenarios SET description = 'edited' WHERE id = ?", .text(publicID)) } == 1)
        let stored = try #require(try raw.scenario(publicID))
        #expect(stored.name == "public" && stored.author == "alice")
        #expect(try raw.scenario(privateID)?.isPublic == false)
        #expect(try raw.scenarios().count == 2)
    }

    /// Two `cascade worker` processes drain the queue; one is killed with SIGKILL while it holds a
    /// run. Every run completes, exactly once: its lease expires, the other worker takes it over.
    @Test(arguments: Backend.available) func twoWorkersAndAKillCompleteEveryRunOnce(_ backend: Backend) throws {
        let (location, db, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let store = try Store(location, actor: "test")
        let service = ScenarioService(store: store)
        var jobs: [String] = []
        for i in 0..<24 {
            let (id, _) = try service.submit(try JSONValue.parse(scenarioJSON(name: "queued \(i)", author: "alice", rate: 0.01 + Double(i) / 1000)),
                                             today: "2025-06-30")
            jobs.append(try store.enqueueRun(scenarioID: id, requestedBy: "alice", force: true).job.id)
        }
        let dir = FileManager.default.temporaryDirectory
        func startWorker(_ name: String) throws -> Process {
            let process = Process()
            process.executableURL = Cascade.binary
            process.arguments = ["worker", "--db", db, "--name", name, "--lease", "2", "--poll", "0.05"]
            process.currentDirectoryURL = dir
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        let b = try startWorker("worker-b")
        defer { if b.isRunning { kill(b.processIdentifier, SIGKILL); b.waitUntilExit() } }

        // Kill worker A at a moment it holds a run (retrying with a fresh A if it finished first).
        var killedJob: String?
        for attempt in 0..<10 where killedJob == nil {
            let a = try startWorker("worker-a\(attempt)")
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                if try store.job(ofOwner: "worker-a\(attempt)") != nil { break }
                usleep(2_000)
            }
            kill(a.processIdentifier, SIGKILL)
            a.waitUntilExit()
            if let held = try store.job(ofOwner: "worker-a\(attempt)") { killedJob = held.id }
        }
        let killed = try #require(killedJob, "worker A never held a run when it was killed")

        let deadline = Date().addingTimeInterval(240)
        while Date() < deadline, try jobs.contains(where: { try store.job($0)?.isFinished != true }) {
            usleep(50_000)
        }
        for id in jobs {
            let job = try #require(try store.job(id))
            #expect(job.status == .succeeded, "job \(id): \(job.status) \(job.error ?? "")")
            let completions = try store.read { db in
                try db.query("SELECT status FROM run_log WHERE job_id = ?", [.text(id)]).compactMap { $0.string("status") }
            }
            #expect(completions.filter { $0 == "succeeded" }.count == 1, "job \(id) completed \(completions)")
            #expect(try store.scenario(job.scenarioID)?.resultFingerprint != nil)
        }
        let takenOver = try #require(try store.job(killed))
        #expect(takenOver.attempts >= 2, "the killed worker's run was not claimed again")
    }
}
