@testable import CascadeServer
import CascadeJSON
import CascadeStore
import Foundation
import NIOHTTP1
import Testing

/// `POST /v1/formulas/{name}/compare` with `scenarios`: each scenario run under the control and
/// under the treatment, as `cascade formula compare --scenarios` runs it.
@Suite("HTTP compare on scenarios", .serialized)
struct ComparisonScenarioAPITests {
    static let spec = try! String(contentsOf: Cascade.packageRoot.appendingPathComponent("Backtests/gdp_sector_impact.json"), encoding: .utf8)
    static let files = ["Scenarios/financial-crisis-2008.json", "Scenarios/covid-crash-2020.json"]

    /// The answer lists, per scenario, what the command line lists for the same files and store;
    /// a version compared with itself changes nothing.
    @Test(arguments: Backend.available) func scenariosRunUnderBothVersionsAsTheCommandLineRunsThem(_ backend: Backend) async throws {
        let (location, db, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("cal", .calibrator)])
        let server = try await TestServer.start(location)
        let steeper = """
            {"name": "gdp_sector_impact", "formula_text": "return (gdpGrowth - baseline) * elasticity * 1.5 * 100;",
             "parameters": {"gdpGrowth": "number", "baseline": "number", "elasticity": "number"}, "effective_date": "2025-01-01",
             "test_cases": [{"inputs": {"gdpGrowth": 0.03, "baseline": 0.02, "elasticity": 1.8}, "expected": 2.7, "tolerance": 1e-9}]}
            """
        #expect(try await server.request(.POST, "/v1/formulas?inactive=true", key: keys["cal"], body: steeper).status == 201)
        let documents = try Self.files.map { try String(contentsOf: Cascade.packageRoot.appendingPathComponent($0), encoding: .utf8) }
        func compare(_ control: Int, _ treatment: Int) async throws -> TestServer.Reply {
            let body = #"{"control": \#(control), "treatment": \#(treatment), "backtest": \#(Self.spec), "top": 2, "scenarios": [\#(documents.joined(separator: ", "))]}"#
            let reply = try await server.request(.POST, "/v1/formulas/gdp_sector_impact/compare", key: keys["cal"], body: body)
            #expect(OpenAPISpec.shared.problems("POST", "/v1/formulas/{name}/compare", reply).isEmpty,
                    "\(OpenAPISpec.shared.problems("POST", "/v1/formulas/{name}/compare", reply))")
            return reply
        }

        let compared = try await compare(1, 2)
        #expect(compared.status == 200, "\(compared.body)")
        let runs = try #require(compared.json?["scenarios"]?.arrayValue)
        #expect(runs.map { $0["scenario"]?.stringValue } == ["2008 Financial Crisis", "COVID-19 Crash"], "\(compared.body)")
        for run in runs {
            #expect((run["changed"]?.numberValue ?? 0) > 0, "\(run.serialized())")
            #expect(run["largest"]?.arrayValue?.count == 2, "\(run.serialized())")
        }
        let cli = try Cascade.run(["formula", "compare", "gdp_sector_impact@1", "gdp_sector_impact@2", "--backtest",
                                   Cascade.packageRoot.appendingPathComponent("Backtests/gdp_sector_impact.json").path, "--top", "2",
                                   "--scenarios"] + Self.files.map { Cascade.packageRoot.appendingPathComponent($0).path } + ["--json", "--db", db],
                                  in: Cascade.packageRoot)
        #expect(cli.status == 0, "\(cli.stderr)")
        #expect(try JSONValue.parse(cli.stdout)["scenarios"] == .array(runs), "the command line: \(cli.stdout.prefix(800))")

        let itself = try await compare(1, 1)
        #expect(itself.json?["scenarios"]?.arrayValue?.map { $0["changed"] } == [.number(0), .number(0)], "\(itself.body)")
        await server.stop()
    }

    /// A bad scenario is reported at its place in the request, with every other problem; nothing is run or recorded.
    @Test func badScenariosAreRefusedByTheirPath() async throws {
        let (location, _, cleanup) = try Backend.sqlite.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("cal", .calibrator)])
        let server = try await TestServer.start(location)
        let good = try String(contentsOf: Cascade.packageRoot.appendingPathComponent(Self.files[0]), encoding: .utf8)
        let cases: [(scenarios: String, extra: String, paths: [String])] = [
            ("[\(good), 7]", "", ["$.scenarios[1]"]),
            ("[\(good), {\"name\": \"x\", \"macro_variables\": {\"us_gdp_growth\": \"low\"}}]", "", ["$.scenarios[1].macro_variables.us_gdp_growth"]),
            ("\"fed-rate-cut-2025\"", "", ["$.scenarios"]),
            ("[" + Array(repeating: good, count: 51).joined(separator: ",") + "]", "", ["$.scenarios"]),
            ("[\(good)]", ", \"top\": -1", ["$.top"]),
        ]
        for (scenarios, extra, paths) in cases {
            let body = #"{"control": 1, "treatment": 1, "backtest": \#(Self.spec), "scenarios": \#(scenarios)\#(extra)}"#
            let reply = try await server.request(.POST, "/v1/formulas/gdp_sector_impact/compare?record=true", key: keys["cal"], body: body)
            #expect(reply.status == 400 && reply.errorCode == "invalid_comparison", "\(reply.body.prefix(600))")
            let found = (reply.error?["problems"]?.arrayValue ?? []).compactMap { $0["path"]?.stringValue }
            for path in paths { #expect(found.contains(path), "\(path) in \(reply.body.prefix(600))") }
            #expect(OpenAPISpec.shared.problems("POST", "/v1/formulas/{name}/compare", reply).isEmpty)
        }
        #expect(try Store(location).abTests(formula: nil).isEmpty, "a refused comparison recorded nothing")
        await server.stop()
    }
}
