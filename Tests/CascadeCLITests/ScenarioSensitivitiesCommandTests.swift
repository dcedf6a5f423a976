import CascadeFormula
import CascadeJSON
import CascadeTestSupport
import Foundation
import Testing

/// `--sensitivities` and `cascade scenario sensitivities`: the exact derivatives through the store,
/// the cache and the CLI (SQLite, and PostgreSQL when the test command started one).
@Suite("cascade run --sensitivities, cascade scenario sensitivities (end to end)")
struct ScenarioSensitivitiesCommandTests {
    @Test(arguments: CLIBackend.available)
    func sensitivitiesAreComputedCachedAndPrinted(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.sampleStore(backend)
        defer { cleanup() }
        let file = StoreCLI.packageRoot.appendingPathComponent("Scenarios/fed-rate-cut-2025.json").path

        // A plain run is cached without sensitivities, and does not answer a run that asks for them.
        let plain = try StoreCLI.run(["run", file, "--db", db, "--json"], in: dir)
        try #require(plain.status == 0, "\(plain.stderr)")
        #expect(plain.json?["sensitivity_keys"] == nil)
        let ran = try StoreCLI.run(["run", file, "--db", db, "--json", "--sensitivities"], in: dir)
        try #require(ran.status == 0, "\(ran.stderr)")
        #expect(ran.json?["cached"] == .bool(false))
        #expect(ran.json?["fingerprint"] != plain.json?["fingerprint"])
        // The variables the scenario writes, and those it leaves at their baseline (ai_capex).
        let keys = ran.json?["sensitivity_keys"]?.arrayValue ?? []
        #expect(["macro:ai_capex", "macro:fed_funds_rate", "macro:us_cpi", "macro:us_gdp_growth"].allSatisfy { keys.contains(.string($0)) },
                "\(keys)")
        let entities = ran.json?["entities"]?.arrayValue ?? []
        let realEstate = try #require(entities.first { $0["id"] == .string("sec-realestate") })
        let fed = try #require(realEstate["sensitivities"]?["macro:fed_funds_rate"]?.numberValue)
        #expect(fed < 0)
        #expect(realEstate["sensitivities_undefined"] == .array([]))
        let plainEntities = plain.json?["entities"]?.arrayValue ?? []
        #expect(entities.map { $0["impact"] } == plainEntities.map { $0["impact"] }, "the values are the plain run's")
        #expect(ran.json?["stats"]?["timings_ms"]?["sensitivities"]?.numberValue != nil)
        #expect(ran.json?["stats"]?["cpu_timings_ms"]?["sensitivities"]?.numberValue != nil, "the phase's CPU time, which load does not inflate")

        // Asked again: the cached result has them.
        let again = try StoreCLI.run(["scenario", "run", "Fed Rate Cut 2025", "--db", db, "--json", "--sensitivities"], in: dir)
        #expect(again.json?["cached"] == .bool(true), "\(again.stderr)")
        #expect(again.json?["entities"]?.arrayValue?.first { $0["id"] == .string("sec-realestate") }?["sensitivities"] == realEstate["sensitivities"])

        // The summary's largest sensitivities, per +1 pp of the rate.
        let summary = try StoreCLI.run(["scenario", "run", "Fed Rate Cut 2025", "--db", db, "--sensitivities"], in: dir)
        #expect(summary.stdout.contains("Largest sensitivities by level"), "\(summary.stdout)")
        #expect(summary.stdout.contains(" per +1 "), "\(summary.stdout)")

        // The command: JSON for one entity, CSV readable back, a table.
        let json = try StoreCLI.run(["scenario", "sensitivities", "Fed Rate Cut 2025", "--entity", "Real Estate", "--db", db, "--json"], in: dir)
        try #require(json.status == 0, "\(json.stderr)")
        #expect(json.json?["entities"]?.arrayValue?.count == 1)
        #expect(json.json?["entities"]?.arrayValue?.first?["sensitivities"] == realEstate["sensitivities"])
        let csv = try StoreCLI.run(["scenario", "sensitivities", "Fed Rate Cut 2025", "--db", db, "--format", "csv"], in: dir)
        #expect(csv.status == 0)
        let lines = csv.stdout.components(separatedBy: "\r\n")
        #expect(lines.first == "id,name,level,key,sensitivity,defined")
        #expect(lines.contains("sec-realestate,Real Estate,2,macro:fed_funds_rate,\(JSNumber.format(fed)),true"), "\(lines.prefix(5))")
        let table = try StoreCLI.run(["scenario", "sensitivities", "Fed Rate Cut 2025", "--entity", "sec-realestate", "--db", db], in: dir)
        #expect(table.stdout.contains("macro:fed_funds_rate"), "\(table.stdout)")
        let unknown = try StoreCLI.run(["scenario", "sensitivities", "Fed Rate Cut 2025", "--entity", "Nowhere", "--db", db], in: dir)
        #expect(unknown.status != 0 && unknown.stderr.contains("no entity `Nowhere`"), "\(unknown.stderr)")
    }
}
