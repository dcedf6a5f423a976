import CascadeJSON
import CascadeTestSupport
import Foundation
import Testing

/// `cascade report` opened in a real browser: headless Chromium driven over the DevTools protocol
/// by `Browser/report_in_chromium.py` (a pipe, no port). The page must load with no request but
/// itself and no console error, hold the top movers' names and exact values, show a waterfall that
/// sums to the unclamped impact after a real click, and paint something that is not blank.
@Suite("cascade report in headless Chromium (end to end)", .enabled(if: Chromium.runs, Chromium.skipReason))
struct ReportBrowserTests {
    @Test(arguments: CLIBackend.available)
    func theFedRateCutReportOpensOfflineAndShowsTheResult(_ backend: CLIBackend) throws {
        let chromium = try #require(Chromium.path, "chromium is not installed: scripts/setup.sh installs it (as root)")
        let (dir, db, cleanup) = try StoreCLI.sampleStore(backend)
        defer { cleanup() }
        let scenario = StoreCLI.packageRoot.appendingPathComponent("Scenarios/fed-rate-cut-2025.json").path
        let ran = try StoreCLI.run(["run", scenario, "--json", "--db", db], in: dir)
        try #require(ran.status == 0, "\(ran.stderr)")
        let entities = try #require(ran.json?["entities"]?.arrayValue)
        let report = dir.appendingPathComponent("report.html")
        let written = try StoreCLI.run(["report", "Fed Rate Cut 2025", "--out", report.path, "--db", db], in: dir)
        try #require(written.status == 0, "\(written.stderr)")
        let page = try String(contentsOf: report, encoding: .utf8)
        for reference in [" src=", " href=", "url(", "@import", "<link", "<iframe"] {
            #expect(!page.contains(reference), "the page refers to something outside itself: \(reference)")
        }

        // Per level the largest movers, as the page ranks them: |impact|, then id.
        let moved = entities.filter { ($0["impact"]?.numberValue ?? 0) != 0 }.sorted {
            let (a, b) = (abs($0["impact"]!.numberValue!), abs($1["impact"]!.numberValue!))
            return a != b ? a > b : $0["id"]!.stringValue! < $1["id"]!.stringValue!
        }
        let topMovers = (0...9).flatMap { level in moved.filter { Int($0["level"]!.numberValue!) == level }.prefix(5) }
        try #require(topMovers.count >= 10, "the fed-rate-cut scenario moves several levels")
        func withContributions(_ e: JSONValue) -> Bool {
            (e["contributions"]?.arrayValue ?? []).filter { ($0["value"]?.numberValue ?? 0) != 0 }.count >= 2
        }
        let clickRow = try #require(moved.first(where: withContributions), "an entity with two contributions or more")
        let clickNode = try #require(moved.first { withContributions($0) && $0["id"] != clickRow["id"] && $0["level"] != clickRow["level"] })
        let fragment = moved.first { $0["clamped"] == .bool(true) } ?? moved[moved.count / 2]
        let searched = moved[moved.count - 1]
        let (rowID, nodeID, fragmentID) = (clickRow["id"]!.stringValue!, clickNode["id"]!.stringValue!, fragment["id"]!.stringValue!)

        let screenshot = dir.appendingPathComponent("report.png")
        let seen = try Chromium.open(report, chromium: chromium, in: dir, arguments: [
            "--click", #"tr.mover[data-entity="\#(rowID)"]"#, "--click", #"circle.node[data-entity="\#(nodeID)"]"#,
            "--search", searched["name"]!.stringValue!.uppercased(), "--fragment", fragmentID, "--screenshot", screenshot.path, "--pdf"])

        #expect(seen["rendered"]?.stringValue == "true", "the script did not finish: \(seen["errors"] ?? .null)")
        #expect(seen["errors"] == .null, "the page reported errors: \(seen["errors"] ?? .null)")
        #expect(seen["problems"]?.arrayValue == [], "console errors or exceptions: \(seen["problems"] ?? .null)")
        let url = try #require(seen["url"]?.stringValue)
        #expect(seen["requests"]?.arrayValue?.allSatisfy { $0.stringValue == url } == true, "requests: \(seen["requests"] ?? .null)")
        #expect(seen["failed_requests"]?.arrayValue == [], "\(seen["failed_requests"] ?? .null)")
        #expect(seen["heatmap"] == .null, "a run without sensitivities has no heat map")
        let plainPage = seen["html"]?.stringValue ?? ""
        #expect(plainPage.range(of: #"<section id="sensitivities""#) == nil, "no heat map section")

        // The top movers' names and values, exactly as the JSON writes them (shown rounded, exact in title).
        let html = try #require(seen["html"]?.stringValue)
        for entity in topMovers {
            let id = entity["id"]!.stringValue!
            let row = Self.element(#"<tr class="mover" data-entity="\#(Self.escaped(id))""#, in: html)
            #expect(row?.contains(">" + Self.escaped(entity["name"]!.stringValue!) + "<") == true, "\(id): \(row ?? "no row")")
            let exact = entity["impact"]!.serialized()
            #expect(row?.contains(#"title="\#(exact)" data-value="\#(exact)""#) == true, "\(id) \(exact): \(row ?? "no row")")
        }

        // A real click on a bar and on a node, and #entity=ID: the waterfall's steps are the
        // entity's contributions and add up to its unclamped impact.
        // Typing a name (in any case) into the search box and pressing Enter selects that entity.
        #expect(seen["search"]?["selected"] == searched["id"], "\(seen["search"] ?? .null)")
        #expect(seen["search"]?["unclamped"]?.stringValue == searched["impact_unclamped"]!.serialized())
        let clicks = try #require(seen["clicks"]?.arrayValue)
        for (entity, outcome) in zip([clickRow, clickNode, fragment], clicks + [seen["fragment"] ?? .null]) {
            let id = entity["id"]!.stringValue!
            #expect(outcome["selected"]?.stringValue == id || outcome["found"] == nil, "\(outcome)")
            #expect(outcome["waterfall"]?.stringValue == id, "\(outcome)")
            let steps = (outcome["steps"]?.arrayValue ?? []).compactMap { $0.stringValue }
            let contributions = (entity["contributions"]?.arrayValue ?? []).compactMap { $0["value"] }.filter { $0.numberValue != 0 }
            #expect(steps == contributions.map { $0.serialized() }, "\(id)")
            let unclamped = entity["impact_unclamped"]!.numberValue!
            let sum = steps.compactMap(Double.init).reduce(0, +)
            #expect(abs(sum - unclamped) <= 1e-12 * max(1, abs(unclamped)), "\(id): steps sum to \(sum), unclamped \(unclamped)")
            #expect(outcome["unclamped"]?.stringValue == entity["impact_unclamped"]!.serialized())
            if entity["clamped"] == .bool(true) {
                #expect(outcome["impact"]?.stringValue == entity["impact"]!.serialized(), "\(outcome)")
            }
        }

        // The clicked bar's entity is one the charts draw: its run explanation is in the page,
        // number for number what `cascade scenario explain --depth 1 --json` says.
        let explained = try StoreCLI.run(["scenario", "explain", "Fed Rate Cut 2025", rowID, "--depth", "1", "--json", "--db", db], in: dir)
        try #require(explained.status == 0, "\(explained.stderr)")
        #expect(DrawnExplanation.mismatches(clicks.first?["explanation"], try #require(explained.json)) == [])
        #expect(explained.json?["fingerprint"] == ran.json?["fingerprint"])

        // It prints (to PDF).
        #expect((seen["pdf"]?["pages"]?.numberValue ?? 0) >= 2, "\(seen["pdf"] ?? .null)")
        // Not blank: many colours, and a good share of the viewport is not background.
        let shot = try #require(seen["screenshot"])
        #expect((shot["colours"]?.numberValue ?? 0) >= 32, "\(shot)")
        #expect((shot["non_background"]?.numberValue ?? 0) >= 0.03, "\(shot)")
        if backend == .sqlite, ProcessInfo.processInfo.environment["CASCADE_RECORD_SCREENSHOTS"] == "1" {
            let docs = StoreCLI.packageRoot.appendingPathComponent("docs/report.png")
            try? FileManager.default.removeItem(at: docs)
            try FileManager.default.copyItem(at: screenshot, to: docs)
        }
    }

    /// A run with sensitivities: the report's heat map has the result's keys as columns and the
    /// 40 largest movers as rows, and every cell is the JSON's sensitivity, exactly (a left-out
    /// zero is 0); a plain report of the stored result keeps them.
    @Test(arguments: CLIBackend.available)
    func theHeatMapHoldsTheRunsSensitivitiesExactly(_ backend: CLIBackend) throws {
        let chromium = try #require(Chromium.path, "chromium is not installed: scripts/setup.sh installs it (as root)")
        let (dir, db, cleanup) = try StoreCLI.sampleStore(backend)
        defer { cleanup() }
        let scenario = StoreCLI.packageRoot.appendingPathComponent("Scenarios/fed-rate-cut-2025.json").path
        let ran = try StoreCLI.run(["run", scenario, "--sensitivities", "--json", "--db", db], in: dir)
        try #require(ran.status == 0, "\(ran.stderr)")
        let keys = try #require(ran.json?["sensitivity_keys"]?.arrayValue).compactMap { $0.stringValue }
        try #require(keys.count >= 2 && keys.count <= 16, "\(keys)")
        let report = dir.appendingPathComponent("sensitivities.html")
        let written = try StoreCLI.run(["report", "Fed Rate Cut 2025", "--out", report.path, "--db", db], in: dir)
        try #require(written.status == 0, "\(written.stderr)")
        let seen = try Chromium.open(report, chromium: chromium, in: dir, arguments: ["--click", "tr.heat-row"])
        #expect(seen["errors"] == .null && seen["problems"]?.arrayValue == [], "\(seen["errors"] ?? .null) \(seen["problems"] ?? .null)")
        let heatMap = try #require(seen["heatmap"]?.objectValue, "no heat map")
        #expect((heatMap["keys"]?.arrayValue ?? []).compactMap { $0.stringValue } == keys)

        let moved = try #require(ran.json?["entities"]?.arrayValue).filter { ($0["impact"]?.numberValue ?? 0) != 0 }.sorted {
            let (a, b) = (abs($0["impact"]!.numberValue!), abs($1["impact"]!.numberValue!))
            return a != b ? a > b : $0["id"]!.stringValue! < $1["id"]!.stringValue!
        }
        let rows = try #require(heatMap["rows"]?.arrayValue)
        #expect(rows.map { $0["entity"] } == moved.prefix(40).map { $0["id"] }, "the 40 largest movers, largest first")
        for (row, entity) in zip(rows, moved) {
            #expect(row["cells"] == Self.expectedCells(entity, keys: keys), "\(entity["id"]!)")
            #expect((row["coloured"]?.numberValue ?? 0) > 0, "\(row)")
        }
        // A row opens its entity.
        #expect(seen["clicks"]?.arrayValue?.first?["selected"] == moved.first?["id"], "\(seen["clicks"] ?? .null)")
    }

