import CascadeJSON
import Foundation
import Testing

/// `cascade run FILE --use NAME@V`: a run with one formula pinned to a version, whatever is active.
@Suite("cascade run --use (end to end)")
struct RunUseCommandTests {
    /// gdp_sector_impact doubled, registered inactive: only a pinned run uses it.
    static let doubled = """
        {"name": "gdp_sector_impact", "formula_text": "return (gdpGrowth - baseline) * elasticity * 200;",
         "parameters": {"gdpGrowth": "number", "baseline": "number", "elasticity": "number"}, "effective_date": "2025-01-01",
         "test_cases": [{"inputs": {"gdpGrowth": 0.03, "baseline": 0.02, "elasticity": 1.8}, "expected": 3.6, "tolerance": 1e-9}]}
        """

    @Test(arguments: CLIBackend.available)
    func aPinnedVersionIsUsedForThatRunOnly(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.sampleStore(backend)
        defer { cleanup() }
        let file = try StoreCLI.write(Self.doubled, to: "doubled.json", in: dir)
        try #require(try StoreCLI.run(["formula", "register", file, "--inactive", "--db", db], in: dir).status == 0)
        let scenario = StoreCLI.packageRoot.appendingPathComponent("Scenarios/fed-rate-cut-2025.json").path

        let plain = try #require(try StoreCLI.run(["run", scenario, "--json", "--db", db], in: dir).json)
        let pinnedRun = try StoreCLI.run(["run", scenario, "--use", "gdp_sector_impact@2", "--json", "--db", db], in: dir)
        #expect(pinnedRun.status == 0, "\(pinnedRun.stderr)")
        let pinned = try #require(pinnedRun.json)
        #expect(pinned["pinned"] == .array([.string("gdp_sector_impact@2")]))
        #expect(pinned["fingerprint"] != plain["fingerprint"])
        #expect(pinned["entities"] != plain["entities"])
        #expect(pinned["cached"] != .bool(true))

        // The registry is untouched: an ordinary run still binds version 1.
        let again = try #require(try StoreCLI.run(["run", scenario, "--json", "--db", db], in: dir).json)
        #expect(again["fingerprint"] == plain["fingerprint"])

        // --sensitivities holds for a pinned run too, differentiated through the pinned version:
        // they differ from those of the same run with the active version.
        func sensitivities(_ arguments: [String]) throws -> [JSONValue] {
            let run = try StoreCLI.run(["run", scenario, "--sensitivities", "--json", "--db", db] + arguments, in: dir)
            #expect(run.status == 0, "\(run.stderr)")
            let document = try #require(run.json)
            #expect(document["sensitivity_keys"]?.arrayValue?.contains(.string("macro:us_gdp_growth")) == true,
                    "\(document["sensitivity_keys"] ?? .null)")
            return (document["entities"]?.arrayValue ?? []).map { $0["sensitivities"] ?? .null }
        }
        let pinnedSensitivities = try sensitivities(["--use", "gdp_sector_impact@2"])
        let activeSensitivities = try sensitivities([])
        #expect(pinnedSensitivities.contains { $0.objectValue?.isEmpty == false })
        #expect(pinnedSensitivities != activeSensitivities)

        let unknown = try StoreCLI.run(["run", scenario, "--use", "gdp_sector_impact@9", "--db", db], in: dir)
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("no formula `gdp_sector_impact@9`") && unknown.stderr.contains("has versions 1, 2"), "\(unknown.stderr)")
        let unversioned = try StoreCLI.run(["run", scenario, "--use", "gdp_sector_impact", "--db", db], in: dir)
        #expect(unversioned.status != 0)
        #expect(unversioned.stderr.contains("NAME@VERSION"), "\(unversioned.stderr)")
    }
}
