@testable import CascadeCLI
import CascadeEngine
import CascadeJSON
import CascadeTestSupport
import Foundation
import Testing

/// `cascade report` without a browser: the data block survives any name, the page refers to
/// nothing outside itself, bad input writes nothing, and a large result embeds its largest movers.
@Suite("cascade report: the page file (end to end)")
struct ReportCommandTests {
    /// The JSON in the page's data block.
    static func data(_ page: String) throws -> JSONValue {
        let opening = #"<script type="application/json" id="report-data">"#
        let start = try #require(page.range(of: opening))
        let end = try #require(page.range(of: "</script>", range: start.upperBound..<page.endIndex))
        return try JSONValue.parse(String(page[start.upperBound..<end.lowerBound]))
    }

    @Test(arguments: CLIBackend.available)
    func aNameCannotEndTheDataBlockAndTheNumbersAreTheResults(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        try StoreCLI.initWithMacroWorld(db, in: dir)
        let name = "cut </script><script>alert(1)</script> <!-- & \u{2028} é"
        let file = try StoreCLI.write(#"{"name": \#(JSONValue.string(name).serialized()), "author": "alice", "as_of": "2025-06-30", "#
                                      + #""macro_variables": {"fed_funds_rate": 0.03, "tariff": 0}}"#, to: "s.json", in: dir)
        let ran = try StoreCLI.run(["run", file, "--json", "--db", db], in: dir)
        try #require(ran.status == 0, "\(ran.stderr)")
        // To standard output without --out; the scenario by a prefix of its id.
        let id = try #require(ran.json?["scenario_id"]?.stringValue)
        let written = try StoreCLI.run(["report", String(id.prefix(8)), "--db", db], in: dir)
        try #require(written.status == 0, "\(written.stderr)")
        let page = written.stdout
        #expect(page.components(separatedBy: "<script").count == 3, "one data block and one script")
        #expect(page.components(separatedBy: "</script>").count == 3)
        let data = try Self.data(page)
        #expect(data["scenario"]?["name"]?.stringValue == name)
        #expect(data["scenario"]?["author"]?.stringValue == "alice")
        // The entity results are the run's, number for number.
        #expect(data["entities"] == ran.json?["entities"])
        #expect(data["result"]?["fingerprint"] == ran.json?["fingerprint"])
        #expect(data["diff"] == .null)
        // The style and the script are the same bytes in every report (a CSP can hash them).
        #expect(page.contains("<script>" + ReportPage.script + "</script>"))
        #expect(page.contains("<style>" + ReportPage.style + "</style>"))
    }

    /// (arguments after `report`, what stderr must say)
    static let refusals: [([String], String)] = [
        (["no-such-scenario"], "no scenario `no-such-scenario`"),
        (["twin", "--against", "nothing-here"], "no scenario `nothing-here`"),
        (["twin", "--out", "."], "is a directory"),
        (["twin", "--out", "missing-dir/report.html"], "directory that does not exist"),
    ]

    @Test(arguments: CLIBackend.available, refusals.indices)
    func badInputIsRefusedAndNothingIsWritten(_ backend: CLIBackend, _ index: Int) throws {
        let (arguments, message) = Self.refusals[index]
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        try StoreCLI.initWithMacroWorld(db, in: dir)
        let file = try StoreCLI.write(#"{"name": "twin", "author": "alice", "as_of": "2025-06-30", "macro_variables": {"oil_price": 80}}"#,
                                      to: "s.json", in: dir)
        try #require(try StoreCLI.run(["scenario", "submit", file, "--db", db], in: dir).status == 0)
        let before = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        let refused = try StoreCLI.run(["report"] + arguments + ["--db", db], in: dir)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains(message), "\(refused.stderr)")
        #expect(refused.stdout.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == before)
    }

