@testable import CascadeServer
import CascadeJSON
import CascadeStore
import Foundation
import NIOHTTP1
import Testing

/// `GET /v1/formulas/{name}/versions/{version}/coverage`: `cascade formula coverage` for scripts.
@Suite("HTTP formula coverage", .serialized)
struct CoverageAPITests {
    /// The seed's HBM rule with cases at 72 and 130 only: any key sees the gap, in the same JSON
    /// as the command line's; an unknown version is a 404.
    @Test(arguments: Backend.available) func theHBMGapIsReportedAsTheCommandLineReportsIt(_ backend: Backend) async throws {
        let (location, db, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("cal", .calibrator), ("vic", .viewer)])
        let server = try await TestServer.start(location)
        let hbm = """
            {"name": "hbm_supply_impact", "formula_text": "if (hbm_supply < 80) return -0.25; else if (hbm_supply > 120) return 0.15;",
             "parameters": {"hbm_supply": "number"}, "effective_date": "2025-01-01",
             "test_cases": [{"inputs": {"hbm_supply": 72}, "expected": -0.25}, {"inputs": {"hbm_supply": 130}, "expected": 0.15}]}
            """
        #expect(try await server.request(.POST, "/v1/formulas?inactive=true", key: keys["cal"], body: hbm).status == 201)
        let template = "/v1/formulas/{name}/versions/{version}/coverage"
        let coverage = try await server.request(.GET, "/v1/formulas/hbm_supply_impact/versions/1/coverage", key: keys["vic"])
        #expect(coverage.status == 200, "\(coverage.body)")
        #expect(OpenAPISpec.shared.problems("GET", template, coverage).isEmpty, "\(OpenAPISpec.shared.problems("GET", template, coverage))")
        #expect(coverage.json?["findings"]?.arrayValue?.contains(.string("no case has `hbm_supply` in [80, 120], where the formula returns no value")) == true,
                "\(coverage.body)")
        #expect(coverage.json?["formula"] == .string("hbm_supply_impact@1") && coverage.json?["cases"] == .number(2))
        let cli = try Cascade.run(["formula", "coverage", "hbm_supply_impact@1", "--json", "--db", db], in: Cascade.packageRoot)
        #expect(cli.status == 0, "\(cli.stderr)")
        #expect(try JSONValue.parse(cli.stdout) == coverage.json, "the command line: \(cli.stdout)")

        let missing = try await server.request(.GET, "/v1/formulas/hbm_supply_impact/versions/9/coverage", key: keys["vic"])
        #expect(missing.status == 404, "\(missing.body)")
        #expect(OpenAPISpec.shared.problems("GET", template, missing).isEmpty)
        await server.stop()
    }
}
