@testable import CascadeCLI
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

    @Test func aLargeResultEmbedsTheLargestMoversOfEachLevel() throws {
        let perLevel = ReportData.entitiesPerLevel
        // Levels 1 and 2, more than ten levels' worth in all; impacts grow with the index.
        let texts = (0..<(perLevel * 12)).map { i in
            #"{"id":"e\#(i)","level":\#(i % 2 + 1),"impact":\#(i % 3 == 0 ? -Double(i) : Double(i))}"#
        }
        let kept = try ReportData.largestMovers(texts, perLevel: perLevel)
        #expect(kept.count == perLevel * 2)
        #expect(kept == kept.sorted(), "in result order")
        for level in [1, 2] {
            let largest = texts.indices.filter { $0 % 2 + 1 == level }.suffix(perLevel)
            #expect(Set(kept.filter { $0 % 2 + 1 == level }) == Set(largest))
        }
        // A small result is embedded whole.
        #expect(try ReportData.largestMovers(Array(texts.prefix(perLevel * 10)), perLevel: perLevel) == Array(0..<(perLevel * 10)))
    }
}
