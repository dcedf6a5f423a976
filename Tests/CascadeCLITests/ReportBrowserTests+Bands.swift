import CascadeJSON
import CascadeTestSupport
import Foundation
import Testing

/// A Monte Carlo result's report in headless Chromium: per level, the entities with the widest
/// 5–95 % bands (as `cascade run` ranks them), each with its 1–99 % and 5–95 % bands and median
/// drawn and its quantiles exact on hover.
extension ReportBrowserTests {
    @Test(arguments: CLIBackend.available)
    func aMonteCarloReportShowsTheWidestBandsOfEachLevelExactly(_ backend: CLIBackend) throws {
        let chromium = try #require(Chromium.path, "chromium is not installed: scripts/setup.sh installs it (as root)")
        let (dir, db, cleanup) = try StoreCLI.sampleStore(backend)
        defer { cleanup() }
        let file = try StoreCLI.write(MonteCarloCommandTests.scenario, to: "uncertain.json", in: dir)
        let ran = try StoreCLI.run(["run", file, "--json", "--db", db], in: dir)
        try #require(ran.status == 0, "\(ran.stderr)")
        let entities = try #require(ran.json?["entities"]?.arrayValue)
        let report = dir.appendingPathComponent("uncertain.html")
        let written = try StoreCLI.run(["report", "Fed Rate Cut 2025, uncertain", "--out", report.path, "--db", db], in: dir)
        try #require(written.status == 0, "\(written.stderr)")
        let expected = Self.widestBands(entities, top: 10)
        try #require(expected.count >= 2, "the scenario's draws spread several levels")
        let first = try #require(expected.first?.value.first)

        let seen = try Chromium.open(report, chromium: chromium, in: dir, arguments: ["--click", #"tr.band-row[data-entity="\#(first["id"]!.stringValue!)"]"#])
        #expect(seen["errors"] == .null && seen["problems"]?.arrayValue == [], "\(seen["errors"] ?? .null) \(seen["problems"] ?? .null)")
        let bands = try #require(seen["bands"]?.objectValue, "no bands section")
        #expect(bands["note"]?.stringValue?.contains("300 draws of fed_funds_rate, us_cpi, us_gdp_growth") == true, "\(bands["note"] ?? .null)")
        let levels = try #require(bands["levels"]?.arrayValue)
        #expect(levels.map { $0["level"]?.stringValue } == expected.map { String($0.level) }, "the levels with a band")
        for (table, (level, widest)) in zip(levels, expected) {
            let rows = table["rows"]?.arrayValue ?? []
            #expect(rows.map { $0["entity"] } == widest.map { $0["id"] }, "level \(level): the widest 5–95 % bands, widest first")
            for (row, entity) in zip(rows, widest) {
                let d = entity["distribution"]!
                let exact = { (key: String) in d[key]!.serialized() }
                let keys = ["p1", "p5", "p50", "p95", "p99", "p_below"]
                #expect(row["cells"] == .object(JSONObject(keys.map { ($0, .string(exact($0))) })), "\(entity["id"]!)")
                #expect(row["titles"] == row["cells"], "the exact values on hover")
                #expect(row["outer"]?.stringValue == exact("p1") + " " + exact("p99"), "\(row)")
                #expect(row["inner"]?.stringValue == exact("p5") + " " + exact("p95"), "\(row)")
                #expect(row["median"]?.stringValue == exact("p50"), "\(row)")
                #expect(row["outer_title"]?.stringValue == "1–99 %: [\(exact("p1")), \(exact("p99"))]", "\(row)")
                #expect(row["median_title"]?.stringValue == "median: \(exact("p50"))", "\(row)")
                let (outer, inner) = (row["outer_width"]?.numberValue ?? 0, row["inner_width"]?.numberValue ?? 0)
                #expect(outer >= inner && inner >= 1, "the 1–99 % band holds the 5–95 % band: \(row)")
            }
        }
        // A band's row opens its entity.
        #expect(seen["clicks"]?.arrayValue?.first?["selected"] == first["id"], "\(seen["clicks"] ?? .null)")
    }

    /// A result too large to embed whole still embeds the entities whose bands the page draws,
    /// though they are not among its largest movers: here 100 companies read a variable whose
    /// distribution is centred on its baseline (central impact 0, wide bands) and 2 600 others
    /// the variable that moves.
    @Test(arguments: CLIBackend.available)
    func aLargeMonteCarloReportEmbedsTheEntitiesOfItsWidestBands(_ backend: CLIBackend) throws {
        let chromium = try #require(Chromium.path, "chromium is not installed: scripts/setup.sh installs it (as root)")
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        try #require(try StoreCLI.run(["init", "--db", db], in: dir).status == 0)
        let (moved, uncertain) = (2_600, 100)
        let companies = (0..<(moved + uncertain)).map { i in
            #"{"id": "co-\#(i)", "type": "COMPANY", "name": "Company \#(i)", "category": "SEMICONDUCTOR", "ontology_level": 3}"#
        }
        let relationships = (0..<(moved + uncertain)).map { i in
            #"{"id": "rel-\#(i)", "source_entity_id": "\#(i < moved ? "macro-fed-funds" : "macro-growth")", "target_entity_id": "co-\#(i)", "#
                + #""type": "IMPACTS", "weight": \#(Double(i % moved + 1) / Double(moved)), "impact_formula": "return -2 * source.delta;"}"#
        }
        let world = #"{"entities": [{"id": "macro-fed-funds", "type": "MACRO", "name": "Fed Funds Rate", "category": "INTEREST_RATE", "#
            + #""ontology_level": 0, "metadata": {"variable": "fed_funds_rate", "unit": "%", "current_value": 5.25}}, "#
            + #"{"id": "macro-growth", "type": "MACRO", "name": "Growth", "category": "GDP", "ontology_level": 0, "#
            + #""metadata": {"variable": "growth", "unit": "%", "current_value": 2}}, "#
            + companies.joined(separator: ", ") + #"], "relationships": ["# + relationships.joined(separator: ", ") + "]}"
        let imported = try StoreCLI.run(["import", try StoreCLI.write(world, to: "world.json", in: dir), "--db", db], in: dir)
        try #require(imported.status == 0, "\(imported.stderr)")
        let scenario = try StoreCLI.write(#"{"name": "cut, uncertain growth", "author": "alice", "as_of": "2025-06-30", "#
            + #""macro_variables": {"fed_funds_rate": 0.03, "growth": {"normal": {"mean": 2, "sd": 1, "unit": "%"}}}, "draws": 50}"#,
                                          to: "cut.json", in: dir)
        let ran = try StoreCLI.run(["run", scenario, "--json", "--db", db], in: dir)
        try #require(ran.status == 0, "\(ran.stderr)")
        let results = try #require(ran.json?["entities"]?.arrayValue)
        let widest = try #require(Self.widestBands(results, top: 10).first { $0.level == 3 }?.value)
        let widestIDs = widest.compactMap { $0["id"]?.stringValue }
        try #require(widestIDs.count == 10 && widestIDs.allSatisfy { Int($0.dropFirst(3))! >= moved }, "\(widestIDs)")
        let report = dir.appendingPathComponent("large.html")
        let written = try StoreCLI.run(["report", "cut, uncertain growth", "--out", report.path, "--db", db], in: dir)
        try #require(written.status == 0, "\(written.stderr)")

        let data = try ReportCommandTests.data(try String(contentsOf: report, encoding: .utf8))
        let kept = Set((data["entities"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue })
        #expect(kept == Set(((moved - 50)..<moved).map { "co-\($0)" }).union(widestIDs), "the 50 largest movers and the 10 widest bands")
        let seen = try Chromium.open(report, chromium: chromium, in: dir, arguments: [])
        #expect(seen["errors"] == .null && seen["problems"]?.arrayValue == [], "\(seen["errors"] ?? .null) \(seen["problems"] ?? .null)")
        let rows = seen["bands"]?["levels"]?.arrayValue?.first { $0["level"] == .string("3") }?["rows"]?.arrayValue ?? []
        #expect(rows.compactMap { $0["entity"]?.stringValue } == widestIDs, "\(seen["bands"] ?? .null)")
    }

    /// Per level with any, the `top` entities with the widest 5–95 % band (p95 − p5 > 0),
    /// widest first, ties by id: the summary's ranking, restated.
    static func widestBands(_ entities: [JSONValue], top: Int) -> [(level: Int, value: [JSONValue])] {
        func band(_ e: JSONValue) -> Double { (e["distribution"]?["p95"]?.numberValue ?? 0) - (e["distribution"]?["p5"]?.numberValue ?? 0) }
        return (0...9).compactMap { level in
            let ranked = entities.filter { Int($0["level"]?.numberValue ?? -1) == level && $0["type"]?.stringValue != "MACRO" && band($0) > 0 }
                .sorted { band($0) != band($1) ? band($0) > band($1) : $0["id"]!.stringValue!.utf8.lexicographicallyPrecedes($1["id"]!.stringValue!.utf8) }
            return ranked.isEmpty ? nil : (level, Array(ranked.prefix(top)))
        }
    }
}
