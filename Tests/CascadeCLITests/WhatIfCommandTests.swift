import CascadeJSON
import CascadeStore
import CascadeTestSupport
import Foundation
import Testing

/// `cascade whatif`: a base scenario with changes, run as an ordinary (cached) scenario and
/// compared with the base; sessions that keep the changes and an impact summary per run.
@Suite("cascade whatif: change a scenario, see what moves, keep a session (end to end)")
struct WhatIfCommandTests {
    static func scenarioCount(_ db: String) throws -> Int {
        try Store(StoreLocation(db)).scenarios().count
    }

    @Test(arguments: CLIBackend.available)
    func aWhatIfRunsTheModifiedScenarioAndDiffsItAgainstTheBase(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.sampleStore(backend)
        defer { cleanup() }
        let file = StoreCLI.packageRoot.appendingPathComponent("Scenarios/rates-up-25bp.json").path
        let base = try StoreCLI.run(["run", file, "--db", db, "--json"], in: dir)
        try #require(base.status == 0, "\(base.stderr)")
        let baseID = try #require(base.json?["scenario_id"]?.stringValue)

        let arguments = ["whatif", baseID, "--set", "fed_funds_rate=0.06", "--shock", "co-nvidia=-0.1", "--level", "3.damping=0.5",
                         "--db", db, "--json"]
        let first = try StoreCLI.run(arguments, in: dir)
        try #require(first.status == 0, "\(first.stderr)")
        let modifiedID = try #require(first.json?["scenario_id"]?.stringValue)
        #expect(modifiedID != baseID)
        #expect(first.json?["cached"] == .bool(false))
        #expect(first.json?["base_scenario_id"] == .string(baseID))
        #expect(first.json?["changes"] == (try JSONValue.parse(#"{"set": {"fed_funds_rate": 0.06}, "shocks": {"co-nvidia": -0.1}, "levels": {"3": {"damping": 0.5}}}"#)))
        let inputs = first.json?["inputs"]?.arrayValue ?? []
        #expect(inputs.contains { $0["key"] == .string("macro:fed_funds_rate") && $0["a"] == .number(0.055) && $0["b"] == .number(0.06) })
        #expect(inputs.contains { $0["key"] == .string("shock:co-nvidia") && $0["a"] == .null && $0["b"] == .number(-0.1) })
        #expect((first.json?["entities"]?.arrayValue ?? []).contains { $0["id"] == .string("co-nvidia") })

        // The same what-if again: the stored modified scenario and its cached result.
        let again = try StoreCLI.run(arguments, in: dir)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.json?["scenario_id"] == .string(modifiedID))
        #expect(again.json?["cached"] == .bool(true))
        #expect(again.json?["entities"] == first.json?["entities"])

