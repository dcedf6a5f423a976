@testable import CascadeServer
import CascadeJSON
import CascadeStore
import Foundation
import NIOHTTP1
import Testing

@Suite("Runs with sensitivities through the queue", .serialized)
struct RunSensitivitiesAPITests {
    /// `POST /v1/scenarios/{id}/runs?sensitivities=true` on a scenario whose cached result has no
    /// sensitivities: the cached result does not answer; the queued job carries the option and the
    /// worker that claims it computes them. A plain request afterwards is answered by that result.
    @Test(arguments: Backend.available) func theOptionTravelsWithTheJob(_ backend: Backend) async throws {
        let (location, _, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("alice", .author)])
        let server = try await TestServer.start(location)
        func call(_ method: HTTPMethod, _ path: String, _ body: String? = nil) async throws -> TestServer.Reply {
            try await server.request(method, path, key: keys["alice"], body: body)
        }
        let id = try #require(try await call(.POST, "/v1/scenarios", scenarioJSON(name: "plain first", author: "alice"))
                                .json?["id"]?.stringValue)
        let plain = try await call(.POST, "/v1/scenarios/\(id)/runs?wait=120")
        #expect(plain.status == 200, "\(plain.body.prefix(300))")
        #expect(plain.json?["sensitivity_keys"] == nil)

        // Not waiting: the job as queued, with the option.
        let queued = try await call(.POST, "/v1/scenarios/\(id)/runs?sensitivities=true")
        #expect(queued.status == 202, "\(queued.body.prefix(300))")
        #expect(queued.json?["sensitivities"] == .bool(true), "\(queued.body)")
        let job = try #require(queued.json?["id"]?.stringValue)
        let done = try await call(.GET, "/v1/runs/\(job)?wait=120")
        #expect(done.status == 200, "\(done.body.prefix(300))")
        #expect(done.json?["cached"] == .bool(false))
        #expect(done.json?["sensitivity_keys"]?.arrayValue?.contains(.string("macro:fed_funds_rate")) == true, "\(done.body.prefix(300))")
        let entity = done.json?["entities"]?.arrayValue?.first { $0["name"] == .string("Real Estate") }
        #expect(entity?["sensitivities"]?["macro:fed_funds_rate"]?.numberValue != nil, "\(String(describing: entity))")

        // Both kinds of request are now answered from the cache.
        let again = try await call(.POST, "/v1/scenarios/\(id)/runs?sensitivities=true&wait=120&entities=false")
        #expect(again.status == 200 && again.json?["cached"] == .bool(true) && again.json?["sensitivity_keys"] != nil,
                "\(again.body.prefix(300))")
        let plainAgain = try await call(.POST, "/v1/scenarios/\(id)/runs?wait=120&entities=false")
        #expect(plainAgain.status == 200 && plainAgain.json?["cached"] == .bool(true), "\(plainAgain.body.prefix(300))")
        #expect(try await call(.POST, "/v1/scenarios/\(id)/runs?sensitivities=maybe").status == 400)
    }
}