    /// A derivative that does not exist (`Math.abs` at 0) is marked `undefined` in its cell, and
    /// `report --sensitivities` runs a scenario whose stored result has none with them.
    @Test(arguments: CLIBackend.available)
    func anUndefinedSensitivityIsMarkedAndReportCanAskForThem(_ backend: CLIBackend) throws {
        let chromium = try #require(Chromium.path, "chromium is not installed: scripts/setup.sh installs it (as root)")
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        try #require(try StoreCLI.run(["init", "--db", db], in: dir).status == 0)
        let world = #"{"entities": ["#
            + #"{"id": "macro-tariff", "type": "MACRO", "name": "Tariff", "category": "TRADE", "ontology_level": 0, "metadata": {"variable": "tariff", "current_value": 0}}, "#
            + #"{"id": "macro-growth", "type": "MACRO", "name": "Growth", "category": "GDP", "ontology_level": 0, "metadata": {"variable": "growth", "current_value": 0.02}}, "#
            + #"{"id": "co-a", "type": "COMPANY", "name": "Company A", "category": "SEMICONDUCTOR", "ontology_level": 3}], "relationships": ["#
            + #"{"id": "rel-1", "source_entity_id": "macro-tariff", "target_entity_id": "co-a", "type": "IMPACTS", "weight": 1, "impact_formula": "return Math.abs(source.delta);"}, "#
            + #"{"id": "rel-2", "source_entity_id": "macro-growth", "target_entity_id": "co-a", "type": "IMPACTS", "weight": 1, "impact_formula": "return 2 * source.delta;"}]}"#
        let imported = try StoreCLI.run(["import", try StoreCLI.write(world, to: "world.json", in: dir), "--db", db], in: dir)
        try #require(imported.status == 0, "\(imported.stderr)")
        let file = try StoreCLI.write(#"{"name": "kink", "author": "alice", "as_of": "2025-06-30", "macro_variables": {"tariff": 0, "growth": 0.03}}"#,
                                      to: "kink.json", in: dir)
        try #require(try StoreCLI.run(["run", file, "--db", db], in: dir).status == 0)
        let report = dir.appendingPathComponent("kink.html")
        let written = try StoreCLI.run(["report", "kink", "--sensitivities", "--out", report.path, "--db", db], in: dir)
        try #require(written.status == 0, "\(written.stderr)")
        let result = try StoreCLI.run(["scenario", "run", "kink", "--sensitivities", "--json", "--db", db], in: dir)
        let entity = try #require(result.json?["entities"]?.arrayValue?.first { $0["id"] == .string("co-a") })
        try #require((entity["sensitivities_undefined"]?.arrayValue ?? []) == [.string("macro:tariff")], "\(entity)")
        let keys = try #require(result.json?["sensitivity_keys"]?.arrayValue).compactMap { $0.stringValue }

        let seen = try Chromium.open(report, chromium: chromium, in: dir, arguments: [])
        #expect(seen["errors"] == .null && seen["problems"]?.arrayValue == [], "\(seen["errors"] ?? .null) \(seen["problems"] ?? .null)")
        let row = try #require(seen["heatmap"]?["rows"]?.arrayValue?.first { $0["entity"] == .string("co-a") }, "\(seen["heatmap"] ?? .null)")
        #expect(row["cells"] == Self.expectedCells(entity, keys: keys))
        #expect(row["cells"]?["macro:tariff"] == .string("undefined") && row["cells"]?["macro:growth"] == .string("2"), "\(row)")
    }

