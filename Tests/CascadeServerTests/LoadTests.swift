@testable import CascadeServer
import CascadeJSON
import CascadeStore
import CascadeTestSupport
import Foundation
import Testing

@Suite("Load")
struct LoadTests {
    /// A smoke version of the load test: 50 concurrent clients submit and run scenarios for 5 s
    /// (`CASCADE_LOAD_SECONDS` sets another length) against a real server on loopback — on
    /// PostgreSQL with two `cascade worker` processes when the test command started one, else on
    /// SQLite with the in-process worker. Zero errors and zero lost submissions are required; the
    /// figures (requests/s, latency percentiles) are printed, not asserted. It is short so that it
    /// does not starve the rest of the suite of the machine's cores for half a minute; the 30 s
    /// run with release builds is `scripts/load-test.sh`.
    @Test func fiftyClientsLoseNothing() async throws {
        let backend: Backend = Backend.postgresURL != nil ? .postgresql : .sqlite
        let (location, db, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let users = (0..<50).map { ("load\($0)", UserRole.author) }
        let keys = try issueKeys(location, users)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cascade-load-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let keyFile = dir.appendingPathComponent("keys.txt")
        try users.map { "\($0.0) \(keys[$0.0]!)" }.joined(separator: "\n").write(to: keyFile, atomically: true, encoding: .utf8)

        let server = try await TestServer.start(location) { options in
            options.rateLimitPerMinute = 0
            options.connections = 16
            options.workers = backend == .sqlite ? 1 : 0
        }
        var workers: [Process] = []
        if backend == .postgresql {
            for i in 0..<2 {
                let worker = Process()
                worker.executableURL = Cascade.binary
                worker.arguments = ["worker", "--db", db, "--name", "load-worker-\(i)", "--poll", "0.02"]
                worker.standardOutput = FileHandle.nullDevice
                worker.standardError = FileHandle.nullDevice
                try worker.run()
                workers.append(worker)
            }
        }
        defer { for worker in workers { kill(worker.processIdentifier, SIGKILL); worker.waitUntilExit() } }

        let seconds = ProcessInfo.processInfo.environment["CASCADE_LOAD_SECONDS"] ?? "5"
        // Waited for on a thread of its own, not the cooperative pool's, which the server needs.
        let result = try await PackageExecutables.runOnOwnThread(
            Cascade.executable("cascade-load"), ["--url", server.base, "--keys", keyFile.path, "--clients", "50", "--seconds", seconds, "--json"],
            in: dir, environment: ["CASCADE_FORMULAS": Cascade.packageRoot.appendingPathComponent("Formulas").path])
        await server.stop()
        FileHandle.standardError.write(Data("load test (\(backend.rawValue), debug build): \(result.stdout)\(result.stderr)\n".utf8))
        let report = try #require(try? JSONValue.parse(result.stdout), "cascade-load printed no report: \(result.stderr)")
        #expect(report["errors"] == .number(0), "\(report["error_samples"]?.serialized() ?? "")")
        #expect(report["lost"] == .number(0))
        #expect((report["submitted"]?.numberValue ?? 0) > 0)
        #expect(result.status == 0)
    }
}
