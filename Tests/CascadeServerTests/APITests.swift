@testable import CascadeServer
import CascadeEngine
import CascadeJSON
import CascadeStore
import Foundation
import NIOHTTP1
import Testing

/// Records every reply's problems against docs/openapi.json.
final class SpecRecorder: @unchecked Sendable {
    private(set) var problems: [String] = []
    private(set) var covered: Set<String> = []

    func check(_ method: HTTPMethod, _ template: String, _ reply: TestServer.Reply) -> TestServer.Reply {
        covered.insert("\(method.rawValue) \(template)")
        problems += OpenAPISpec.shared.problems(method.rawValue, template, reply)
        return reply
    }
}

@Suite("HTTP API", .serialized)
struct APITests {
    @Test func specDescribesExactlyTheEndpoints() {
        let served = Set(API.endpoints.map { "\($0.method.rawValue) \($0.path)" })
        #expect(served == OpenAPISpec.shared.operations, "in the code but not the spec: \(served.subtracting(OpenAPISpec.shared.operations)); in the spec only: \(OpenAPISpec.shared.operations.subtracting(served))")
    }

    /// A result with its entities is written into the response piece by piece (chunked, no
    /// Content-Length: the server never holds a large result's text whole), and is byte for byte
    /// the document the service makes; without its entities it is one summary.
    @Test(arguments: Backend.available) func aResultDocumentIsStreamed(_ backend: Backend) async throws {
        let (location, _, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("alice", .author)])
        let server = try await TestServer.start(location)
        let id = try #require(try await server.request(.POST, "/v1/scenarios", key: keys["alice"],
                                                       body: scenarioJSON(name: "streamed", author: "alice")).json?["id"]?.stringValue)
        #expect(try await server.request(.POST, "/v1/scenarios/\(id)/runs?wait=120", key: keys["alice"]).status == 200)
        let whole = try await server.request(.GET, "/v1/scenarios/\(id)/result", key: keys["alice"])
        #expect(whole.status == 200)
        #expect(whole.headers["Transfer-Encoding"].first == "chunked" && whole.headers["Content-Length"].isEmpty, "\(whole.headers)")
        #expect(whole.headers["Content-Type"].first == "application/json; charset=utf-8")
        let expected = try #require(try ScenarioService(store: Store(location)).storedResult(id, onlyIfCurrent: false, includeEntities: true))
        #expect(whole.body == expected.documentText + "\n")
        #expect((whole.json?["entities"]?.arrayValue?.count ?? 0) > 100)
        let summary = try await server.request(.GET, "/v1/scenarios/\(id)/result?entities=false", key: keys["alice"])
        #expect(summary.headers["Content-Length"].first.flatMap(Int.init) == summary.body.utf8.count)
    }

    /// Every endpoint, called as its users would, each answer checked against the OpenAPI description.
    @Test(arguments: Backend.available) func everyEndpointMatchesTheSpec(_ backend: Backend) async throws {
        let (location, _, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("root", .admin), ("alice", .author), ("cal", .calibrator), ("vic", .viewer)])
        let server = try await TestServer.start(location)
        let spec = SpecRecorder()
        func call(_ method: HTTPMethod, _ template: String, _ path: String? = nil, as user: String?, _ body: String? = nil) async throws -> TestServer.Reply {
            spec.check(method, template, try await server.request(method, path ?? template, key: user.flatMap { keys[$0] }, body: body))
        }

        #expect(try await call(.GET, "/v1/health", as: nil).json?["status"] == .string("ok"))
        let added = try await call(.POST, "/v1/users", as: "root", #"{"username": "dora", "role": "author"}"#)
        #expect(added.status == 201)
        let doraKey = try #require(added.json?["api_key"]?.stringValue)
        #expect(try await server.request(.GET, "/v1/scenarios", key: doraKey).status == 200)
        #expect(try await call(.GET, "/v1/users", as: "root").json?["users"]?.arrayValue?.count == 5)

        let submitted = try await call(.POST, "/v1/scenarios", as: "alice", scenarioJSON(name: "API walk", author: "alice"))
        #expect(submitted.status == 201)
        let id = try #require(submitted.json?["id"]?.stringValue)
        #expect(try await call(.GET, "/v1/scenarios", as: "vic").json?["scenarios"]?.arrayValue?.count == 1)
        #expect(try await call(.GET, "/v1/scenarios/{id}", "/v1/scenarios/\(id)", as: "vic").json?["author"] == .string("alice"))
        let replaced = try await call(.PUT, "/v1/scenarios/{id}", "/v1/scenarios/\(id)", as: "alice",
                                      scenarioJSON(name: "API walk", author: "alice", rate: 0.03))
        #expect(replaced.status == 200)

        let first = try await call(.POST, "/v1/scenarios/{id}/runs", "/v1/scenarios/\(id)/runs?wait=120", as: "alice")
        #expect(first.status == 200)
        #expect(first.json?["cached"] == .bool(false))
        #expect((first.json?["entities"]?.arrayValue?.count ?? 0) > 100)
        let second = try await call(.POST, "/v1/scenarios/{id}/runs", "/v1/scenarios/\(id)/runs", as: "cal")
        #expect(second.status == 200)
        #expect(second.json?["cached"] == .bool(true))
        #expect(try await call(.GET, "/v1/me", as: "vic").json?["role"] == .string("viewer"))
        let report = try await call(.GET, "/v1/scenarios/{id}/report", "/v1/scenarios/\(id)/report", as: "vic")
        #expect(report.json?["result"]?["fingerprint"] == first.json?["fingerprint"])
        #expect(second.json?["fingerprint"] == first.json?["fingerprint"])
        let forced = try await call(.POST, "/v1/scenarios/{id}/runs", "/v1/scenarios/\(id)/runs?force=true&entities=false", as: "alice")
        #expect(forced.status == 202 || forced.status == 200)
        if forced.status == 202 {
            let job = try #require(forced.json?["id"]?.stringValue)
            #expect(forced.headers["Location"].first == "/v1/runs/\(job)")
            let done = try await call(.GET, "/v1/runs/{id}", "/v1/runs/\(job)?wait=120&entities=false", as: "vic")
            #expect(done.status == 200)
            #expect(done.json?["fingerprint"] == first.json?["fingerprint"])
        }
        #expect(try await call(.GET, "/v1/scenarios/{id}/result", "/v1/scenarios/\(id)/result", as: "vic").json?["fingerprint"]
                == first.json?["fingerprint"])
        #expect(try await call(.GET, "/v1/scenarios/{id}/result", "/v1/scenarios/\(id)/result?entities=false", as: "vic").status == 200)

        // Two scenarios' stored results compared; one without a result yet is a 409.
        let other = try #require(try await call(.POST, "/v1/scenarios", as: "alice",
                                                scenarioJSON(name: "API walk, deeper cut", author: "alice", rate: 0.02)).json?["id"]?.stringValue)
        let unrun = try await call(.GET, "/v1/scenarios/{id}/diff/{other}", "/v1/scenarios/\(id)/diff/\(other)", as: "vic")
        #expect(unrun.status == 409, "\(unrun.body)")
        #expect(try await call(.POST, "/v1/scenarios/{id}/runs", "/v1/scenarios/\(other)/runs?wait=120&entities=false", as: "alice").status == 200)
        let compared = try await call(.GET, "/v1/scenarios/{id}/diff/{other}", "/v1/scenarios/\(id)/diff/\(other)?limit=3", as: "vic")
        #expect(compared.status == 200, "\(compared.body)")
        #expect(compared.json?["entities"]?.arrayValue?.count == 3)
        #expect((compared.json?["entity_count"]?.numberValue ?? 0) > 3)
        #expect(compared.json?["inputs"]?.arrayValue?.first?["key"] == .string("macro:fed_funds_rate"))

        // Why an entity moved: its contributions (adding up to its unclamped impact) and their sources.
        let explained = try await call(.GET, "/v1/scenarios/{id}/explain", "/v1/scenarios/\(id)/explain?entity=Real%20Estate&depth=2", as: "vic")
        #expect(explained.status == 200, "\(explained.body)")
        let node = explained.json?["entity"]
        let sum = (node?["contributions"]?.arrayValue ?? []).reduce(0.0) { $0 + ($1["value"]?.numberValue ?? 0) }
        #expect(node?["impact_unclamped"]?.numberValue == sum && sum != 0, "\(explained.body)")
        #expect((node?["sources"]?.arrayValue ?? []).contains { $0["macro"]?["variable"] == .string("fed_funds_rate") })
        #expect(try await call(.GET, "/v1/scenarios/{id}/explain", "/v1/scenarios/\(id)/explain?entity=nope", as: "vic").status == 404)
        #expect(try await call(.GET, "/v1/scenarios/{id}/explain", "/v1/scenarios/\(id)/explain", as: "vic").status == 400)

        // Sensitivities (of a scenario of their own, so the walk's cached result stays as it is):
        // exact ∂impact/∂value per variable, checked against the spec; a viewer cannot run one.
        let sensitive = try #require(try await call(.POST, "/v1/scenarios", "/v1/scenarios?sensitivities=true", as: "alice",
                                                    scenarioJSON(name: "API walk, sensitivities", author: "alice", rate: 0.03)).json?["id"]?.stringValue)
        let runWith = try await call(.POST, "/v1/scenarios/{id}/runs", "/v1/scenarios/\(sensitive)/runs?wait=120", as: "alice")
        #expect(runWith.status == 200, "\(runWith.body)")
        #expect(runWith.json?["sensitivity_keys"]?.arrayValue?.contains(.string("macro:fed_funds_rate")) == true, "\(runWith.body.prefix(300))")
        let derivatives = try await call(.GET, "/v1/scenarios/{id}/sensitivities",
                                         "/v1/scenarios/\(sensitive)/sensitivities?entity=Real%20Estate", as: "alice")
        #expect(derivatives.status == 200, "\(derivatives.body)")
        #expect(derivatives.json?["entities"]?.arrayValue?.count == 1)
        #expect(derivatives.json?["entities"]?.arrayValue?.first?["sensitivities"]?["macro:fed_funds_rate"]?.numberValue != nil,
                "\(derivatives.body)")
        #expect(try await call(.GET, "/v1/scenarios/{id}/sensitivities", "/v1/scenarios/\(sensitive)/sensitivities?entity=nope",
                               as: "alice").status == 404)
        #expect(try await call(.GET, "/v1/scenarios/{id}/sensitivities", "/v1/scenarios/\(sensitive)/sensitivities", as: "vic").status == 403)

        // What-if: the base with changes is the caller's own (cached) scenario, compared with the
        // base; a saved session takes changes, keeps a summary per run, closes, and is its author's alone.
        let whatIf = try await call(.POST, "/v1/whatif", as: "alice", #"{"base": "\#(id)", "set": {"fed_funds_rate": 0.035}, "save": "walk"}"#)
        #expect(whatIf.status == 201, "\(whatIf.body)")
        let session = try #require(whatIf.json?["session"]?["id"]?.stringValue)
        #expect(whatIf.headers["Location"].first == "/v1/whatif/\(session)")
        #expect(whatIf.json?["inputs"]?.arrayValue?.first?["b"] == .number(0.035))
        let same = try await call(.POST, "/v1/whatif", as: "alice", #"{"base": "\#(id)", "set": {"fed_funds_rate": 0.035}}"#)
        #expect(same.status == 200 && same.json?["cached"] == .bool(true) && same.json?["session"] == .null, "\(same.body)")
        #expect(same.json?["scenario_id"] == whatIf.json?["scenario_id"])
        let typo = try await call(.POST, "/v1/whatif", as: "alice", #"{"base": "\#(id)", "set": {"fed_fund_rate": 0.035}}"#)
        #expect(typo.status == 400 && typo.body.contains("did you mean `fed_funds_rate`"), "\(typo.body)")
        #expect(try await call(.GET, "/v1/whatif", as: "alice").json?["sessions"]?.arrayValue?.count == 1)
        #expect(try await call(.GET, "/v1/whatif", as: "vic").json?["sessions"]?.arrayValue?.count == 0)
        #expect(try await call(.GET, "/v1/whatif/{id}", "/v1/whatif/\(session)", as: "vic").status == 404)
        #expect(try await server.request(.POST, "/v1/whatif/\(session)/cancel", key: doraKey).status == 404)
        #expect(try await call(.GET, "/v1/whatif/{id}", "/v1/whatif/\(session)", as: "alice").json?["status"] == .string("active"))
        let changed = try await call(.POST, "/v1/whatif/{id}/changes", "/v1/whatif/\(session)/changes", as: "alice",
                                     #"{"shocks": {"co-nvidia": -0.1}}"#)
        #expect(changed.status == 200, "\(changed.body)")
        #expect(changed.json?["session"]?["history"]?.arrayValue?.count == 2)
        #expect(changed.json?["changes"] == (try JSONValue.parse(#"{"set": {"fed_funds_rate": 0.035}, "shocks": {"co-nvidia": -0.1}}"#)))
        #expect(try await call(.POST, "/v1/whatif/{id}/complete", "/v1/whatif/\(session)/complete", as: "alice")
                .json?["status"] == .string("completed"))
        #expect(try await call(.POST, "/v1/whatif/{id}/cancel", "/v1/whatif/\(session)/cancel", as: "alice").status == 409)

        #expect(try await call(.GET, "/v1/formulas", as: "vic").json?["formulas"]?.arrayValue?.isEmpty == false)
        #expect(try await call(.GET, "/v1/formulas/{name}", "/v1/formulas/gdp_sector_impact", as: "vic").status == 200)
        #expect(try await call(.GET, "/v1/formulas/{name}/versions/{version}", "/v1/formulas/gdp_sector_impact/versions/1", as: "vic")
                .json?["version"] == .number(1))
        #expect(try await call(.POST, "/v1/formulas/{name}/versions/{version}/test", "/v1/formulas/gdp_sector_impact/versions/1/test",
                               as: "vic").json?["ok"] == .bool(true))
        // A backtest on the bundled history (a calibrator's), stored with its fingerprint; a spec
        // that does not fit the store is a 400 with each problem's JSON path.
        let backtestSpec = """
            {"from": "1990-01-01", "to": "2009-09-30",
             "bindings": {"gdpGrowth": {"macro": "us_real_gdp", "transform": "pct_change"}, "baseline": 0.005, "elasticity": 4.5},
             "observed": {"macro": "us_real_investment", "transform": "pct_change", "scale": 100}}
            """
        let backtestPath = "/v1/formulas/{name}/versions/{version}/backtest"
        #expect(try await call(.POST, backtestPath, "/v1/formulas/gdp_sector_impact/versions/1/backtest", as: "vic", backtestSpec).status == 403)
        let backtest = try await call(.POST, backtestPath, "/v1/formulas/gdp_sector_impact/versions/1/backtest?store=true", as: "cal", backtestSpec)
        #expect(backtest.status == 200 && backtest.json?["n"] == .number(79) && backtest.json?["stored"] == .bool(true), "\(backtest.body)")
        #expect(try await call(.GET, "/v1/formulas/{name}/versions/{version}", "/v1/formulas/gdp_sector_impact/versions/1", as: "vic")
                .json?["backtest_fingerprint"] == backtest.json?["fingerprint"])
        let misfit = try await call(.POST, backtestPath, "/v1/formulas/gdp_sector_impact/versions/1/backtest", as: "cal",
                                    backtestSpec.replacingOccurrences(of: "\"elasticity\"", with: "\"elasticty\""))
        #expect(misfit.status == 400, "\(misfit.body)")
        #expect(misfit.error?["problems"]?.arrayValue?.contains { $0["path"] == .string("$.bindings.elasticty") } == true, "\(misfit.body)")
        // The whole graph replayed against the bundled 2008 window (a calibrator's); a bad window is a 400.
        #expect(try await call(.POST, "/v1/backtest", as: "vic", #"{"from": "2007-10-09", "to": "2009-03-09"}"#).status == 403)
        let replay = try await call(.POST, "/v1/backtest", as: "cal", #"{"from": "2007-10-09", "to": "2009-03-09", "metric": "share_price"}"#)
        #expect(replay.status == 200 && (replay.json?["overall"]?["n"]?.numberValue ?? 0) >= 30, "\(replay.body)")
        let backwards = try await call(.POST, "/v1/backtest", as: "cal", #"{"from": "2009-03-09", "to": "2007-10-09"}"#)
        #expect(backwards.status == 400 && backwards.body.contains("is not before"), "\(backwards.body)")
        #expect(try await call(.POST, "/v1/backtest", as: "cal", #"{"from": "2007-10-09", "to": "2009-03-09", "metric": "price"}"#).status == 400)
        // Champion and challenger over HTTP: compare (recorded), list, promote, roll back, reject.
        let challenger = """
            {"name": "gdp_sector_impact", "formula_text": "return (gdpGrowth - baseline) * elasticity * 100 + 0;",
             "parameters": {"gdpGrowth": "number", "baseline": "number", "elasticity": "number"}, "effective_date": "2025-01-01",
             "test_cases": [{"inputs": {"gdpGrowth": 0.03, "baseline": 0.02, "elasticity": 1.8}, "expected": 1.8, "tolerance": 1e-9}]}
            """
        #expect(try await call(.POST, "/v1/formulas", "/v1/formulas?inactive=true", as: "cal", challenger).status == 201)
        let comparisonBody = #"{"control": 1, "treatment": 2, "metric": "mae", "backtest": \#(backtestSpec)}"#
        let compared2 = try await call(.POST, "/v1/formulas/{name}/compare", "/v1/formulas/gdp_sector_impact/compare?record=true", as: "cal", comparisonBody)
        #expect(compared2.status == 201 && compared2.json?["verdict"] == .string("within"), "\(compared2.body)")
        let abID = try #require(compared2.json?["ab_test"]?["id"]?.stringValue)
        #expect(try await call(.POST, "/v1/formulas/{name}/compare", "/v1/formulas/gdp_sector_impact/compare", as: "cal",
                               #"{"control": 1, "treatment": 0, "backtest": {}}"#).status == 400)
        #expect(try await call(.GET, "/v1/ab-tests", "/v1/ab-tests?formula=gdp_sector_impact", as: "vic").json?["tests"]?.arrayValue?.count == 1)
        #expect(try await call(.POST, "/v1/ab-tests/{id}/promote", "/v1/ab-tests/\(abID)/promote", as: "vic").status == 403)
        #expect(try await call(.POST, "/v1/ab-tests/{id}/promote", "/v1/ab-tests/\(abID)/promote", as: "cal").json?["ab_test"]?["status"] == .string("promoted"))
        #expect(try await call(.POST, "/v1/ab-tests/{id}/reject", "/v1/ab-tests/\(abID)/reject", as: "cal").status == 409)
        #expect(try await call(.POST, "/v1/ab-tests/{id}/reject", "/v1/ab-tests/not-a-test/reject", as: "cal").status == 404)
        #expect(try await call(.POST, "/v1/formulas/{name}/rollback", "/v1/formulas/gdp_sector_impact/rollback", as: "cal")
                .json?["ab_test"]?["status"] == .string("rollback"))
        #expect(try await call(.POST, "/v1/formulas/{name}/rollback", "/v1/formulas/gdp_sector_impact/rollback", as: "cal").status == 409)
        #expect(try await call(.GET, "/v1/formulas/{name}/versions/{version}", "/v1/formulas/gdp_sector_impact/versions/1", as: "vic")
                .json?["is_active"] == .bool(true))
        let document = """
            {"name": "api_margin", "formula_type": "IMPACT_CALCULATION", "formula_text": "return x * 2;",
             "parameters": {"x": "number"}, "effective_date": "2025-01-01",
             "test_cases": [{"inputs": {"x": 1.5}, "expected": 3, "tolerance": 0}]}
            """
        #expect(try await call(.POST, "/v1/formulas", as: "cal", document).status == 201)
        let again = try await call(.POST, "/v1/formulas", as: "cal", document)
        #expect(again.status == 200 && again.json?["new"] == .bool(false))
        #expect(try await call(.POST, "/v1/formulas/{name}/versions/{version}/deactivate", "/v1/formulas/api_margin/versions/1/deactivate",
                               as: "cal").json?["is_active"] == .bool(false))
        #expect(try await call(.POST, "/v1/formulas/{name}/versions/{version}/activate", "/v1/formulas/api_margin/versions/1/activate",
                               as: "cal").json?["is_active"] == .bool(true))
        // A version the graph's unpinned references cannot bind is refused (409, each listed),
        // whether registered active or activated later; nothing is written.
        let renamed = """
            {"name": "gdp_sector_impact", "formula_text": "return (growth - baseline) * elasticity * 100;",
             "parameters": {"growth": "number", "baseline": "number", "elasticity": "number"}, "effective_date": "2025-01-01",
             "test_cases": [{"inputs": {"growth": 0.03, "baseline": 0.02, "elasticity": 1.8}, "expected": 1.8, "tolerance": 1e-9}]}
            """
        let breaking = try await call(.POST, "/v1/formulas", as: "cal", renamed)
        #expect(breaking.status == 409, "\(breaking.body)")
        #expect(breaking.error?["problems"]?.arrayValue?.count == 20)
        let candidate = try await call(.POST, "/v1/formulas", "/v1/formulas?inactive=true", as: "cal", renamed)
        #expect(candidate.status == 201 && candidate.json?["version"] == .number(3), "\(candidate.body)")
        #expect(try await call(.POST, "/v1/formulas/{name}/versions/{version}/activate", "/v1/formulas/gdp_sector_impact/versions/3/activate",
                               as: "cal").status == 409)
        #expect(try await call(.GET, "/v1/formulas/{name}/versions/{version}", "/v1/formulas/gdp_sector_impact/versions/3", as: "vic")
                .json?["is_active"] == .bool(false))

        #expect(try await call(.GET, "/v1/formulas/{name}/versions/{version}/coverage", "/v1/formulas/gdp_sector_impact/versions/1/coverage",
                               as: "vic").json?["findings"] == .array([]))
        #expect(try await call(.GET, "/v1/formulas/{name}/diff", "/v1/formulas/gdp_sector_impact/diff?a=1&b=1", as: "vic")
                .json?["identical"] == .bool(true))

        let evaluated = try await call(.POST, "/v1/eval", as: "vic", #"{"id": "k1", "formula": "return x * 2;", "bindings": {"x": 1.5}}"#)
        #expect(evaluated.json == (try JSONValue.parse(#"{"id": "k1", "ok": true, "type": "number", "value": 3}"#)))
        // `explain`: the trace of every subexpression (byte offsets into the formula), checked against the spec.
        let traced = try await call(.POST, "/v1/eval", as: "vic",
                                       #"{"formula": "if (hbm_supply < 80) return 1;", "bindings": {"hbm_supply": 100}, "explain": true}"#)
        #expect(traced.json?["trace"] == (try JSONValue.parse("""
            [{"start": 4, "end": 19, "text": "hbm_supply < 80", "value": false, "condition": true},
             {"start": 4, "end": 14, "text": "hbm_supply", "value": 100}]
            """)), "\(traced.body)")
        #expect(traced.json?["failed_conditions"] == .array([.string("hbm_supply < 80")]))
        let failed = try await call(.POST, "/v1/eval", as: "vic", #"{"formula": "return x * ;", "bindings": {"x": 1}}"#)
        #expect(failed.json?["ok"] == .bool(false) && failed.json?["error"]?["kind"] == .string("syntax"))

        let entities = try await call(.GET, "/v1/entities", "/v1/entities?level=3&limit=5", as: "vic")
        let entityID = try #require(entities.json?["entities"]?.arrayValue?.first?["id"]?.stringValue)
        #expect(entities.json?["entities"]?.arrayValue?.count == 5)
        #expect(try await call(.GET, "/v1/entities/{id}", "/v1/entities/\(entityID)", as: "vic").json?["relationships"]?.arrayValue != nil)

        #expect(try await call(.GET, "/v1/coefficients", "/v1/coefficients?sector=SEMICONDUCTOR", as: "vic").status == 200)
        let coefficient = try await call(.POST, "/v1/coefficients", as: "cal",
                                         #"{"sector": "SEMICONDUCTOR", "coefficient_type": "gdp_elasticity", "value": 2.1, "effective_date": "2026-01-01"}"#)
        #expect(coefficient.status == 201)
        let rowID = try #require(coefficient.json?["id"]?.stringValue)
        #expect(try await call(.POST, "/v1/coefficients/{id}/deactivate", "/v1/coefficients/\(rowID)/deactivate", as: "cal")
                .json?["is_active"] == .bool(false))
        #expect(try await call(.POST, "/v1/coefficients/{id}/activate", "/v1/coefficients/\(rowID)/activate", as: "cal")
                .json?["is_active"] == .bool(true))

        // The stored history, read back as a calibration script reads it.
        let history = try await call(.GET, "/v1/macro-data", "/v1/macro-data?variable=us_real_gdp&from=2009-01-01&limit=2", as: "vic")
        #expect(history.json?["macro_data"]?.arrayValue?.compactMap { $0["date"]?.stringValue } == ["2009-03-31", "2009-06-30"], "\(history.body)")

        // History for a calibration script, imported as `cascade import` would.
        let imported = try await call(.POST, "/v1/import", as: "cal", #"{"macro_data": [{"date": "2024-Q1", "variable_name": "api_walk", "value": 0.02}]}"#)
        #expect(imported.status == 201 && imported.json?["rows_written"]?["macro_data"] == .number(1), "\(imported.body)")

        #expect(try await call(.DELETE, "/v1/scenarios/{id}", "/v1/scenarios/\(id)", as: "alice").status == 204)
        #expect(try await call(.GET, "/v1/scenarios/{id}", "/v1/scenarios/\(id)", as: "alice").status == 404)

        // Every write is in the audit log, with the user who made it.
        let audit = try await call(.GET, "/v1/audit", "/v1/audit?limit=1000", as: "root")
        let entries = audit.json?["entries"]?.arrayValue ?? []
        func actors(_ table: String, _ action: String) -> Set<String> {
            Set(entries.filter { $0["table"]?.stringValue == table && $0["action"]?.stringValue == action }.compactMap { $0["actor"]?.stringValue })
        }
        #expect(actors("scenarios", "create") == ["alice"])
        #expect(actors("scenarios", "update") == ["alice"])
        #expect(actors("scenarios", "delete") == ["alice"])
        #expect(actors("formulas", "register").contains("cal") || actors("formulas", "create").contains("cal"))
        #expect(actors("sector_coefficients", "deactivate") == ["cal"])
        #expect(actors("users", "create").contains("root"))
        #expect(actors("run_queue", "enqueue").contains("alice"))

        let metrics = try await call(.GET, "/metrics", as: "root")
        #expect(metrics.status == 200 && metrics.body.contains("cascade_http_requests_total{"))

        #expect(spec.problems.isEmpty, "\(spec.problems.joined(separator: "\n"))")
        #expect(spec.covered == OpenAPISpec.shared.operations, "not exercised: \(OpenAPISpec.shared.operations.subtracting(spec.covered))")
        await server.stop()
    }

    @Test(arguments: Backend.available) func roleBoundariesHold(_ backend: Backend) async throws {
        let (location, _, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("root", .admin), ("alice", .author), ("bob", .author), ("cal", .calibrator),
                                            ("vic", .viewer), ("gone", .author)])
        _ = try Store(location).setUserActive(username: "gone", false)
        let server = try await TestServer.start(location)
        let spec = SpecRecorder()
        func call(_ method: HTTPMethod, _ template: String, _ path: String? = nil, as key: String?, _ body: String? = nil) async throws -> TestServer.Reply {
            spec.check(method, template, try await server.request(method, path ?? template, key: key, body: body))
        }

        let mine = try await call(.POST, "/v1/scenarios", as: keys["alice"], scenarioJSON(name: "Alice's", author: "alice"))
        let id = try #require(mine.json?["id"]?.stringValue)
        let secret = try #require(try await call(.POST, "/v1/scenarios", as: keys["alice"],
                                                 scenarioJSON(name: "Alice's secret", author: "alice", isPublic: false)).json?["id"]?.stringValue)

        // No key, a malformed one, a forged one, a deactivated user: 401 with a JSON error.
        let forged = String(keys["alice"]!.dropLast(3)) + "abc"
        for key in [nil, "not-a-key", forged, keys["gone"]] {
            let reply = try await call(.GET, "/v1/scenarios", as: key)
            #expect(reply.status == 401 && reply.errorCode == "unauthorized", "\(key ?? "no key"): \(reply.body)")
        }
        // Outside the role: 403.
        let refusals: [(HTTPMethod, String, String, String?, String?)] = [
            (.POST, "/v1/scenarios", "/v1/scenarios", "vic", scenarioJSON(name: "v", author: "vic")),
            (.POST, "/v1/scenarios", "/v1/scenarios", "cal", scenarioJSON(name: "c", author: "cal")),
            (.POST, "/v1/scenarios/{id}/runs", "/v1/scenarios/\(id)/runs", "vic", nil),
            (.POST, "/v1/formulas", "/v1/formulas", "alice", #"{"name": "x", "formula_text": "return 1;", "parameters": {}, "effective_date": "2025-01-01"}"#),
            (.POST, "/v1/formulas/{name}/versions/{version}/deactivate", "/v1/formulas/gdp_sector_impact/versions/1/deactivate", "alice", nil),
            (.POST, "/v1/coefficients", "/v1/coefficients", "vic", #"{"sector": "X", "coefficient_type": "y", "value": 1, "effective_date": "2025-01-01"}"#),
            (.GET, "/v1/users", "/v1/users", "cal", nil),
            (.POST, "/v1/users", "/v1/users", "alice", #"{"username": "mallory", "role": "admin"}"#),
            (.GET, "/v1/audit", "/v1/audit", "vic", nil),
        ]
        for (method, template, path, user, body) in refusals {
            let reply = try await call(method, template, path, as: keys[user!], body)
            #expect(reply.status == 403 && reply.errorCode == "forbidden", "\(user!) \(method) \(path): \(reply.status) \(reply.body)")
        }
        // Another author's scenario: not editable, not deletable; the private one not even visible.
        let edit = try await call(.PUT, "/v1/scenarios/{id}", "/v1/scenarios/\(id)", as: keys["bob"], scenarioJSON(name: "Bob's now", author: "alice"))
        #expect(edit.status == 403, "\(edit.body)")
        let steal = try await call(.PUT, "/v1/scenarios/{id}", "/v1/scenarios/\(id)", as: keys["bob"], scenarioJSON(name: "Bob's now", author: "bob"))
        #expect(steal.status == 403, "\(steal.body)")
        #expect(try await call(.DELETE, "/v1/scenarios/{id}", "/v1/scenarios/\(id)", as: keys["bob"]).status == 403)
        #expect(try await call(.POST, "/v1/scenarios", as: keys["bob"], scenarioJSON(name: "forged", author: "alice")).status == 403)
        for user in ["bob", "vic"] {
            #expect(try await call(.GET, "/v1/scenarios/{id}", "/v1/scenarios/\(secret)", as: keys[user]).status == 404)
            #expect(try await call(.GET, "/v1/scenarios/{id}/result", "/v1/scenarios/\(secret)/result", as: keys[user]).status == 404)
            #expect(try await call(.PUT, "/v1/scenarios/{id}", "/v1/scenarios/\(secret)", as: keys[user],
                                   scenarioJSON(name: "x", author: "alice")).status != 200)
            let listed = try await call(.GET, "/v1/scenarios", as: keys[user]).json?["scenarios"]?.arrayValue ?? []
            #expect(listed.map { $0["id"] } == [.string(id)])
        }
        #expect(try await call(.POST, "/v1/scenarios/{id}/runs", "/v1/scenarios/\(secret)/runs", as: keys["bob"]).status == 404)
        // The owner and an admin can.
        #expect(try await call(.GET, "/v1/scenarios/{id}", "/v1/scenarios/\(secret)", as: keys["alice"]).status == 200)
        #expect(try await call(.GET, "/v1/scenarios", as: keys["root"]).json?["scenarios"]?.arrayValue?.count == 2)
        #expect(try await call(.PUT, "/v1/scenarios/{id}", "/v1/scenarios/\(id)", as: keys["root"],
                               scenarioJSON(name: "Alice's, fixed by an admin", author: "alice")).status == 200)
        let stored = try #require(try Store(location).scenario(id))
        #expect(stored.name == "Alice's, fixed by an admin" && stored.author == "alice")
        #expect(spec.problems.isEmpty, "\(spec.problems.joined(separator: "\n"))")
        await server.stop()
    }

    @Test(arguments: Backend.available) func badRequestsAreRefusedWithTheirPathAndWriteNothing(_ backend: Backend) async throws {
        let (location, _, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("alice", .author), ("cal", .calibrator)])
        let server = try await TestServer.start(location) { $0.maxBodyBytes = 4096 }
        let spec = SpecRecorder()
        let before = try Store(location).tableCounts()
        func post(_ template: String, as user: String, _ body: String) async throws -> TestServer.Reply {
            spec.check(.POST, template, try await server.request(.POST, template, key: keys[user], body: body))
        }

        let cases: [(String, String, String, String?)] = [
            ("/v1/scenarios", "alice", #"{"name": "x", "author": "alice", "macro_variables": {"fed_funds_rate": 0.02}"#, nil),
            ("/v1/scenarios", "alice", #"{"name": "x", "author": "alice", "macro_variables": {"fed_funds_rate": "low"}}"#, "$.macro_variables.fed_funds_rate"),
            ("/v1/scenarios", "alice", #"{"name": "x", "author": "alice", "macro_variables": {}, "colour": "red"}"#, "$.colour"),
            ("/v1/scenarios", "alice", #"{"name": "x", "author": "alice", "macro_variables": {}, "level_settings": {"12": {}}}"#, "$.level_settings"),
            ("/v1/scenarios", "alice", #"[1, 2]"#, "$"),
            ("/v1/scenarios", "alice", #"{"name": "x", "name": "y", "author": "alice", "macro_variables": {}}"#, nil),
            ("/v1/eval", "alice", #"{"formula": 42}"#, "$.formula"),
            ("/v1/eval", "alice", #"{"formula": "1", "explain": "yes"}"#, "$.explain"),
            ("/v1/eval", "alice", #"{"formula": "return 1;", "bindings": {"x": [1]}, "extra": true}"#, "$.extra"),
            ("/v1/formulas", "cal", #"{"name": "bad", "formula_text": "return x * 2;", "parameters": {"x": "number"}, "effective_date": "2025-01-01", "test_cases": [{"inputs": {"x": 1}, "expected": 3}]}"#, nil),
            ("/v1/formulas", "cal", #"{"name": "bad", "formula_text": "return (x;", "parameters": {"x": "number"}, "effective_date": "2025-01-01"}"#, nil),
            ("/v1/coefficients", "cal", #"{"sector": "X", "coefficient_type": "y", "value": "1", "effective_date": "2025-01-01"}"#, "$.value"),
        ]
        for (path, user, body, expectedPath) in cases {
            let reply = try await post(path, as: user, body)
            #expect(reply.status == 400, "\(path) \(body): \(reply.status) \(reply.body)")
            #expect(reply.error?["message"]?.stringValue?.isEmpty == false)
            if let expectedPath {
                let paths = [reply.error?["path"]?.stringValue] + (reply.error?["problems"]?.arrayValue ?? []).map { $0["path"]?.stringValue }
                #expect(paths.contains { $0?.hasPrefix(expectedPath) == true }, "\(body): \(reply.body)")
            }
        }
        let empty = try await server.request(.POST, "/v1/scenarios", key: keys["alice"])
        #expect(empty.status == 400)
        let huge = try await post("/v1/scenarios", as: "alice", scenarioJSON(name: String(repeating: "x", count: 5000), author: "alice"))
        #expect(huge.status == 413 && huge.errorCode == "body_too_large")
        for query in ["?limit=0", "?limit=abc", "?colour=red", "?offset=-1"] {
            let reply = spec.check(.GET, "/v1/scenarios", try await server.request(.GET, "/v1/scenarios\(query)", key: keys["alice"]))
            #expect(reply.status == 400 && reply.error?["path"]?.stringValue?.hasPrefix("?") == true, "\(query): \(reply.body)")
        }
        let run = spec.check(.POST, "/v1/scenarios/{id}/runs", try await server.request(.POST, "/v1/scenarios/not-an-id/runs", key: keys["alice"]))
        #expect(run.status == 404)
        #expect(try Store(location).tableCounts() == before, "a refused request wrote something")
        #expect(spec.problems.isEmpty, "\(spec.problems.joined(separator: "\n"))")
        await server.stop()
    }

    /// A query value is percent-decoded once: `%2541` is the text `%41`, not `A`.
    @Test func queryValuesAreDecodedOnce() async throws {
        let (location, _, cleanup) = try Backend.sqlite.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("xA", .author), ("x%41", .author)])
        let server = try await TestServer.start(location)
        for user in ["xA", "x%41"] {
            #expect(try await server.request(.POST, "/v1/scenarios", key: keys[user], body: scenarioJSON(name: user, author: user)).status == 201)
        }
        let listed = try await server.request(.GET, "/v1/scenarios?author=x%2541", key: keys["xA"])
        #expect(listed.json?["scenarios"]?.arrayValue?.compactMap { $0["author"]?.stringValue } == ["x%41"], "\(listed.body)")
        await server.stop()
    }

    @Test func requestsBeyondTheRateLimitGet429WithRetryAfter() async throws {
        let (location, _, cleanup) = try Backend.sqlite.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("alice", .author), ("vic", .viewer)])
        let server = try await TestServer.start(location) { $0.rateLimitPerMinute = 5 }
        for _ in 0..<5 { #expect(try await server.request(.GET, "/v1/scenarios", key: keys["alice"]).status == 200) }
        let limited = try await server.request(.GET, "/v1/scenarios", key: keys["alice"])
        #expect(limited.status == 429 && limited.errorCode == "rate_limited")
        let retry = try #require(limited.headers["Retry-After"].first.flatMap(Int.init))
        #expect(retry >= 1 && retry <= 60)
        #expect(OpenAPISpec.shared.problems("GET", "/v1/scenarios", limited).isEmpty)
        #expect(try await server.request(.GET, "/v1/scenarios", key: keys["vic"]).status == 200, "another key has its own budget")
        #expect(try await server.request(.GET, "/v1/health").status == 200, "health is not limited")
        await server.stop()
    }
}
