@testable import CascadeServer
import CascadeJSON
import CascadeStore
import Foundation
import NIOHTTP1
import Testing

/// The workbench at `GET /` as bytes and headers (its behaviour in a browser is
/// WorkbenchBrowserTests'): the page, script and style are served from the binary under a strict
/// Content-Security-Policy, every API response carries the security headers too, and `GET /v1/me`
/// tells a key its user and role.
@Suite("HTTP API: the workbench's page and security headers", .serialized)
struct WorkbenchTests {
    static let common = [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"), ("X-Frame-Options", "DENY")]

    @Test(arguments: Backend.available) func thePageAndItsAssetsAreServedUnderAStrictPolicy(_ backend: Backend) async throws {
        let (location, _, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let server = try await TestServer.start(location)
        let table: [(path: String, type: String, contains: String)] = [
            ("/", "text/html", #"<script src="/assets/workbench.js" defer></script>"#),
            ("/assets/workbench.js", "text/javascript", "CascadeReport.render(view, data"),
            ("/assets/workbench.css", "text/css", "#scenario-list"),
            ("/assets/favicon.svg", "image/svg+xml", "<svg"),
        ]
        for file in table {
            let reply = try await server.request(.GET, file.path)
            #expect(reply.status == 200, "\(file.path): \(reply.status)")
            #expect(reply.headers["Content-Type"].first?.hasPrefix(file.type) == true, "\(file.path): \(reply.headers)")
            #expect(reply.body.contains(file.contains), "\(file.path)")
            let policy = reply.headers["Content-Security-Policy"].first ?? ""
            #expect(policy == "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
                + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'", "\(file.path): \(policy)")
            for (name, value) in Self.common { #expect(reply.headers[name].first == value, "\(file.path) \(name): \(reply.headers)") }
        }
        // The script is the report's renderer followed by the workbench's own: one renderer.
        let script = try await server.request(.GET, "/assets/workbench.js").body
        #expect(script.hasPrefix(ReportRenderer.script))
        // No inline script or style, and no other origin anywhere in the page.
        let page = try await server.request(.GET, "/").body
        #expect(!page.contains("<script>") && !page.contains("<style") && !page.contains(" style="))
        for file in ["/", "/assets/workbench.js", "/assets/workbench.css"] {
            let body = try await server.request(.GET, file).body
            #expect(!body.contains("https://") && !body.contains("//cdn"), "\(file) names another origin")
            #expect(!body.contains("localStorage"), "\(file): the key stays in sessionStorage")
        }
        await server.stop()
    }

    /// The API's JSON, its errors and unknown paths carry the same headers, with a policy that
    /// allows nothing (a JSON body is never a document).
    @Test(arguments: Backend.available) func apiResponsesCarryTheSecurityHeaders(_ backend: Backend) async throws {
        let (location, _, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("vic", .viewer)])
        let server = try await TestServer.start(location)
        let replies = [
            try await server.request(.GET, "/v1/health"),
            try await server.request(.GET, "/v1/scenarios", key: keys["vic"]),
            try await server.request(.GET, "/v1/scenarios"),
            try await server.request(.GET, "/no/such/path"),
            try await server.request(.POST, "/v1/scenarios", key: keys["vic"], body: "{}"),
        ]
        for reply in replies {
            #expect(reply.headers["Content-Security-Policy"].first == "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
                    "\(reply.status) \(reply.headers)")
            for (name, value) in Self.common { #expect(reply.headers[name].first == value, "\(reply.status) \(name)") }
        }
        await server.stop()
    }

    @Test(arguments: Backend.available) func meTellsAKeyItsUserAndRole(_ backend: Backend) async throws {
        let (location, _, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("vic", .viewer), ("alice", .author), ("cal", .calibrator), ("root", .admin)])
        let server = try await TestServer.start(location)
        for (user, role) in [("vic", "viewer"), ("alice", "author"), ("cal", "calibrator"), ("root", "admin")] {
            let reply = try await server.request(.GET, "/v1/me", key: keys[user])
            #expect(reply.status == 200 && reply.json == .object(JSONObject([("username", .string(user)), ("role", .string(role))])),
                    "\(user): \(reply.body)")
        }
        #expect(try await server.request(.GET, "/v1/me").status == 401)
        #expect(try await server.request(.GET, "/v1/me", key: "cas_not_a_key").status == 401)
        await server.stop()
    }

    /// The report endpoint answers the data document `cascade report` embeds; 404 `no_result` before a run.
    @Test(arguments: Backend.available) func theReportEndpointGivesTheReportsDataDocument(_ backend: Backend) async throws {
        let (location, _, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("alice", .author), ("vic", .viewer)])
        let server = try await TestServer.start(location)
        let submitted = try await server.request(.POST, "/v1/scenarios", key: keys["alice"], body: scenarioJSON(name: "Reported", author: "alice"))
        let id = try #require(submitted.json?["id"]?.stringValue, "\(submitted.body)")
        let before = try await server.request(.GET, "/v1/scenarios/\(id)/report", key: keys["vic"])
        #expect(before.status == 404 && before.errorCode == "no_result", "\(before.body)")
        let ran = try await server.request(.POST, "/v1/scenarios/\(id)/runs?wait=120", key: keys["alice"])
        try #require(ran.status == 200, "\(ran.body)")
        let reply = try await server.request(.GET, "/v1/scenarios/\(id)/report", key: keys["vic"])
        #expect(reply.status == 200)
        let data = try #require(reply.json)
        #expect(data["scenario"]?["name"] == .string("Reported"))
        #expect(data["result"]?["fingerprint"] == ran.json?["fingerprint"])
        #expect(data["entities"]?.arrayValue == ran.json?["entities"]?.arrayValue, "the same entity results, number for number")
        await server.stop()
    }
}