        // The readable form: the changes, then the diff table.
        let table = try StoreCLI.run(["whatif", "Rates Up 0.25%", "--set", "fed_funds_rate=6%", "--db", db], in: dir)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("what-if: fed_funds_rate=6%"), "\(table.stdout)")
        #expect(table.stdout.contains("macro:fed_funds_rate  Fed Funds Rate: 0.055 → 0.06"), "\(table.stdout)")
    }

    /// Each mistake is refused with what, where and a hint, and nothing is stored.
    @Test(arguments: CLIBackend.available)
    func aBadChangeIsRefusedAndNothingIsStored(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.sampleStore(backend)
        defer { cleanup() }
        let file = StoreCLI.packageRoot.appendingPathComponent("Scenarios/rates-up-25bp.json").path
        try #require(try StoreCLI.run(["scenario", "submit", file, "--db", db], in: dir).status == 0)
        let before = try Self.scenarioCount(db)
        let cases: [(arguments: [String], says: [String])] = [
            (["--set", "fed_funds_rate"], ["`--set fed_funds_rate`: no `=`", "--set VARIABLE=VALUE"]),
            (["--set", "fed_funds_rate=fast"], ["`--set fed_funds_rate=fast`: `fast` is not a number"]),
            (["--level", "12.damping=0.5"], ["`--level 12.damping=0.5`", "level from 0 to 9"]),
            (["--set", "fed_fund_rate=0.03"], ["$.macro_variables.fed_fund_rate", "did you mean `fed_funds_rate`"]),
            (["--set", "fed_funds_rate=3"], ["$.macro_variables.fed_funds_rate", "did you mean 0.03"]),
            (["--shock", "co-nvidiaa=-0.1"], [#"$.entity_shocks["co-nvidiaa"]"#, "did you mean `co-nvidia`"]),
            (["--level", "3.dampin=0.5"], [#"$.level_settings["3"].dampin"#, "unknown level setting"]),
            ([], ["a what-if needs at least one change"]),
        ]
        for (arguments, says) in cases {
            let result = try StoreCLI.run(["whatif", "Rates Up 0.25%"] + arguments + ["--save", "bad", "--db", db], in: dir)
            #expect(result.status != 0, "\(arguments)")
            for text in says { #expect(result.stderr.contains(text), "\(arguments): \(result.stderr)") }
            #expect(!result.stderr.contains("unknown subcommand"), "\(arguments): \(result.stderr)")
        }
        #expect(try Self.scenarioCount(db) == before)
        let sessions = try StoreCLI.run(["whatif", "list", "--db", db, "--json"], in: dir)
        #expect(sessions.json == .array([]), "\(sessions.stdout)")
    }

    /// A saved session: each change re-runs and appends an impact summary; complete and cancel
    /// close it; every write is audited.
    @Test(arguments: CLIBackend.available)
    func aSessionKeepsItsChangesAndTheirImpactSummaries(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.sampleStore(backend)
        defer { cleanup() }
        let file = StoreCLI.packageRoot.appendingPathComponent("Scenarios/rates-up-25bp.json").path
        try #require(try StoreCLI.run(["scenario", "submit", file, "--db", db], in: dir).status == 0)

        let saved = try StoreCLI.run(["whatif", "Rates Up 0.25%", "--set", "fed_funds_rate=0.06", "--save", "smaller hike", "--db", db, "--json"], in: dir)
        try #require(saved.status == 0, "\(saved.stderr)")
        let id = try #require(saved.json?["session"]?["id"]?.stringValue)
        #expect(saved.json?["session"]?["status"] == .string("active"))

        let taken = try StoreCLI.run(["whatif", "Rates Up 0.25%", "--set", "fed_funds_rate=0.07", "--save", "smaller hike", "--db", db], in: dir)
        #expect(taken.status != 0)
        #expect(taken.stderr.contains("already has a what-if session named `smaller hike`"), "\(taken.stderr)")

        let added = try StoreCLI.run(["whatif", "add", "smaller hike", "--shock", "co-nvidia=-0.1", "--db", db, "--json"], in: dir)
        try #require(added.status == 0, "\(added.stderr)")
        #expect(added.json?["changes"] == (try JSONValue.parse(#"{"set": {"fed_funds_rate": 0.06}, "shocks": {"co-nvidia": -0.1}}"#)))

        let shown = try StoreCLI.run(["whatif", "show", String(id.prefix(8)), "--db", db, "--json"], in: dir)
        #expect(shown.status == 0, "\(shown.stderr)")
        let history = shown.json?["history"]?.arrayValue ?? []
        #expect(history.count == 2)
        #expect(history.first?["changes"] == (try JSONValue.parse(#"{"set": {"fed_funds_rate": 0.06}}"#)))
        #expect(history.last?["scenario_id"] == added.json?["scenario_id"])
        #expect(shown.json?["scenario_id"] == added.json?["scenario_id"])
        let text = try StoreCLI.run(["whatif", "show", "smaller hike", "--db", db], in: dir)
        #expect(text.stdout.contains("[active]") && text.stdout.contains("2. fed_funds_rate=0.06, shock co-nvidia=-0.1"), "\(text.stdout)")

        let completed = try StoreCLI.run(["whatif", "complete", "smaller hike", "--db", db], in: dir)
        #expect(completed.status == 0, "\(completed.stderr)")
        #expect(completed.stdout.contains("is completed"))
        let closed = try StoreCLI.run(["whatif", "add", "smaller hike", "--set", "fed_funds_rate=0.05", "--db", db], in: dir)
        #expect(closed.status != 0)
        #expect(closed.stderr.contains("is completed; only an active session changes"), "\(closed.stderr)")
        let cancelled = try StoreCLI.run(["whatif", "cancel", "smaller hike", "--db", db], in: dir)
        #expect(cancelled.status != 0)

        let list = try StoreCLI.run(["whatif", "list", "--db", db], in: dir)
        #expect(list.stdout.contains("smaller hike") && list.stdout.contains("completed"), "\(list.stdout)")
        let audited = try Store(StoreLocation(db)).auditLog(table: "whatif_sessions").map(\.action)
        #expect(audited == ["create", "update", "update"])
    }
}
