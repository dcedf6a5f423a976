@testable import CascadeServer
import CascadeJSON
import CascadeStore
import Foundation
import NIOHTTP1
import Testing

/// The calibration commands that had no endpoint (issue 14 §5): `formula diff`, the `--dry-run` of
/// `formula register` and `activate`, and `run --use`, each answering as the command line does.
@Suite("HTTP calibration commands", .serialized)
struct CalibrationCommandAPITests {
    /// gdp_sector_impact doubled: the same parameters, twice the value.
    static let doubled = """
        {"name": "gdp_sector_impact", "formula_text": "return (gdpGrowth - baseline) * elasticity * 200;",
         "parameters": {"gdpGrowth": "number", "baseline": "number", "elasticity": "number"}, "effective_date": "2025-01-01",
         "test_cases": [{"inputs": {"gdpGrowth": 0.03, "baseline": 0.02, "elasticity": 1.8}, "expected": 3.6, "tolerance": 1e-9}]}
        """

    /// `gdpGrowth` renamed to `growth`: no relationship of the sample world binds it.
    static let renamed = """
        {"name": "gdp_sector_impact", "formula_text": "return (growth - baseline) * elasticity * 100;",
         "parameters": {"growth": "number", "baseline": "number", "elasticity": "number"}, "effective_date": "2025-01-01",
         "test_cases": [{"inputs": {"growth": 0.03, "baseline": 0.02, "elasticity": 1.8}, "expected": 1.8, "tolerance": 1e-9}]}
        """

    static func checked(_ method: String, _ template: String, _ reply: TestServer.Reply) -> TestServer.Reply {
        let problems = OpenAPISpec.shared.problems(method, template, reply)
        #expect(problems.isEmpty, "\(problems)")
        return reply
    }

    /// `GET /v1/formulas/{name}/diff?a=1&b=2` answers what `formula diff NAME@1 NAME@2 --json` prints;
    /// a missing or malformed version is a 400 naming the parameter, an unknown one a 404.
    @Test(arguments: Backend.available) func diffAnswersAsTheCommandLinePrints(_ backend: Backend) async throws {
        let (location, db, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("cal", .calibrator), ("vic", .viewer)])
        let server = try await TestServer.start(location)
        #expect(try await server.request(.POST, "/v1/formulas?inactive=true", key: keys["cal"], body: Self.doubled).status == 201)
        let template = "/v1/formulas/{name}/diff"

        let diff = Self.checked("GET", template, try await server.request(.GET, "/v1/formulas/gdp_sector_impact/diff?a=1&b=2&top=1", key: keys["vic"]))
        #expect(diff.status == 200, "\(diff.body)")
        #expect(diff.json?["identical"] == .bool(false) && diff.json?["b"] == .string("gdp_sector_impact@2"), "\(diff.body)")
        #expect(diff.json?["differing"]?.arrayValue?.count == 1 && diff.json?["differing_count"] == .number(2), "\(diff.body)")
        let cli = try Cascade.run(["formula", "diff", "gdp_sector_impact@1", "gdp_sector_impact@2", "--top", "1", "--json", "--db", db],
                                  in: Cascade.packageRoot)
        #expect(cli.status == 0, "\(cli.stderr)")
        #expect(try JSONValue.parse(cli.stdout) == diff.json, "the command line: \(cli.stdout)")

        let same = try await server.request(.GET, "/v1/formulas/gdp_sector_impact/diff?a=2&b=2", key: keys["cal"])
        #expect(same.json?["identical"] == .bool(true), "\(same.body)")

        for (query, status, path) in [("a=1", 400, "?b"), ("a=one&b=2", 400, "?a"), ("a=1&b=9", 404, nil)] as [(String, Int, String?)] {
            let reply = Self.checked("GET", template, try await server.request(.GET, "/v1/formulas/gdp_sector_impact/diff?\(query)", key: keys["vic"]))
            #expect(reply.status == status, "\(query): \(reply.body)")
            if let path { #expect(reply.error?["path"] == .string(path), "\(query): \(reply.body)") }
        }
        await server.stop()
    }

    /// `?dry_run=true` on register and activate runs every check — a version that breaks the graph is
    /// still refused with 409 — and says what would happen; the audit log and the version list are
    /// the same afterwards.
    @Test(arguments: Backend.available) func dryRunsCheckEverythingAndWriteNothing(_ backend: Backend) async throws {
        let (location, _, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("cal", .calibrator)])
        let server = try await TestServer.start(location)
        let store = try Store(location)
        func snapshot() throws -> ([AuditEntry], [FormulaVersion]) {
            (try store.auditLog(), try store.history(named: "gdp_sector_impact"))
        }
        func post(_ path: String, _ template: String, body: String? = nil) async throws -> TestServer.Reply {
            Self.checked("POST", template, try await server.request(.POST, path, key: keys["cal"], body: body))
        }
        let before = try snapshot()

