import CascadeJSON
import CascadeStore
import CascadeTestSupport
import Foundation
import Testing

/// How a person names a stored scenario on the command line: by id, by a unique id prefix of six
/// characters or more, or by a unique name — never by a silent pick among several.
@Suite("cascade scenario show | run | delete: naming a scenario (end to end)")
struct ScenarioCommandTests {
    static func document(name: String, rate: Double) -> String {
        #"{"name": "\#(name)", "author": "alice", "macro_variables": {"fed_funds_rate": \#(rate)}, "as_of": "2025-06-30"}"#
    }

    @Test(arguments: CLIBackend.available)
    func aScenarioIsNamedByIdPrefixOrUniqueNameAndCanBeDeleted(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        try StoreCLI.initWithMacroWorld(db, in: dir)
        var ids: [String] = []
        for (i, rate) in [0.03, 0.04].enumerated() {
            let file = try StoreCLI.write(Self.document(name: "twin", rate: rate), to: "twin\(i).json", in: dir)
            let submitted = try StoreCLI.run(["scenario", "submit", file, "--db", db], in: dir)
            try #require(submitted.status == 0, "\(submitted.stderr)")
            ids.append(submitted.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        }

        // Two scenarios share the name: an error that lists both, not the newer one in silence.
        let ambiguous = try StoreCLI.run(["scenario", "show", "twin", "--db", db], in: dir)
        #expect(ambiguous.status != 0)
        #expect(ambiguous.stderr.contains("names 2 scenarios"), "\(ambiguous.stderr)")
        for id in ids { #expect(ambiguous.stderr.contains(id)) }
        let notRun = try StoreCLI.run(["scenario", "run", "twin", "--db", db], in: dir)
        #expect(notRun.status != 0)
        #expect(notRun.stderr.contains("names 2 scenarios"), "\(notRun.stderr)")

        // A unique prefix of 6+ characters names one; a shorter one is not taken as a prefix.
        let byPrefix = try StoreCLI.run(["scenario", "show", String(ids[0].prefix(8)), "--db", db, "--json"], in: dir)
        #expect(byPrefix.status == 0, "\(byPrefix.stderr)")
        #expect(byPrefix.json?["id"]?.stringValue == ids[0])
        let tooShort = try StoreCLI.run(["scenario", "show", String(ids[0].prefix(5)), "--db", db], in: dir)
        #expect(tooShort.status != 0)
        #expect(tooShort.stderr.contains("no scenario"), "\(tooShort.stderr)")

        // Deleting one (by its full id) leaves the name unique; the delete is audited.
        let deleted = try StoreCLI.run(["scenario", "delete", ids[0], "--db", db], in: dir)
        #expect(deleted.status == 0, "\(deleted.stderr)")
        #expect(deleted.stdout.contains("deleted scenario \(ids[0])"))
        let byName = try StoreCLI.run(["scenario", "show", "twin", "--db", db, "--json"], in: dir)
        #expect(byName.status == 0, "\(byName.stderr)")
        #expect(byName.json?["id"]?.stringValue == ids[1])
        let again = try StoreCLI.run(["scenario", "delete", ids[0], "--db", db], in: dir)
        #expect(again.status != 0)
        #expect(again.stderr.contains("no scenario"))
        let audited = try Store(StoreLocation(db)).read { db in
            try db.query("SELECT row_id FROM audit_log WHERE action = 'delete' AND table_name = 'scenarios'").compactMap { $0.string("row_id") }
        }
        #expect(audited == [ids[0]])
    }

    /// (what the author wrote, the JSON path of the problem, text the message must hold)
    static let mistakes: [(String, String, String)] = [
        (#""macro_variables": {"fed_fund_rate": 0.03, "tariff": 0}"#, "$.macro_variables.fed_fund_rate", "did you mean `fed_funds_rate`?"),
        (#""macro_variables": {"fed_funds_rate": 2.5, "tariff": 0}"#, "$.macro_variables.fed_funds_rate", "2.5 is 250 % (hint: did you mean 0.025 (2.5 %)?"),
        (#""macro_variables": {"oil_price": 80}, "entity_shocks": {"co-nvidi": -0.1}"#, #"$.entity_shocks["co-nvidi"]"#, "did you mean `co-nvidia`?"),
        (#""macro_variables": {"oil_price": 80}, "entity_shocks": {"NVIDIA": -0.1}"#, "$.entity_shocks.NVIDIA", "is the name of `co-nvidia`"),
        (#""macro_variables": {"fed_funds_rate": {"value": 2.5, "unit": "percent points"}}"#, "$.macro_variables.fed_funds_rate.unit", "unknown unit"),
    ]

    @Test(arguments: CLIBackend.available, mistakes.indices)
    func aMistakeFailsAtSubmitAndNothingIsStored(_ backend: CLIBackend, _ index: Int) throws {
        let (text, path, message) = Self.mistakes[index]
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        try StoreCLI.initWithMacroWorld(db, in: dir)
        let file = try StoreCLI.write(#"{"name": "mistake", "author": "alice", "as_of": "2025-06-30", "# + text + "}", to: "s.json", in: dir)
        let submitted = try StoreCLI.run(["scenario", "submit", file, "--db", db], in: dir)
        #expect(submitted.status != 0)
        #expect(submitted.stderr.contains(path), "\(submitted.stderr)")
        #expect(submitted.stderr.contains(message), "\(submitted.stderr)")
        if message.contains("did you mean") {  // said once, in the hint
            let line = submitted.stderr.split(separator: "\n").first { $0.contains(path) }.map(String.init) ?? ""
            #expect(line.ranges(of: "did you mean").count == 1 && line.contains("(hint: did you mean"), "\(line)")
        }
        let listed = try StoreCLI.run(["run", file, "--db", db], in: dir)
        #expect(listed.status != 0, "`cascade run` stored or ran it: \(listed.stdout)")
        #expect(try StoreCLI.run(["scenario", "list", "--db", db, "--json"], in: dir).json == .array([]))
    }

    @Test(arguments: CLIBackend.available)
    func explicitUnitsAndVariablesOnlyFormulasReadAreAccepted(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        try StoreCLI.initWithMacroWorld(db, in: dir)
        let file = try StoreCLI.write(#"""
            {"name": "explicit", "author": "alice", "as_of": "2025-06-30",
             "macro_variables": {"fed_funds_rate": {"value": 2.5, "unit": "%"}, "oil_price": {"value": 80, "unit": "decimal"}, "tariff": 0.25}}
            """#, to: "s.json", in: dir)
        let submitted = try StoreCLI.run(["scenario", "submit", file, "--db", db, "--json"], in: dir)
        #expect(submitted.status == 0, "\(submitted.stderr)")
        let id = try #require(submitted.json?["scenario_id"]?.stringValue)
        let shown = try StoreCLI.run(["scenario", "show", id, "--db", db, "--json"], in: dir)
        let variables = shown.json?["scenario"]?["macro_variables"]
        #expect(variables?["fed_funds_rate"] == .number(0.025))
        #expect(variables?["oil_price"] == .number(80))
        #expect(variables?["tariff"] == .number(0.25))
    }

    /// A scenario without `as_of` is stored as of the submission date, and the result says so.
    @Test func aMissingAsOfIsStatedWithTheResult() throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(.sqlite)
        defer { cleanup() }
        try StoreCLI.initWithMacroWorld(db, in: dir)
        let file = try StoreCLI.write(#"{"name": "undated", "author": "alice", "macro_variables": {"fed_funds_rate": 0.03, "tariff": 0}}"#,
                                      to: "s.json", in: dir)
        let ran = try StoreCLI.run(["run", file, "--db", db], in: dir)
        #expect(ran.status == 0, "\(ran.stderr)")
        #expect(ran.stdout.contains("(today: set `as_of` to pin it)"), "\(ran.stdout)")
        #expect(ran.stderr.contains("has no `as_of`; it is stored as of"), "\(ran.stderr)")
        let dated = try StoreCLI.write(#"{"name": "dated", "author": "alice", "as_of": "2025-06-30", "macro_variables": {"fed_funds_rate": 0.03, "tariff": 0}}"#,
                                       to: "d.json", in: dir)
        let pinned = try StoreCLI.run(["run", dated, "--db", db], in: dir)
        #expect(pinned.stdout.contains("as of 2025-06-30 ·"), "\(pinned.stdout)")
        #expect(!pinned.stdout.contains("set `as_of`"))
    }

    /// `scenario diff`: per entity B − A with its causes, the inputs that differ, as JSON, a table
    /// and CSV that Python's csv module reads back to the same numbers.
    @Test(arguments: CLIBackend.available)
    func twoScenariosAreComparedEntityByEntity(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        let formulas = ["CASCADE_FORMULAS": StoreCLI.packageRoot.appendingPathComponent("Formulas").path]
        try #require(try StoreCLI.run(["init", "--sample", "--db", db], in: dir, environment: formulas).status == 0)
        var ids: [String] = []
        var results: [JSONValue] = []
        for name in ["rates-up-25bp", "rates-down-25bp"] {
            let file = StoreCLI.packageRoot.appendingPathComponent("Scenarios/\(name).json").path
            let ran = try StoreCLI.run(["run", file, "--db", db, "--json"], in: dir)
            try #require(ran.status == 0, "\(ran.stderr)")
            ids.append(try #require(ran.json?["scenario_id"]?.stringValue))
            results.append(try #require(ran.json))
        }
        func impacts(_ result: JSONValue) -> [String: Double] {
            Dictionary(uniqueKeysWithValues: (result["entities"]?.arrayValue ?? []).compactMap { e in
                e["id"]?.stringValue.map { ($0, e["impact"]?.numberValue ?? .nan) }
            })
        }
        let (a, b) = (impacts(results[0]), impacts(results[1]))

        let diff = try StoreCLI.run(["scenario", "diff", ids[0], ids[1], "--db", db, "--json"], in: dir)
        #expect(diff.status == 0, "\(diff.stderr)")
        let rows = diff.json?["entities"]?.arrayValue ?? []
        #expect(rows.count == a.keys.filter { a[$0] != b[$0] }.count)
        #expect(diff.json?["entity_count"] == .number(Double(rows.count)))
        var previous = Double.infinity
        for row in rows {
            let id = row["id"]?.stringValue ?? ""
            #expect(row["impact_a"]?.numberValue == a[id] && row["impact_b"]?.numberValue == b[id], "\(id)")
            let difference = row["difference"]?.numberValue ?? .nan
            #expect(difference == (b[id] ?? 0) - (a[id] ?? 0))
            #expect(abs(difference) <= previous)
            previous = abs(difference)
            let causes = (row["causes"]?.objectValue?.pairs ?? []).reduce(0.0) { $0 + ($1.value.numberValue ?? 0) }
            #expect(abs(causes - difference) <= 1e-12, "\(id): causes sum to \(causes), not \(difference)")
        }
        let inputs = diff.json?["inputs"]?.arrayValue ?? []
        #expect(inputs.contains { $0["key"] == .string("macro:fed_funds_rate") && $0["a"] == .number(0.055) && $0["b"] == .number(0.05) })

        let table = try StoreCLI.run(["scenario", "diff", ids[0], ids[1], "--db", db, "--top", "2"], in: dir)
        #expect(table.stdout.contains("Real Estate"), "\(table.stdout)")
        #expect(table.stdout.contains("macro:fed_funds_rate  Fed Funds Rate: 0.055 → 0.05"))

        let csv = try StoreCLI.run(["scenario", "diff", ids[0], ids[1], "--db", db, "--format", "csv"], in: dir)
        let csvFile = try StoreCLI.write(csv.stdout, to: "diff.csv", in: dir)
        let read = try PackageExecutablesPython.run(#"""
            import csv, json, sys
            rows = list(csv.DictReader(open(sys.argv[1], newline="")))
            print(json.dumps([[r["id"], float(r["impact_a"]), float(r["impact_b"]), float(r["difference"])] for r in rows]))
            """#, csvFile, in: dir)
        let parsed = try JSONValue.parse(read).arrayValue ?? []
        #expect(parsed.count == rows.count)
        for (line, row) in zip(parsed.map { $0.arrayValue ?? [] }, rows) {
            #expect(line == [row["id"], row["impact_a"], row["impact_b"], row["difference"]].compactMap { $0 }, "\(line)")
        }
    }
}

/// Runs a Python 3 snippet (the reference reader for CSV) and returns its standard output.
enum PackageExecutablesPython {
    static func run(_ script: String, _ arguments: String..., in dir: URL) throws -> String {
        let path = try StoreCLI.write(script, to: "read.py", in: dir)
        let result = try PackageExecutables.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", path] + arguments, in: dir)
        try #require(result.status == 0, "\(result.stderr)")
        return result.stdout
    }
}

/// `cascade run FILE --format csv` and `cascade scenario run ID --format csv`: the run's result as
/// RFC 4180 CSV that Python's csv module reads back to the JSON result's values, entity by entity.
@Suite("cascade run --format csv: a result for pandas and spreadsheets (end to end)")
struct ResultCSVTests {
    /// Python reads the CSV and prints each row's fields as JSON (numbers as floats, empty as null).
    static let reader = #"""
        import csv, json, sys
        rows = list(csv.DictReader(open(sys.argv[1], newline="")))
        def number(text): return float(text) if text != "" else None
        print(json.dumps({"header": list(rows[0].keys()) if rows else [], "rows": [
            [r["id"], r["name"], r["type"], int(r["level"]), r["status"], number(r["baseline_value"]), number(r["projected_value"]),
             float(r["impact"]), float(r["impact_unclamped"]), r["clamped"] == "true",
             [[c.rsplit("=", 1)[0], float(c.rsplit("=", 1)[1])] for c in r["top_contributions"].split(";") if c]]
            for r in rows]}))
        """#

    @Test(arguments: CLIBackend.available)
    func aResultIsWrittenAsCSVThatReadsBackToTheJSON(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        let formulas = ["CASCADE_FORMULAS": StoreCLI.packageRoot.appendingPathComponent("Formulas").path]
        try #require(try StoreCLI.run(["init", "--sample", "--db", db], in: dir, environment: formulas).status == 0)
        let file = StoreCLI.packageRoot.appendingPathComponent("Scenarios/fed-rate-cut-2025.json").path
        let ran = try StoreCLI.run(["run", file, "--db", db, "--json"], in: dir)
        try #require(ran.status == 0, "\(ran.stderr)")
        let id = try #require(ran.json?["scenario_id"]?.stringValue)
        let entities = ran.json?["entities"]?.arrayValue ?? []
        try #require(entities.count > 10)

        // What the CSV must say for an entity, from its JSON.
        func expected(_ e: JSONValue) -> JSONValue {
            var counted: [(String, Double)] = []
            for c in e["contributions"]?.arrayValue ?? [] where (c["value"]?.numberValue ?? 0) != 0 {
                counted.append((c["shock"] == .bool(true) ? "shock:\(e["id"]?.stringValue ?? "")" : c["source_id"]?.stringValue ?? "",
                                c["value"]?.numberValue ?? 0))
            }
            let top = counted.enumerated().sorted {
                abs($0.element.1) != abs($1.element.1) ? abs($0.element.1) > abs($1.element.1) : $0.offset < $1.offset
            }.prefix(3).map { JSONValue.array([.string($0.element.0), .number($0.element.1)]) }
            return .array([e["id"] ?? .null, e["name"] ?? .null, e["type"] ?? .null, e["level"] ?? .null, e["status"] ?? .null,
                           e["baseline_value"] ?? .null, e["projected_value"] ?? .null, e["impact"] ?? .null,
                           e["impact_unclamped"] ?? .null, e["clamped"] ?? .null, .array(Array(top))])
        }
        // The entity JSON carries the value the projection moves from.
        let withValue = entities.filter { $0["baseline_value"]?.numberValue != nil }
        #expect(!withValue.isEmpty)
        for e in withValue {
            let (baseline, impact) = (e["baseline_value"]?.numberValue ?? .nan, e["impact"]?.numberValue ?? .nan)
            #expect(e["projected_value"]?.numberValue == baseline * (1 + impact), "\(e["id"] ?? .null)")
        }

        for command in [["run", file], ["scenario", "run", id], ["scenario", "run", id, "--force"]] {
            let csv = try StoreCLI.run(command + ["--db", db, "--format", "csv"], in: dir)
            try #require(csv.status == 0, "\(command): \(csv.stderr)")
            #expect(csv.stdout.hasPrefix("id,name,type,level,status,baseline_value,projected_value,impact,impact_unclamped,clamped,top_contributions\r\n"))
            let read = try JSONValue.parse(try PackageExecutablesPython.run(Self.reader, try StoreCLI.write(csv.stdout, to: "result.csv", in: dir), in: dir))
            let rows = read["rows"]?.arrayValue ?? []
            #expect(rows.count == entities.count, "\(command)")
            for (row, entity) in zip(rows, entities) {
                #expect(row == expected(entity), "\(command): \(row) ≠ \(expected(entity))")
            }
        }

        // CSV and --json both on stdout: refused, naming both.
        let both = try StoreCLI.run(["scenario", "run", id, "--db", db, "--format", "csv", "--json"], in: dir)
        #expect(both.status != 0)
        #expect(both.stderr.contains("`--format csv` and `--json`"), "\(both.stderr)")
    }
}
