@testable import CascadeServer
import CascadeJSON
import CascadeStore
import CascadeTestSupport
import Foundation
import NIOHTTP1
import Testing

/// The workbench of `cascade serve` used in a real browser: headless Chromium driven over the
/// DevTools protocol by `Browser/workbench_in_chromium.py` (a pipe; the server binds port 0 and
/// the test hands the driver its URL). An author signs in with a key, sees the scenarios, runs
/// one, watches it queue and finish, and sees its result drawn by the report's renderer; a viewer
/// sees no write control, and the server refuses the viewer's writes anyway; clicking an entity
/// shows its run explanation, fetched from the API. The page loads under
/// its Content-Security-Policy with no console error and no request outside the server.
@Suite("The workbench in headless Chromium (end to end)", .serialized,
       .enabled(if: HeadlessChromium.runs, Comment(rawValue: HeadlessChromium.skipReason)))
struct WorkbenchBrowserTests {
    @Test(arguments: Backend.available) func anAuthorSignsInRunsAScenarioAndSeesItsResult(_ backend: Backend) async throws {
        let (location, _, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("alice", .author)])
        let server = try await TestServer.start(location)
        let walk = try await server.request(.POST, "/v1/scenarios", key: keys["alice"], body: scenarioJSON(name: "Workbench walk", author: "alice"))
        let id = try #require(walk.json?["id"]?.stringValue, "\(walk.body)")
        _ = try await server.request(.POST, "/v1/scenarios", key: keys["alice"], body: scenarioJSON(name: "Another one", author: "alice", rate: 0.03))

        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let screenshot = dir.appendingPathComponent("workbench.png")
        let seen = try await Self.open(server, key: keys["alice"]!, ["--open", "Workbench walk", "--run", "--screenshot", screenshot.path], in: dir)