        let wouldRegister = try await post("/v1/formulas?dry_run=true", "/v1/formulas", body: Self.doubled)
        #expect(wouldRegister.status == 200, "\(wouldRegister.body)")
        #expect(wouldRegister.json?["dry_run"] == .bool(true) && wouldRegister.json?["version"] == .number(2)
                && wouldRegister.json?["new"] == .bool(true) && wouldRegister.json?["is_active"] == .bool(true), "\(wouldRegister.body)")
        let refused = try await post("/v1/formulas?dry_run=true", "/v1/formulas", body: Self.renamed)
        #expect(refused.status == 409, "\(refused.body)")
        let forced = try await post("/v1/formulas?dry_run=true&force=true", "/v1/formulas", body: Self.renamed)
        #expect(forced.status == 200 && (forced.json?["breaks"]?.arrayValue?.count ?? 0) > 0, "\(forced.body)")
        let untested = try await post("/v1/formulas?dry_run=true&inactive=true", "/v1/formulas",
                                      body: #"{"name": "gdp_sector_impact", "formula_text": "return 1;", "parameters": {}}"#)
        #expect(untested.status == 400, "a version without test cases is still refused: \(untested.body)")
        let after = try snapshot()
        #expect(after.0 == before.0, "the audit log grew: \(after.0.suffix(after.0.count - before.0.count).map(\.action))")
        #expect(after.1 == before.1)

        let activation = "/v1/formulas/{name}/versions/{version}/activate"
        #expect(try await post("/v1/formulas?inactive=true", "/v1/formulas", body: Self.renamed).status == 201)
        let registered = try snapshot()
        let refusedActivation = try await post("/v1/formulas/gdp_sector_impact/versions/2/activate?dry_run=true", activation)
        #expect(refusedActivation.status == 409, "\(refusedActivation.body)")
        let wouldActivate = try await post("/v1/formulas/gdp_sector_impact/versions/2/activate?dry_run=true&force=true", activation)
        #expect(wouldActivate.status == 200, "\(wouldActivate.body)")
        #expect(wouldActivate.json?["would_change"] == .bool(true) && wouldActivate.json?["changed"] == .bool(false)
                && (wouldActivate.json?["breaks"]?.arrayValue?.count ?? 0) > 0, "\(wouldActivate.body)")
        let unchanged = try await post("/v1/formulas/gdp_sector_impact/versions/1/activate?dry_run=true", activation)
        #expect(unchanged.json?["would_change"] == .bool(false), "\(unchanged.body)")
        let final = try snapshot()
        #expect(final.0 == registered.0 && final.1 == registered.1, "a dry run changed the store")
        #expect(final.1.first { $0.version == 2 }?.isActive == false)
        await server.stop()
    }

    /// `POST /v1/scenarios/{id}/runs?use=NAME@V` runs with that version pinned, as `cascade run FILE
    /// --use NAME@V` does (same entities), outside the cache; its errors are the command line's.
    @Test(arguments: Backend.available) func runsPinVersionsAsTheCommandLineDoes(_ backend: Backend) async throws {
        let (location, db, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("cal", .calibrator), ("alice", .author)])
        let server = try await TestServer.start(location)
        #expect(try await server.request(.POST, "/v1/formulas?inactive=true", key: keys["cal"], body: Self.doubled).status == 201)
        let document = scenarioJSON(name: "pinned", author: "alice")
        let submitted = try await server.request(.POST, "/v1/scenarios", key: keys["alice"], body: document)
        let id = try #require(submitted.json?["id"]?.stringValue, "\(submitted.body)")
        let template = "/v1/scenarios/{id}/runs"
        func run(_ query: String) async throws -> TestServer.Reply {
            Self.checked("POST", template, try await server.request(.POST, "/v1/scenarios/\(id)/runs?\(query)", key: keys["cal"]))
        }

        let plain = try await run("wait=60")
        #expect(plain.status == 200, "\(plain.body.prefix(400))")
        let pinned = try await run("use=gdp_sector_impact@2")
        #expect(pinned.status == 200, "\(pinned.body.prefix(400))")
        #expect(pinned.json?["pinned"] == .array([.string("gdp_sector_impact@2")]), "\(pinned.body.prefix(400))")
        #expect(pinned.json?["cached"] != .bool(true) && pinned.json?["fingerprint"] != plain.json?["fingerprint"])
        let again = try await run("")
        #expect(again.json?["cached"] == .bool(true) && again.json?["fingerprint"] == plain.json?["fingerprint"], "the pinned run left the cache alone")

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cascade-use-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("pinned.json")
        try document.write(to: file, atomically: true, encoding: .utf8)
        let cli = try Cascade.run(["run", file.path, "--use", "gdp_sector_impact@2", "--json", "--db", db], in: directory)
        #expect(cli.status == 0, "\(cli.stderr)")
        #expect(try JSONValue.parse(cli.stdout)["entities"] == pinned.json?["entities"], "the command line pins the same way")

        let unknown = try await run("use=gdp_sector_impact@9")
        #expect(unknown.status == 404 && unknown.body.contains("no formula `gdp_sector_impact@9`") && unknown.body.contains("has versions 1, 2"),
                "\(unknown.body)")
        let unversioned = try await run("use=gdp_sector_impact")
        #expect(unversioned.status == 400 && unversioned.body.contains("NAME@VERSION") && unversioned.error?["path"] == .string("?use"),
                "\(unversioned.body)")
        await server.stop()
    }
}
