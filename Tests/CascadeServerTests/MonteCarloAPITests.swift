@testable import CascadeServer
import CascadeJSON
import CascadeStore
import Foundation
import NIOHTTP1
import Testing

@Suite("Monte Carlo scenarios through the API", .serialized)
struct MonteCarloAPITests {
    /// A Monte Carlo scenario submitted and run through the existing endpoints: the run's
    /// entities carry `distribution`, the summary `monte_carlo`, and every answer matches
    /// docs/openapi.json; a malformed one is refused with its path.
    @Test(arguments: Backend.available) func theScenarioEndpointsCarryTheDistribution(_ backend: Backend) async throws {
        let (location, _, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("alice", .author)])
        let server = try await TestServer.start(location)
        let spec = SpecRecorder()
        func call(_ method: HTTPMethod, _ template: String, _ path: String? = nil, _ body: String? = nil) async throws -> TestServer.Reply {
            spec.check(method, template, try await server.request(method, path ?? template, key: keys["alice"], body: body))
        }
        let document = #"""
        {"name": "uncertain cut", "author": "alice", "as_of": "2025-06-30",
         "macro_variables": {"fed_funds_rate": {"normal": {"mean": 2.5, "sd": 0.5, "unit": "%"}}, "us_gdp_growth": {"uniform": {"min": 0.02, "max": 0.04}}},
         "draws": 200, "seed": 9, "threshold": -0.01}
        """#
        let submitted = try await call(.POST, "/v1/scenarios", nil, document)
        #expect(submitted.status == 201, "\(submitted.body.prefix(300))")
        let id = try #require(submitted.json?["id"]?.stringValue)
        let run = try await call(.POST, "/v1/scenarios/{id}/runs", "/v1/scenarios/\(id)/runs?wait=120")
        #expect(run.status == 200, "\(run.body.prefix(300))")
        #expect(run.json?["monte_carlo"]?["draws"] == .number(200) && run.json?["monte_carlo"]?["seed"] == .number(9))
        let entities = try #require(run.json?["entities"]?.arrayValue)
        #expect(!entities.isEmpty && entities.allSatisfy { $0["distribution"]?["p_below"]?.numberValue != nil })
        let summary = try await call(.POST, "/v1/scenarios/{id}/runs", "/v1/scenarios/\(id)/runs?wait=120&entities=false")
        #expect(summary.json?["cached"] == .bool(true) && summary.json?["monte_carlo"]?["widest_bands"]?.objectValue?.isEmpty == false,
                "\(summary.body.prefix(300))")
        let bad = try await call(.POST, "/v1/scenarios", nil, #"{"name": "bad", "author": "alice", "macro_variables": {"fed_funds_rate": {"normal": {"mean": 0.025, "sd": 0.005}}}}"#)
        #expect(bad.status == 400 && bad.body.contains("$.draws"), "\(bad.body.prefix(300))")
        #expect(spec.problems.isEmpty, "\(spec.problems)")
    }
}