        #expect(seen["states"] == .array([.string("login"), .string("ready"), .string("scenario")]), "\(seen["states"] ?? .null)")
        #expect(seen["role"] == .string("author"))
        #expect(Set(seen["scenarios"]?.arrayValue?.compactMap(\.stringValue) ?? []) == ["Workbench walk", "Another one"])
        // The run was queued (202), watched, and finished; then the result was drawn.
        let statuses = (seen["run"]?["seen"]?.stringValue ?? "").split(separator: " ").map(String.init)
        #expect(statuses.first == "queued" && statuses.last == "succeeded", "\(seen["run"] ?? .null)")
        #expect(seen["rendered"] == .string(id))
        let result = try await server.request(.GET, "/v1/scenarios/\(id)/result", key: keys["alice"])
        let fingerprint = try #require(result.json?["fingerprint"]?.stringValue)
        let html = try #require(seen["html"]?.stringValue)
        #expect(html.contains(#"<code id="fingerprint">\#(fingerprint)</code>"#), "the drawn result is the stored one")
        let top = try #require(result.json?["entities"]?.arrayValue?.max { abs($0["impact"]!.numberValue!) < abs($1["impact"]!.numberValue!) })
        let exact = top["impact"]!.serialized()
        #expect(html.contains(#"<tr class="mover" data-entity="\#(top["id"]!.stringValue!)""#) && html.contains(#"title="\#(exact)" data-value="\#(exact)""#),
                "the largest mover with its exact impact")
        #expect(seen["write"]?.arrayValue?.compactMap(\.stringValue).sorted() == ["run", "whatif"])
        Self.expectCleanLoad(seen, server: server, key: keys["alice"]!)
        let shot = try #require(seen["screenshot"])
        #expect((shot["colours"]?.numberValue ?? 0) >= 32 && (shot["non_background"]?.numberValue ?? 0) >= 0.03, "not blank: \(shot)")
        if backend == .sqlite, ProcessInfo.processInfo.environment["CASCADE_RECORD_SCREENSHOTS"] == "1" {
            let docs = Cascade.packageRoot.appendingPathComponent("docs/workbench.png")
            try? FileManager.default.removeItem(at: docs)
            try FileManager.default.copyItem(at: screenshot, to: docs)
        }
        await server.stop()
    }

    @Test(arguments: Backend.available) func aViewerSeesNoWriteControlAndTheServerRefusesItsWrites(_ backend: Backend) async throws {
        let (location, _, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("alice", .author), ("vic", .viewer)])
        let server = try await TestServer.start(location)
        let submitted = try await server.request(.POST, "/v1/scenarios", key: keys["alice"], body: scenarioJSON(name: "Public result", author: "alice"))
        let id = try #require(submitted.json?["id"]?.stringValue, "\(submitted.body)")
        try #require(try await server.request(.POST, "/v1/scenarios/\(id)/runs?wait=120", key: keys["alice"]).status == 200)

        let result = try await server.request(.GET, "/v1/scenarios/\(id)/result", key: keys["vic"])
        let top = try #require(result.json?["entities"]?.arrayValue?.max { abs($0["impact"]!.numberValue!) < abs($1["impact"]!.numberValue!) })
        let topID = try #require(top["id"]?.stringValue)

        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let seen = try await Self.open(server, key: keys["vic"]!, ["--open", "Public result", "--entity", topID], in: dir)
        #expect(seen["role"] == .string("viewer"))
        #expect(seen["rendered"] == .string(id), "the viewer sees the result")
        #expect(seen["write"]?.arrayValue == [], "no write control: \(seen["write"] ?? .null)")
        let html = try #require(seen["html"]?.stringValue)
        #expect(!html.contains(#"id="run-button""#) && !html.contains(#"id="whatif-form""#))
        Self.expectCleanLoad(seen, server: server, key: keys["vic"]!)
        // Clicking the largest mover's bar fetches its run explanation: the numbers drawn are the API's.
        let explained = try await server.request(.GET, "/v1/scenarios/\(id)/explain?entity=\(topID)&depth=1", key: keys["vic"])
        #expect(explained.status == 200, "\(explained.body)")
        #expect(seen["entity"]?["selected"] == .string(topID))
        #expect(DrawnExplanation.mismatches(seen["entity"]?["explanation"], try #require(explained.json)) == [])

        // The page only hides what the API refuses anyway.
        let run = try await server.request(.POST, "/v1/scenarios/\(id)/runs", key: keys["vic"])
        #expect(run.status == 403, "\(run.body)")
        let whatIf = try await server.request(.POST, "/v1/whatif", key: keys["vic"], body: #"{"base": "\#(id)", "set": {"fed_funds_rate": 0.01}}"#)
        #expect(whatIf.status == 403, "\(whatIf.body)")
        await server.stop()
    }

    /// The page's own response had the strict policy and headers; nothing but the server was
    /// asked for; no console error; the key is in sessionStorage, never in the address.
    static func expectCleanLoad(_ seen: JSONValue, server: TestServer, key: String) {
        let headers = seen["document"]?["headers"]
        let policy = headers?["content-security-policy"]?.stringValue ?? ""
        #expect(policy.contains("default-src 'none'") && policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'")
                && !policy.contains("unsafe"), "\(policy)")
        #expect(headers?["x-content-type-options"] == .string("nosniff") && headers?["referrer-policy"] == .string("no-referrer"))
        #expect(seen["errors"] == .null && seen["problems"]?.arrayValue == [], "\(seen["errors"] ?? .null) \(seen["problems"] ?? .null)")
        let requests = seen["requests"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(!requests.isEmpty && requests.allSatisfy { $0.hasPrefix(server.base + "/") }, "\(requests)")
        #expect(seen["failed_requests"]?.arrayValue == [])
        #expect(requests.allSatisfy { !$0.contains(key) } && seen["key_in_url"] == .bool(false), "the key never goes into a URL")
        #expect(seen["stored"] == .bool(true) && seen["local_storage"] == .number(0))
    }

    /// A directory for the driver's output and the screenshot.
    static func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cascade-workbench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func open(_ server: TestServer, key: String, _ arguments: [String], in dir: URL) async throws -> JSONValue {
        let chromium = try #require(HeadlessChromium.path, "chromium is not installed: scripts/setup.sh installs it (as root)")
        let result = try await HeadlessChromium.drive("workbench_in_chromium.py",
                                                      [server.base + "/", "--key", key, "--chromium", chromium] + arguments, in: dir)
        try #require(result.status == 0, "the browser driver failed: \(result.stderr)")
        return try JSONValue.parse(result.stdout)
    }
}
