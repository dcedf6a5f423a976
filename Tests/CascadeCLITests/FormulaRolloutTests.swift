import CascadeJSON
import CascadeStore
import Foundation
import Testing

/// A formula version cannot break the graph by being registered or activated: relationships that
/// reference the formula by name are bound against it first, as a run would bind them.
@Suite("cascade formula register / activate: rollout checks (end to end)")
struct FormulaRolloutTests {
    /// `gdp_sector_impact` with `gdpGrowth` renamed to `growth`: the sample world's ten relationships
    /// bind `gdpGrowth` explicitly, so none of them would bind this version.
    static let renamed = """
        {"name": "gdp_sector_impact", "formula_type": "IMPACT_CALCULATION",
         "formula_text": "return (growth - baseline) * elasticity * 100;",
         "parameters": {"growth": "number", "baseline": "number", "elasticity": "number"},
         "effective_date": "2025-01-01",
         "test_cases": [{"inputs": {"growth": 0.03, "baseline": 0.02, "elasticity": 1.8}, "expected": 1.8, "tolerance": 1e-9}]}
        """

    /// The same parameters with an equivalent text: binds everywhere the first version does.
    static let compatible = """
        {"name": "gdp_sector_impact", "formula_type": "IMPACT_CALCULATION",
         "formula_text": "return 100 * elasticity * (gdpGrowth - baseline);",
         "parameters": {"gdpGrowth": "number", "baseline": "number", "elasticity": "number"},
         "effective_date": "2025-01-01",
         "test_cases": [{"inputs": {"gdpGrowth": 0.03, "baseline": 0.02, "elasticity": 1.8}, "expected": 1.8, "tolerance": 1e-9}]}
        """

    static func versions(_ db: String, in dir: URL) throws -> [(version: Int, active: Bool, untested: Bool)] {
        let history = try StoreCLI.run(["formula", "history", "gdp_sector_impact", "--db", db, "--json"], in: dir)
        let versions = history.json?["versions"]?.arrayValue ?? history.json?.arrayValue ?? []
        return versions.map { v in
            (Int(v["version"]?.numberValue ?? 0), v["is_active"] == .bool(true), v["is_untested"] == .bool(true))
        }
    }

    @Test(arguments: CLIBackend.available)
    func aVersionThatBreaksRelationshipsIsRefusedUnlessForced(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        try #require(try StoreCLI.run(["init", "--sample", "--db", db], in: dir, environment: ["CASCADE_FORMULAS": StoreCLI.packageRoot.appendingPathComponent("Formulas").path]).status == 0)
        let renamed = try StoreCLI.write(Self.renamed, to: "renamed.json", in: dir)

        let refused = try StoreCLI.run(["formula", "register", renamed, "--db", db], in: dir)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("registering gdp_sector_impact@2 would break 10 relationships"), "\(refused.stderr)")
        #expect(refused.stderr.contains("parameter `growth` of gdp_sector_impact@2 has no binding"), "\(refused.stderr)")
        #expect(refused.stderr.contains("hint:"))
        #expect(try Self.versions(db, in: dir).map(\.version) == [1])

        // A dry run of a compatible version says what would happen and writes nothing.
        let compatible = try StoreCLI.write(Self.compatible, to: "compatible.json", in: dir)
        let dry = try StoreCLI.run(["formula", "register", compatible, "--dry-run", "--db", db], in: dir)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("would register gdp_sector_impact@2 (active"), "\(dry.stdout)")
        #expect(try Self.versions(db, in: dir).map(\.version) == [1])

        // Registered inactive, the renamed version breaks nothing yet; activating it is refused …
        let candidate = try StoreCLI.run(["formula", "register", renamed, "--inactive", "--db", db], in: dir)
        #expect(candidate.status == 0, "\(candidate.stderr)")
        #expect(candidate.stdout.contains("registered gdp_sector_impact@2 (inactive"))
        let activation = try StoreCLI.run(["formula", "activate", "gdp_sector_impact@2", "--db", db], in: dir)
        #expect(activation.status != 0)
        #expect(activation.stderr.contains("activating gdp_sector_impact@2 would break 10 relationships"), "\(activation.stderr)")
        #expect(try Self.versions(db, in: dir).map(\.active) == [true, false])

        // … unless forced, which says what breaks.
        let forced = try StoreCLI.run(["formula", "activate", "gdp_sector_impact@2", "--force", "--db", db], in: dir)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(forced.stderr.contains("would break 10 relationships"))
        #expect(try Self.versions(db, in: dir).map(\.active) == [true, true])
    }

    @Test(arguments: CLIBackend.available)
    func aVersionWithoutTestCasesNeedsAllowUntestedAndIsMarked(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        try #require(try StoreCLI.run(["init", "--db", db], in: dir).status == 0)
        let untested = try StoreCLI.write(
            #"{"name": "gdp_sector_impact", "formula_text": "return x;", "parameters": {"x": "number"}, "effective_date": "2025-01-01", "test_cases": []}"#,
            to: "untested.json", in: dir)
        let refused = try StoreCLI.run(["formula", "register", untested, "--db", db], in: dir)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("the version has no test cases"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--allow-untested"))
        #expect(try Self.versions(db, in: dir).isEmpty)

        let allowed = try StoreCLI.run(["formula", "register", untested, "--allow-untested", "--db", db], in: dir)
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(try Self.versions(db, in: dir).map(\.untested) == [true])
        let shown = try StoreCLI.run(["formula", "show", "gdp_sector_impact@1", "--db", db], in: dir)
        #expect(shown.stdout.contains("untested"), "\(shown.stdout)")
    }
}
