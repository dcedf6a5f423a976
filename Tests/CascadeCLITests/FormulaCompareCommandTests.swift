import CascadeJSON
import Foundation
import Testing

/// compare → record → promote → rollback from the command line, on the bundled history.
@Suite("cascade formula compare / promote / reject / rollback / tests (end to end)")
struct FormulaCompareCommandTests {
    /// The shipped spec's fit, written as a formula: elasticity 4.5 and baseline 0.005 built in.
    static let challenger = """
        {"name": "gdp_sector_impact", "formula_text": "return (gdpGrowth - 0.005) * 4.5 * 100 + 0 * (baseline + elasticity);",
         "parameters": {"gdpGrowth": "number", "baseline": "number", "elasticity": "number"}, "effective_date": "2025-01-01",
         "test_cases": [{"inputs": {"gdpGrowth": 0.015, "baseline": 0.02, "elasticity": 1.8}, "expected": 4.5, "tolerance": 1e-9}]}
        """

    /// The shipped spec with the seed's own parameters for version 1 (baseline 0.02, elasticity 1.8).
    static let spec = """
        {"formula": "gdp_sector_impact@1", "from": "1990-01-01", "to": "2009-09-30",
         "bindings": {"gdpGrowth": {"macro": "us_real_gdp", "transform": "pct_change"}, "baseline": 0.02, "elasticity": 1.8},
         "observed": {"macro": "us_real_investment", "transform": "pct_change", "scale": 100}}
        """

    static func active(_ db: String, _ dir: URL) throws -> [Bool] {
        let history = try StoreCLI.run(["formula", "history", "gdp_sector_impact", "--db", db, "--json"], in: dir)
        let versions = history.json?["versions"]?.arrayValue ?? history.json?.arrayValue ?? []
        return versions.map { $0["is_active"] == .bool(true) }
    }

    @Test(arguments: CLIBackend.available)
    func aBetterChallengerIsPromotedAndRolledBack(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.sampleStore(backend)
        defer { cleanup() }
        let file = try StoreCLI.write(Self.challenger, to: "challenger.json", in: dir)
        try #require(try StoreCLI.run(["formula", "register", file, "--inactive", "--db", db], in: dir).status == 0)
        let spec = try StoreCLI.write(Self.spec, to: "spec.json", in: dir)

        let text = try StoreCLI.run(["formula", "compare", "gdp_sector_impact@1", "gdp_sector_impact@2", "--backtest", spec, "--db", db], in: dir)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("RMSE") && text.stdout.contains("verdict: better — gdp_sector_impact@2 is better than gdp_sector_impact@1"), "\(text.stdout)")

        let recorded = try StoreCLI.run(["formula", "compare", "gdp_sector_impact@1", "gdp_sector_impact@2", "--backtest", spec,
                                         "--metric", "mae", "--min-improvement", "5", "--record", "--json", "--db", db], in: dir)
        let comparison = try #require(recorded.json, "\(recorded.stderr)")
        #expect(comparison["verdict"] == .string("better"))
        let control = try #require(comparison["control"]?["mae"]?.numberValue), treatment = try #require(comparison["treatment"]?["mae"]?.numberValue)
        #expect(comparison["improvement"]?.numberValue == (control - treatment) / control * 100)
        // Without --scenarios, the standard library runs under both versions.
        let library = try FileManager.default.contentsOfDirectory(atPath: StoreCLI.packageRoot.appendingPathComponent("Scenarios").path)
            .filter { $0.hasSuffix(".json") }
        #expect(comparison["scenarios"]?.arrayValue?.count == library.count)
        let fedCut = comparison["scenarios"]?.arrayValue?.first { $0["scenario"] == .string("Fed Rate Cut 2025") }
        #expect((fedCut?["changed"]?.numberValue ?? 0) > 0, "\(recorded.stdout)")
        let most = try #require(fedCut?["largest"]?.arrayValue?.first)
        #expect(most["control"] != most["treatment"])
        let oilOnly = try #require(try StoreCLI.run(["formula", "compare", "gdp_sector_impact@1", "gdp_sector_impact@2", "--backtest", spec,
                                                     "--scenarios", StoreCLI.sampleScenario, "--json", "--db", db], in: dir).json)
        #expect(oilOnly["scenarios"]?.arrayValue?.map { $0["changed"] } == [.number(0)])  // an oil shock reaches no GDP edge
        let id = try #require(comparison["ab_test"]?["id"]?.stringValue)
        #expect(comparison["ab_test"]?["status"] == .string("running"))

        let promoted = try StoreCLI.run(["formula", "promote", id, "--db", db], in: dir)
        #expect(promoted.status == 0, "\(promoted.stderr)")
        #expect(promoted.stdout.contains("promoted gdp_sector_impact@2"), "\(promoted.stdout)")
        #expect(try Self.active(db, dir) == [false, true])
        #expect(try StoreCLI.run(["formula", "promote", id, "--db", db], in: dir).status != 0)

        let rolledBack = try StoreCLI.run(["formula", "rollback", "gdp_sector_impact", "--db", db], in: dir)
        #expect(rolledBack.status == 0, "\(rolledBack.stderr)")
        #expect(try Self.active(db, dir) == [true, false])
        let again = try StoreCLI.run(["formula", "rollback", "gdp_sector_impact", "--db", db], in: dir)
        #expect(again.status != 0 && again.stderr.contains("no promotion to roll back"), "\(again.stderr)")

        let tests = try #require(try StoreCLI.run(["formula", "tests", "gdp_sector_impact", "--json", "--db", db], in: dir).json)
        #expect(tests["tests"]?.arrayValue?.map { $0["status"] } == [.string("rollback")])
        let listed = try StoreCLI.run(["formula", "tests", "--db", db], in: dir)
        #expect(listed.stdout.contains(id) && listed.stdout.contains("rollback"), "\(listed.stdout)")
    }

    @Test(arguments: CLIBackend.available)
    func aRejectedChallengerChangesNothing(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.sampleStore(backend)
        defer { cleanup() }
        let file = try StoreCLI.write(Self.challenger, to: "challenger.json", in: dir)
        try #require(try StoreCLI.run(["formula", "register", file, "--inactive", "--db", db], in: dir).status == 0)
        let spec = try StoreCLI.write(Self.spec, to: "spec.json", in: dir)
        let recorded = try StoreCLI.run(["formula", "compare", "gdp_sector_impact@1", "gdp_sector_impact@2", "--backtest", spec,
                                         "--record", "--json", "--db", db], in: dir)
        let id = try #require(recorded.json?["ab_test"]?["id"]?.stringValue, "\(recorded.stderr)")
        let rejected = try StoreCLI.run(["formula", "reject", id, "--json", "--db", db], in: dir)
        #expect(rejected.json?["ab_test"]?["status"] == .string("rejected"), "\(rejected.stderr)")
        #expect(try Self.active(db, dir) == [true, false])
        let mismatched = try StoreCLI.run(["formula", "compare", "gdp_sector_impact@1", "interest_rate_impact@1", "--backtest", spec, "--db", db], in: dir)
        #expect(mismatched.status != 0 && mismatched.stderr.contains("versions of different formulas"), "\(mismatched.stderr)")
    }
}
