@testable import CascadeServer
import CascadeJSON
import CascadeStore
import Foundation
import Logging
import NIOHTTP1
import Testing

/// Captures log records in memory: the access log under test.
final class CapturedLog: @unchecked Sendable {
    struct Record { var level: Logger.Level; var message: String; var metadata: [String: String] }
    private let lock = NSLock()
    private var stored: [Record] = []

    var records: [Record] { lock.lock(); defer { lock.unlock() }; return stored }

    func append(_ record: Record) { lock.lock(); stored.append(record); lock.unlock() }

    var logger: Logger {
        Logger(label: "cascade.access") { _ in Handler(log: self) }
    }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var fields: [String: String] = [:]
            for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) { fields[key] = "\(value)" }
            log.append(Record(level: event.level, message: "\(event.message)", metadata: fields))
        }
    }
}

@Suite("Observability", .serialized)
struct ObservabilityTests {
    /// One structured access-log line per request (method, route, status, duration, user, request
    /// id), the id also sent back as `X-Request-Id` (a client's own plain id is kept).
    @Test func everyRequestHasOneAccessLogLineAndARequestID() async throws {
        let (location, _, cleanup) = try Backend.sqlite.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("alice", .author)])
        let log = CapturedLog()
        let server = try await TestServer.start(location) { $0.accessLog = log.logger }
        let requests: [(HTTPMethod, String, String?, [(String, String)], String, Int, String)] = [
            (.GET, "/v1/health", nil, [], "/v1/health", 200, "-"),
            (.GET, "/v1/scenarios?limit=5", keys["alice"], [], "/v1/scenarios", 200, "alice"),
            (.GET, "/v1/scenarios/00000000-0000-0000-0000-000000000000", keys["alice"], [("X-Request-Id", "trace-42")], "/v1/scenarios/{id}", 404, "alice"),
            (.GET, "/v1/scenarios", "csk_forged", [], "/v1/scenarios", 401, "-"),
            (.GET, "/no/such/path", nil, [], "unmatched", 404, "-"),
        ]
        var ids: [String] = []
        for (method, path, key, headers, _, status, _) in requests {
            let reply = try await server.request(method, path, key: key, headers: headers)
            #expect(reply.status == status, "\(path): \(reply.body)")
            let id = try #require(reply.headers["X-Request-Id"].first, "\(path) has no X-Request-Id")
            ids.append(id)
        }
        #expect(ids[2] == "trace-42")
        #expect(Set(ids).count == ids.count)
        await server.stop()
        let lines = log.records.filter { $0.message == "request" }
        #expect(lines.count == requests.count, "\(lines.map(\.metadata))")
        for ((method, path, _, _, route, status, user), id) in zip(requests, ids) {
            let line = try #require(lines.first { $0.metadata["request_id"] == id }, "no line for \(path)")
            #expect(line.level == .info)
            #expect(line.metadata["method"] == method.rawValue)
            #expect(line.metadata["route"] == route)
            #expect(line.metadata["status"] == String(status))
            #expect(line.metadata["user"] == user)
            #expect(Double(line.metadata["duration_ms"] ?? "") != nil, "\(line.metadata)")
        }
    }

    /// `GET /metrics` (admins only) in Prometheus' text format: requests by route and status,
    /// latency histograms, rate-limited requests, the queue, and runs by outcome and duration.
    @Test(arguments: Backend.available) func metricsShowRequestsRunsAndTheQueue(_ backend: Backend) async throws {
        let (location, _, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("root", .admin), ("alice", .author), ("vic", .viewer), ("busy", .viewer)])
        // 3 a minute: every other key here makes at most 2 requests, and `busy`'s 25 meet the limit
        // however slowly a loaded machine answers (a token comes back every 20 s; with a limit of
        // 20, 25 requests slower than 0.6 s each never saw a 429).
        let server = try await TestServer.start(location) { $0.rateLimitPerMinute = 3 }
        for _ in 0..<3 { #expect(try await server.request(.GET, "/v1/health").status == 200) }
        let id = try #require(try await server.request(.POST, "/v1/scenarios", key: keys["alice"],
                                                       body: scenarioJSON(name: "Metered", author: "alice")).json?["id"]?.stringValue)
        #expect(try await server.request(.POST, "/v1/scenarios/\(id)/runs?wait=120&entities=false", key: keys["alice"]).status == 200)
        var statuses: [Int] = []
        for _ in 0..<25 { statuses.append(try await server.request(.GET, "/v1/formulas", key: keys["busy"]).status) }
        #expect(statuses.contains(429))
        #expect(try await server.request(.GET, "/metrics", key: keys["vic"]).status == 403)
        #expect(try await server.request(.GET, "/metrics").status == 401)

        let reply = try await server.request(.GET, "/metrics", key: keys["root"])
        #expect(reply.status == 200)
        #expect(reply.headers["Content-Type"].first?.hasPrefix("text/plain; version=0.0.4") == true)
        let lines = reply.body.split(separator: "\n").map(String.init)
        func value(_ name: String, _ labels: [String]) -> Double? {
            lines.first { $0.hasPrefix(name + "{") && labels.allSatisfy($0.contains) || ($0.hasPrefix(name + " ") && labels.isEmpty) }
                .flatMap { Double($0.split(separator: " ").last ?? "") }
        }
        #expect(value("cascade_http_requests_total", [#"method="GET""#, #"route="/v1/health""#, #"status="200""#]) == 3, "\(reply.body)")
        #expect(value("cascade_http_requests_total", [#"route="/v1/scenarios""#, #"status="201""#]) == 1)
        #expect(value("cascade_http_requests_total", [#"route="/v1/formulas""#, #"status="429""#]) == Double(statuses.count { $0 == 429 }))
        #expect(value("cascade_http_rate_limited_requests_total", []) == Double(statuses.count { $0 == 429 }))
        #expect(value("cascade_http_request_duration_seconds_count", [#"route="/v1/health""#]) == 3)
        #expect(lines.contains { $0.hasPrefix("cascade_http_request_duration_seconds_bucket{") && $0.contains(#"le="+Inf""#) })
        #expect(value("cascade_runs_finished_total", [#"outcome="succeeded""#]) == 1, "\(reply.body)")
        #expect(value("cascade_runs_duration_seconds_count", [#"outcome="succeeded""#]) == 1)
        #expect(value("cascade_run_queue_jobs_current", [#"status="queued""#]) == 0)
        #expect(value("cascade_run_queue_leases_held_current", []) == 0)
        // A second scrape counts no run twice.
        let again = try await server.request(.GET, "/metrics", key: keys["root"])
        #expect(again.body.split(separator: "\n").contains { $0 == #"cascade_runs_finished_total{outcome="succeeded"} 1"# }, "\(again.body)")
        await server.stop()
    }
}
