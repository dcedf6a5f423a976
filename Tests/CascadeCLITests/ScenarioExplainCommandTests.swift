import CascadeJSON
import CascadeTestSupport
import Foundation
import Testing

/// `cascade scenario explain ID ENTITY`: why an entity moved, numbers that add up on the page.
@Suite("cascade scenario explain: why an entity moved (end to end)")
struct ScenarioExplainCommandTests {
    @Test(arguments: CLIBackend.available)
    func anEntityIsExplainedDownToTheMacroVariables(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.sampleStore(backend)
        defer { cleanup() }
        let file = StoreCLI.packageRoot.appendingPathComponent("Scenarios/fed-rate-cut-2025.json").path
        let ran = try StoreCLI.run(["run", file, "--db", db, "--json"], in: dir)
        try #require(ran.status == 0, "\(ran.stderr)")
        let stored = try #require((ran.json?["entities"]?.arrayValue ?? []).first { $0["id"] == .string("sec-realestate") })

        let json = try StoreCLI.run(["scenario", "explain", "Fed Rate Cut 2025", "Real Estate", "--db", db, "--json"], in: dir)
        try #require(json.status == 0, "\(json.stderr)")
        #expect(json.json?["fingerprint"] == ran.json?["fingerprint"])
        let entity = try #require(json.json?["entity"])
        #expect(entity["id"] == .string("sec-realestate") && entity["impact"] == stored["impact"])
        let contributions = entity["contributions"]?.arrayValue ?? []
        #expect(contributions.map { $0["value"] } == (stored["contributions"]?.arrayValue ?? []).map { $0["value"] })
        #expect(contributions.reduce(0.0) { $0 + ($1["value"]?.numberValue ?? 0) } == stored["impact_unclamped"]?.numberValue)
        let fed = try #require(contributions.first { $0["source_id"] == .string("macro-fed-funds") })
        #expect(fed["formula"]?.stringValue?.contains("source.delta") == true)
        #expect((fed["inputs"]?.arrayValue ?? []).contains { $0["path"] == .string("source.delta") })
        #expect((entity["sources"]?.arrayValue ?? []).first?["macro"]?["variable"] == .string("fed_funds_rate"))

        let text = try StoreCLI.run(["scenario", "explain", "Fed Rate Cut 2025", "co-nvidia", "--depth", "2", "--db", db], in: dir)
        #expect(text.status == 0, "\(text.stderr)")
        for line in ["NVIDIA (co-nvidia) · COMPANY · level 3", "cycle member, converged in ", "sum of contributions ",
                     "within the clamp [-1, 1]", "formula pass-through", "f(scenario) "] {
            #expect(text.stdout.contains(line), "\(line)\n\(text.stdout)")
        }

        let unknown = try StoreCLI.run(["scenario", "explain", "Fed Rate Cut 2025", "co-nvidiaa", "--db", db], in: dir)
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("no entity `co-nvidiaa`") && unknown.stderr.contains("did you mean `co-nvidia`?"), "\(unknown.stderr)")
        let deep = try StoreCLI.run(["scenario", "explain", "Fed Rate Cut 2025", "co-nvidia", "--depth", "11", "--db", db], in: dir)
        #expect(deep.status != 0)
    }
}
