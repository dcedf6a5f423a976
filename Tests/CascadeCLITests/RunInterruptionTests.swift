import CascadeJSON
import CascadeStore
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("An interrupted run is abandoned, not running forever (end to end)")
struct RunInterruptionTests {
    /// A ring of 2 000 entities on one level, each passing on 0.999 of the last through a formula:
    /// it does not converge within 10 000 rounds, so a run would take a minute or more (60 M formula
    /// evaluations in a debug build) — far longer than the few milliseconds between seeing its
    /// `running` row and killing it, however loaded the machine. It is killed, so that time is never spent.
    static func slowWorld() -> String {
        let n = 2_000
        var entities = [#"{"id": "oil", "type": "MACRO", "name": "Oil Price", "category": "COMMODITY", "ontology_level": 0, "metadata": {"variable": "oil_price", "unit": "index", "current_value": 75}}"#]
        var relationships = [#"{"id": "rel-oil", "source_entity_id": "oil", "target_entity_id": "r0000", "type": "IMPACTS", "weight": 1, "impact_formula": "return source.delta / 100;"}"#]
        for k in 0..<n {
            let id = String(format: "r%04d", k), next = String(format: "r%04d", (k + 1) % n)
            entities.append(#"{"id": "\#(id)", "type": "COMPANY", "name": "\#(id)", "category": "ENERGY", "ontology_level": 2, "metadata": {}}"#)
            relationships.append(#"{"id": "rel-\#(id)", "source_entity_id": "\#(id)", "target_entity_id": "\#(next)", "type": "SUPPLIES", "weight": 1, "impact_formula": "return source.impact * 0.999;"}"#)
        }
        return #"{"entities": [\#(entities.joined(separator: ",\n"))], "relationships": [\#(relationships.joined(separator: ",\n"))]}"#
    }

    @Test(arguments: CLIBackend.available)
    func killingCascadeRunMidRunLeavesAnAbandonedRow(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        try #require(try StoreCLI.run(["init", "--db", db], in: dir).status == 0)
        let world = try StoreCLI.write(Self.slowWorld(), to: "ring.json", in: dir)
        let imported = try StoreCLI.run(["import", world, "--db", db], in: dir)
        try #require(imported.status == 0, "\(imported.stderr)")
        let scenario = try StoreCLI.write(#"""
            {"name": "slow", "author": "analyst", "macro_variables": {"oil_price": 80}, "as_of": "2025-06-30",
             "level_settings": {"2": {"max_cycle_rounds": 10000, "tolerance": 1e-15}}, "feedback_rounds": 2}
            """#, to: "slow.json", in: dir)

        let process = Process()
        process.executableURL = StoreCLI.binary
        process.arguments = ["run", scenario, "--db", db]
        process.currentDirectoryURL = dir
        var env = ProcessInfo.processInfo.environment
        env["CASCADE_DB"] = nil
        process.environment = env
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: try StoreCLI.write("", to: "run.out", in: dir)))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: try StoreCLI.write("", to: "run.err", in: dir)))
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        // Wait (a 60 s safety net, not a guess) until the run is logged as running, then kill -9.
        let store = try Store(StoreLocation(db))
        let deadline = ContinuousClock.now + .seconds(60)
        var seen: [RunRecord] = []
        while ContinuousClock.now < deadline && process.isRunning {
            seen = try store.runs()
            if seen.contains(where: { $0.status == .running }) { break }
            usleep(5_000)
        }
        try #require(seen.contains { $0.status == .running },
                     "never saw a running row (process running: \(process.isRunning)); rows: \(seen.map { "\($0.status)" })")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the run finished before it was killed")

        let runs = try store.runs()
        let run = try #require(runs.first)
        #expect(run.status == .abandoned, "the killed run is still \(run.status)")
        #expect(run.finishedAt != nil)
        #expect(run.error?.contains("process \(process.processIdentifier)") == true, "\(run.error ?? "")")
    }
}
