import CascadeJSON
import CascadeTestSupport
import Foundation
import Testing

/// `cascade run FILE` and `cascade scenario run ID` on a Monte Carlo scenario: the summary's
/// bands, `--json`'s distributions and `--format csv`'s distribution columns, which agree.
struct MonteCarloCommandTests {
    static let scenario = #"""
    {"name": "Fed Rate Cut 2025, uncertain", "author": "quant-master", "as_of": "2025-06-30",
     "macro_variables": {"fed_funds_rate": {"normal": {"mean": 2.5, "sd": 0.5, "unit": "%"}},
                         "us_gdp_growth": {"triangular": {"min": 1.5, "mode": 3.5, "max": 4.5, "unit": "%"}},
                         "us_cpi": {"uniform": {"min": 2, "max": 3.5, "unit": "%"}}},
     "correlation": {"variables": ["fed_funds_rate", "us_cpi"], "matrix": [[1, 0.6], [0.6, 1]]},
     "draws": 300}
    """#

    @Test(arguments: CLIBackend.available)
    func runPrintsStoresAndExportsTheDistribution(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.sampleStore(backend)
        defer { cleanup() }
        let file = try StoreCLI.write(Self.scenario, to: "uncertain.json", in: dir)
        let run = try StoreCLI.run(["run", file, "--top", "2", "--db", db], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("Monte Carlo: 300 draws of `fed_funds_rate`, `us_cpi`, `us_gdp_growth` · seed 0"), "\(run.stdout)")
        #expect(run.stdout.contains("Widest 5–95 % bands by level") && run.stdout.contains("  Level 2\n"), "\(run.stdout)")

        let id = try #require(StoreCLI.run(["scenario", "list", "--json", "--db", db], in: dir).json?.arrayValue?
            .first { $0["name"] == .string("Fed Rate Cut 2025, uncertain") }?["id"]?.stringValue)
        let json = try #require(StoreCLI.run(["scenario", "run", id, "--json", "--db", db], in: dir).json)
        #expect(json["monte_carlo"]?["draws"] == .number(300) && json["monte_carlo"]?["seed"] == .number(0))
        let entities = try #require(json["entities"]?.arrayValue)
        #expect(!entities.isEmpty && entities.allSatisfy { $0["distribution"]?["p95"]?.numberValue != nil })

        let csv = try StoreCLI.run(["scenario", "run", id, "--format", "csv", "--db", db], in: dir)
        #expect(csv.status == 0, "\(csv.stderr)")
        let lines = csv.stdout.split(whereSeparator: \.isNewline)  // RFC 4180: CRLF
        #expect(lines.first == "id,name,type,level,status,baseline_value,projected_value,impact,impact_unclamped,clamped,top_contributions,mean,sd,p1,p5,p50,p95,p99,p_below")
        #expect(lines.count == entities.count + 1)
        // The CSV's distribution columns are the JSON's numbers (read back with Python's csv module).
        let csvFile = try StoreCLI.write(csv.stdout, to: "result.csv", in: dir)
        let jsonFile = try StoreCLI.write(json.serialized(), to: "result.json", in: dir)
        let check = """
        import csv, json
        rows = {r['id']: r for r in csv.DictReader(open('\(csvFile)'))}
        doc = json.load(open('\(jsonFile)'))
        bad = [e['id'] for e in doc['entities'] for k, v in e['distribution'].items() if float(rows[e['id']][k]) != v]
        print(len(rows), len(bad))
        """
        let python = try PackageExecutables.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", check], in: dir)
        #expect(python.stdout == "\(entities.count) 0\n", "\(python.stdout) \(python.stderr)")
    }
}