    /// A world of `count` companies over levels 1–9 under the Fed funds rate: level 1 reads the
    /// rate through an inline formula, every deeper company four companies of the level above
    /// (linear, weights from a fixed sequence), so impacts differ and spread over every level.
    static func largeWorld(_ count: Int) -> String {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ n: Int) -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(state % UInt64(n))
        }
        let levels = (0..<count).map { 1 + $0 % 9 }
        var byLevel: [[Int]] = Array(repeating: [], count: 10)
        for (i, level) in levels.enumerated() { byLevel[level].append(i) }
        var entities = [#"{"id": "macro-fed-funds", "type": "MACRO", "name": "Fed Funds Rate", "category": "INTEREST_RATE", "#
            + #""ontology_level": 0, "metadata": {"variable": "fed_funds_rate", "unit": "%", "current_value": 5.25}}"#]
        var relationships: [String] = []
        for (i, level) in levels.enumerated() {
            entities.append(#"{"id": "co-\#(i)", "type": "COMPANY", "name": "Company \#(i)", "category": "SEMICONDUCTOR", "ontology_level": \#(level)}"#)
            if level == 1 {
                relationships.append(#"{"id": "rel-\#(i)-0", "source_entity_id": "macro-fed-funds", "target_entity_id": "co-\#(i)", "#
                    + #""type": "IMPACTS", "weight": \#(Double(1 + next(1000)) / 1000), "impact_formula": "return -2 * source.delta;"}"#)
                continue
            }
            var sources: Set<Int> = []
            while sources.count < 4 { sources.insert(byLevel[level - 1][next(byLevel[level - 1].count)]) }
            for (k, source) in sources.sorted().enumerated() {
                relationships.append(#"{"id": "rel-\#(i)-\#(k)", "source_entity_id": "co-\#(source)", "target_entity_id": "co-\#(i)", "#
                    + #""type": "SUPPLIES", "weight": \#(Double(1 + next(1000)) / 2000)}"#)
            }
        }
        return #"{"entities": ["# + entities.joined(separator: ",\n") + #"], "relationships": ["# + relationships.joined(separator: ",\n") + "]}"
    }

    /// A large result's report reads its columns: the page embeds per level the largest movers,
    /// exactly the entity documents of the JSON result, ranked as the JSON ranks them; the charts'
    /// movers carry their run explanation (the explain command's numbers); and the page stays
    /// under a megabyte for 20 000 entities (250 per level made 1.9 MB here).
    @Test(arguments: CLIBackend.available)
    func aLargeResultsPageIsBoundedAndHoldsTheJSONsLargestMovers(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        try #require(try StoreCLI.run(["init", "--db", db], in: dir).status == 0)
        let count = 20_000
        let imported = try StoreCLI.run(["import", try StoreCLI.write(Self.largeWorld(count), to: "world.json", in: dir), "--db", db], in: dir)
        try #require(imported.status == 0, "\(imported.stderr)")
        let scenario = try StoreCLI.write(#"{"name": "cut", "author": "alice", "as_of": "2025-06-30", "macro_variables": {"fed_funds_rate": 0.03}}"#,
                                          to: "cut.json", in: dir)
        let ran = try StoreCLI.run(["run", scenario, "--json", "--db", db], in: dir)
        try #require(ran.status == 0, "\(ran.stderr)")
        let entities = try #require(ran.json?["entities"]?.arrayValue)
        try #require(entities.count >= count, "every company is reported")
        let report = dir.appendingPathComponent("large.html")
        let written = try StoreCLI.run(["report", "cut", "--out", report.path, "--db", db], in: dir)
        try #require(written.status == 0, "\(written.stderr)")
        let page = try String(contentsOf: report, encoding: .utf8)
        #expect(page.utf8.count < 1_000_000, "the page has \(page.utf8.count) bytes")

        let data = try Self.data(page)
        #expect(data["entities_reported"] == .number(Double(entities.count)))
        let embedded = try #require(data["entities"]?.arrayValue)
        func ranked(_ list: [JSONValue]) -> [JSONValue] {
            list.sorted {
                let (a, b) = (abs($0["impact"]!.numberValue!), abs($1["impact"]!.numberValue!))
                return a != b ? a > b : $0["id"]!.stringValue!.utf8.lexicographicallyPrecedes($1["id"]!.stringValue!.utf8)
            }
        }
        let perLevel = ReportData.entitiesPerLevel
        var drawn: Set<String> = []
        for level in 0...9 {
            let inJSON = ranked(entities.filter { $0["level"] == .number(Double(level)) })
            let inPage = ranked(embedded.filter { $0["level"] == .number(Double(level)) })
            #expect(inPage == Array(inJSON.prefix(perLevel)), "level \(level): the page's movers are the JSON's largest, document for document")
            drawn.formUnion(inJSON.filter { $0["impact"] != .number(0) }.prefix(ReportData.explainedPerLevel).map { $0["id"]!.stringValue! })
        }
        #expect(embedded.count <= 10 * perLevel)

        // The movers the charts draw are explained; the largest of two levels checked against the explain command.
        let explanations = try #require(data["explanations"]?.objectValue)
        #expect(Set(explanations.map(\.key)) == drawn)
        for level in [1, 5] {
            let top = ranked(entities.filter { $0["level"] == .number(Double(level)) })[0]["id"]!.stringValue!
            let explained = try StoreCLI.run(["scenario", "explain", "cut", top, "--depth", "1", "--json", "--db", db], in: dir)
            try #require(explained.status == 0, "\(explained.stderr)")
            #expect(explanations[top].map(ReportData.withoutTraces) == explained.json.map(ReportData.withoutTraces), "\(top)")
        }
    }

    @Test func theLargestMoversOfEachLevelAreRankedByMagnitudeThenID() throws {
        let perLevel = ReportData.entitiesPerLevel
        // Levels 1 and 2; impacts grow with the index, every third one negative; two zero impacts at level 1.
        let texts = (0..<(perLevel * 12)).map { i in
            #"{"id":"e\#(i)","level":\#(i % 2 + 1),"impact":\#(i < 4 && i % 2 == 0 ? 0 : i % 3 == 0 ? -Double(i) : Double(i))}"#
        }
        let ranking = try LargestMovers(texts: texts)
        let kept = ranking.positions(perLevel: perLevel)
        #expect(kept.count == perLevel * 2)
        #expect(kept == kept.sorted(), "in result order")
        for level in [1, 2] {
            let largest = texts.indices.filter { $0 % 2 + 1 == level }.suffix(perLevel)
            #expect(Set(kept.filter { $0 % 2 + 1 == level }) == Set(largest))
        }
        // Among candidates only; ties broken by id in UTF-8 byte order; zero impacts left out when asked.
        #expect(ranking.positions(perLevel: 1, among: [5, 7]) == [7])
        let ties = try LargestMovers(texts: [#"{"id":"b","level":3,"impact":0.5}"#, #"{"id":"a","level":3,"impact":-0.5}"#,
                                            #"{"id":"\u00e9","level":3,"impact":0.5}"#, #"{"id":"z","level":3,"impact":0}"#])
        #expect(ties.positions(perLevel: 2) == [0, 1])
        #expect(ties.positions(perLevel: 4, movedOnly: true) == [0, 1, 2])
        #expect(ties.positions(perLevel: 4) == [0, 1, 2, 3])
    }
}