    /// A heat map row's cells as the JSON has them: the exact sensitivity, 0 where left out,
    /// `undefined` where the derivative does not exist.
    static func expectedCells(_ entity: JSONValue, keys: [String]) -> JSONValue {
        let undefined = Set((entity["sensitivities_undefined"]?.arrayValue ?? []).compactMap { $0.stringValue })
        return .object(JSONObject(keys.map { key in
            (key, .string(undefined.contains(key) ? "undefined" : (entity["sensitivities"]?[key] ?? .number(0)).serialized()))
        }))
    }

    @Test(arguments: CLIBackend.available)
    func theDiffViewShowsWhatMovedDifferently(_ backend: CLIBackend) throws {
        let chromium = try #require(Chromium.path, "chromium is not installed: scripts/setup.sh installs it (as root)")
        let (dir, db, cleanup) = try StoreCLI.sampleStore(backend)
        defer { cleanup() }
        for name in ["fed-rate-cut-2025.json", "oil-up-5.json"] {
            let ran = try StoreCLI.run(["run", StoreCLI.packageRoot.appendingPathComponent("Scenarios/" + name).path, "--db", db], in: dir)
            try #require(ran.status == 0, "\(ran.stderr)")
        }
        let diff = try StoreCLI.run(["scenario", "diff", "Fed Rate Cut 2025", "Oil Up 5%", "--json", "--db", db], in: dir)
        let rows = try #require(diff.json?["entities"]?.arrayValue)
        try #require(rows.count >= 3)
        let report = dir.appendingPathComponent("diff.html")
        let written = try StoreCLI.run(["report", "Fed Rate Cut 2025", "--against", "Oil Up 5%", "--out", report.path, "--db", db], in: dir)
        try #require(written.status == 0, "\(written.stderr)")
        let seen = try Chromium.open(report, chromium: chromium, in: dir, arguments: [])
        #expect(seen["errors"] == .null && seen["problems"]?.arrayValue == [], "\(seen["errors"] ?? .null) \(seen["problems"] ?? .null)")
        let html = try #require(seen["html"]?.stringValue)
        for row in rows.prefix(3) {
            let line = Self.element(#"<tr class="mover" data-entity="\#(Self.escaped(row["id"]!.stringValue!))""#,
                                    in: String(html[try #require(html.range(of: #"id="diff""#)).lowerBound...]))
            let difference = row["difference"]!.serialized()
            #expect(line?.contains(#"title="\#(difference)""#) == true, "\(row["id"]!) \(difference): \(line ?? "no row")")
        }
    }

    /// Level 3 clamped to ±5 %: a clamped entity's bar marks the clamp, and its waterfall runs
    /// from the contributions to the unclamped impact, then the clamp, to the clamped impact.
    @Test(arguments: CLIBackend.available)
    func aClampedEntityShowsItsClamp(_ backend: CLIBackend) throws {
        let chromium = try #require(Chromium.path, "chromium is not installed: scripts/setup.sh installs it (as root)")
        let (dir, db, cleanup) = try StoreCLI.sampleStore(backend)
        defer { cleanup() }
        let original = try String(contentsOf: StoreCLI.packageRoot.appendingPathComponent("Scenarios/fed-rate-cut-2025.json"), encoding: .utf8)
        let clamped = original.replacingOccurrences(of: #""name": "Fed Rate Cut 2025""#, with: #""name": "Fed Rate Cut, clamped""#)
            .replacingOccurrences(of: #""feedback_rounds": 0,"#, with: #""feedback_rounds": 0, "level_settings": {"3": {"clamp": [-0.05, 0.05]}},"#)
        let ran = try StoreCLI.run(["run", try StoreCLI.write(clamped, to: "clamped.json", in: dir), "--json", "--db", db], in: dir)
        try #require(ran.status == 0, "\(ran.stderr)")
        let entity = try #require(ran.json?["entities"]?.arrayValue?.filter { $0["clamped"] == .bool(true) }.max {
            abs($0["impact_unclamped"]!.numberValue!) < abs($1["impact_unclamped"]!.numberValue!)
        }, "level 3 has clamped entities")
        let id = entity["id"]!.stringValue!
        let report = dir.appendingPathComponent("clamped.html")
        let written = try StoreCLI.run(["report", "Fed Rate Cut, clamped", "--out", report.path, "--db", db], in: dir)
        try #require(written.status == 0, "\(written.stderr)")
        let seen = try Chromium.open(report, chromium: chromium, in: dir, arguments: ["--click", #"tr.mover[data-entity="\#(id)"]"#])
        #expect(seen["errors"] == .null && seen["problems"]?.arrayValue == [], "\(seen["errors"] ?? .null) \(seen["problems"] ?? .null)")
        let row = Self.element(#"<tr class="mover" data-entity="\#(Self.escaped(id))""#, in: try #require(seen["html"]?.stringValue))
        #expect(row?.contains(#"<rect class="clamp""#) == true && row?.contains(">clamped</span>") == true, "\(row ?? "no row")")
        let click = try #require(seen["clicks"]?.arrayValue?.first)
        #expect(click["selected"]?.stringValue == id, "\(click)")
        let (impact, unclamped) = (entity["impact"]!.numberValue!, entity["impact_unclamped"]!.numberValue!)
        #expect(click["unclamped"]?.stringValue == entity["impact_unclamped"]!.serialized())
        #expect(click["clamp"]?.stringValue == JSONValue.number(impact - unclamped).serialized(), "\(click)")
        #expect(click["impact"]?.stringValue == entity["impact"]!.serialized(), "\(click)")
        let sum = (click["steps"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(Double.init) }.reduce(0, +)
        #expect(abs(sum - unclamped) <= 1e-12 * max(1, abs(unclamped)), "steps sum to \(sum), unclamped \(unclamped)")
    }

    /// A result of more than ten levels' worth of embedded entities keeps the largest movers of
    /// each level and says how many it leaves out, in the header and under the cascade's column.
    @Test(arguments: CLIBackend.available)
    func aLargeResultShowsItsLargestMoversAndSaysHowManyAreLeftOut(_ backend: CLIBackend) throws {
        let chromium = try #require(Chromium.path, "chromium is not installed: scripts/setup.sh installs it (as root)")
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        try #require(try StoreCLI.run(["init", "--db", db], in: dir).status == 0)
        let count = 2_600
        let companies = (0..<count).map { i in
            #"{"id": "co-\#(i)", "type": "COMPANY", "name": "Company \#(i)", "category": "SEMICONDUCTOR", "ontology_level": 3}"#
        }
        let relationships = (0..<count).map { i in
            #"{"id": "rel-\#(i)", "source_entity_id": "macro-fed-funds", "target_entity_id": "co-\#(i)", "type": "IMPACTS", "#
                + #""weight": \#(Double(i + 1) / Double(count)), "impact_formula": "return -2 * source.delta;"}"#
        }
        let world = #"{"entities": [{"id": "macro-fed-funds", "type": "MACRO", "name": "Fed Funds Rate", "category": "INTEREST_RATE", "#
            + #""ontology_level": 0, "metadata": {"variable": "fed_funds_rate", "unit": "%", "current_value": 5.25}}, "#
            + companies.joined(separator: ", ") + #"], "relationships": ["# + relationships.joined(separator: ", ") + "]}"
        let imported = try StoreCLI.run(["import", try StoreCLI.write(world, to: "world.json", in: dir), "--db", db], in: dir)
        try #require(imported.status == 0, "\(imported.stderr)")
        let scenario = try StoreCLI.write(#"{"name": "cut", "author": "alice", "as_of": "2025-06-30", "macro_variables": {"fed_funds_rate": 0.03}}"#,
                                          to: "cut.json", in: dir)
        try #require(try StoreCLI.run(["run", scenario, "--db", db], in: dir).status == 0)
        let report = dir.appendingPathComponent("large.html")
        let written = try StoreCLI.run(["report", "cut", "--out", report.path, "--db", db], in: dir)
        try #require(written.status == 0, "\(written.stderr)")

        let data = try ReportCommandTests.data(try String(contentsOf: report, encoding: .utf8))
        let kept = Set((data["entities"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue })
        #expect(kept == Set(((count - 50)..<count).map { "co-\($0)" }), "the 50 largest (the heaviest weights)")
        #expect(data["entities_reported"] == .number(Double(count)))

        let seen = try Chromium.open(report, chromium: chromium, in: dir, arguments: [])
        #expect(seen["errors"] == .null && seen["problems"]?.arrayValue == [], "\(seen["errors"] ?? .null) \(seen["problems"] ?? .null)")
        let html = try #require(seen["html"]?.stringValue)
        #expect(html.contains("This page holds the 50 largest movers (50 per level) of the \(count) entity results"), "header note")
        #expect(html.contains(">+\(count - 12) more</text>"), "the cascade's column says how many it does not draw")
        #expect(html.contains(#"data-entity="co-\#(count - 1)""#))
    }

    /// The text of the element that starts with `opening` (through its end tag), if any.
    static func element(_ opening: String, in html: String) -> String? {
        guard let start = html.range(of: opening), let end = html.range(of: "</tr>", range: start.upperBound..<html.endIndex) else { return nil }
        return String(html[start.lowerBound..<end.upperBound])
    }

    /// Text as the DOM serialises it inside an element or attribute.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// Debian's `chromium` (`HeadlessChromium`: installed by `scripts/setup.sh` as root), and the
/// report's driver run synchronously.
enum Chromium {
    static var path: String? { HeadlessChromium.path }
    static var runs: Bool { HeadlessChromium.runs }
    static let skipReason = Comment(rawValue: HeadlessChromium.skipReason)

    /// Opens `page` with the driver and returns what it saw.
    static func open(_ page: URL, chromium: String, in dir: URL, arguments: [String]) throws -> JSONValue {
        let driver = StoreCLI.packageRoot.appendingPathComponent("Tests/CascadeCLITests/Browser/report_in_chromium.py").path
        let result = try PackageExecutables.run(URL(fileURLWithPath: "/usr/bin/env"),
                                                ["python3", driver, page.path, "--chromium", chromium] + arguments, in: dir)
        try #require(result.status == 0, "the browser driver failed: \(result.stderr)")
        return try JSONValue.parse(result.stdout)
    }
}
