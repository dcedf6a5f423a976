import CascadeJSON
import Foundation
import Testing

/// Registration reports what the test cases leave out; `cascade formula coverage` shows it all.
@Suite("cascade formula register / coverage: test coverage (end to end)")
struct FormulaCoverageCommandTests {
    /// The seed's HBM rule (relationships.impact_formula) with cases at 72 and 130 only.
    static let hbm = """
        {"name": "hbm_supply_impact", "formula_text": "if (hbm_supply < 80) return -0.25; else if (hbm_supply > 120) return 0.15;",
         "parameters": {"hbm_supply": "number"}, "effective_date": "2025-01-01",
         "test_cases": [{"inputs": {"hbm_supply": 72}, "expected": -0.25}, {"inputs": {"hbm_supply": 130}, "expected": 0.15}]}
        """
    static let gap = "no case has `hbm_supply` in [80, 120], where the formula returns no value"

    @Test(arguments: CLIBackend.available)
    func registrationWarnsOfTheUncoveredBandAndCoverageListsIt(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        try #require(try StoreCLI.run(["init", "--db", db], in: dir).status == 0)
        let file = try StoreCLI.write(Self.hbm, to: "hbm.json", in: dir)

        let dry = try StoreCLI.run(["formula", "register", file, "--dry-run", "--json", "--db", db], in: dir)
        #expect(dry.status == 0, "\(dry.stderr)")
        let dryWarnings = dry.json?["warnings"]?.arrayValue ?? []
        #expect(dryWarnings.contains { $0["code"] == .string("formula.coverage") && $0["message"] == .string(Self.gap) }, "\(dry.stdout)")

        let registered = try StoreCLI.run(["formula", "register", file, "--db", db], in: dir)
        #expect(registered.status == 0, "\(registered.stderr)")
        #expect(registered.stderr.contains("warning: \(file): $.test_cases: \(Self.gap)"), "\(registered.stderr)")
        #expect(registered.stderr.contains("no case makes `hbm_supply > 120` false"), "\(registered.stderr)")

        let shown = try StoreCLI.run(["formula", "coverage", "hbm_supply_impact@1", "--db", db], in: dir)
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("gap: \(Self.gap)"), "\(shown.stdout)")
        #expect(shown.stdout.contains("= 120"), "\(shown.stdout)")

        let json = try #require(try StoreCLI.run(["formula", "coverage", "hbm_supply_impact", "--json", "--db", db], in: dir).json)
        #expect(json["formula"] == .string("hbm_supply_impact@1"))
        #expect(json["findings"]?.arrayValue?.first == .string(Self.gap))
        let regions = json["regions"]?.arrayValue ?? []
        #expect(regions.map { $0["region"]?.stringValue ?? "" } == ["in (-∞, 80)", "= 80", "in (80, 120)", "= 120", "in (120, ∞)"])
        #expect(regions.map { $0["returns_no_value"] } == [.bool(false), .bool(true), .bool(true), .bool(true), .bool(false)])
    }
}
