@testable import CascadeServer
import CascadeJSON
import CascadeStore
import Foundation
import NIOHTTP1
import Testing

/// What the API must not tell a caller (where the store lives, that someone else's private
/// scenario exists), and how it answers requests outside its table (repeated parameters, HEAD,
/// methods it does not use).
@Suite("HTTP API: disclosure and protocol edges", .serialized)
struct DisclosureTests {
    /// Error bodies never carry the store's file or URL (a viewer used to learn
    /// `postgres://postgres@127.0.0.1:43157/cas1` from a missing formula).
    @Test(arguments: Backend.available) func errorBodiesNeverNameTheStore(_ backend: Backend) async throws {
        let (location, db, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("vic", .viewer), ("cal", .calibrator)])
        let server = try await TestServer.start(location)
        let secrets = Set([db, location.description, URL(fileURLWithPath: db).deletingLastPathComponent().path]).filter { $0.count > 3 }
        let requests: [(HTTPMethod, String, String)] = [
            (.GET, "/v1/formulas/no_such_formula", "vic"),
            (.GET, "/v1/formulas/gdp_sector_impact/versions/999", "vic"),
            (.POST, "/v1/formulas/no_such_formula/versions/1/test", "vic"),
            (.POST, "/v1/formulas/no_such_formula/versions/1/deactivate", "cal"),
            (.POST, "/v1/coefficients/999999/deactivate", "cal"),
            (.POST, "/v1/coefficients/not-a-number/activate", "cal"),
            (.GET, "/v1/entities/NO_SUCH_ENTITY", "vic"),
            (.GET, "/v1/scenarios/no-such-scenario", "vic"),
            (.GET, "/v1/runs/no-such-run", "vic"),
        ]
        for (method, path, user) in requests {
            let reply = try await server.request(method, path, key: keys[user])
            #expect(reply.status >= 400, "\(method) \(path): \(reply.status)")
            for secret in secrets {
                #expect(!reply.body.contains(secret), "\(method) \(path) names the store: \(reply.body)")
            }
            #expect(!reply.body.contains("postgres://") && !reply.body.contains("postgresql://"), "\(method) \(path): \(reply.body)")
        }
        await server.stop()
    }

    /// Someone else's private scenario does not exist for any method: not 403 "belongs to alice".
    @Test(arguments: Backend.available) func someoneElsesPrivateScenarioIsNotFoundForEveryMethod(_ backend: Backend) async throws {
        let (location, _, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("alice", .author), ("bob", .author), ("cal", .calibrator)])
        let server = try await TestServer.start(location)
        let submitted = try await server.request(.POST, "/v1/scenarios", key: keys["alice"],
                                                 body: scenarioJSON(name: "Alice's secret", author: "alice", isPublic: false))
        let id = try #require(submitted.json?["id"]?.stringValue, "\(submitted.body)")
        let attempts: [(HTTPMethod, String, String, String?)] = [
            (.GET, "/v1/scenarios/\(id)", "bob", nil),
            (.GET, "/v1/scenarios/\(id)/result", "bob", nil),
            (.PUT, "/v1/scenarios/\(id)", "bob", scenarioJSON(name: "Bob's now", author: "bob")),
            (.PUT, "/v1/scenarios/\(id)", "bob", scenarioJSON(name: "Bob's now", author: "alice")),
            (.DELETE, "/v1/scenarios/\(id)", "bob", nil),
            (.POST, "/v1/scenarios/\(id)/runs", "bob", nil),
            (.POST, "/v1/scenarios/\(id)/runs", "cal", nil),
        ]
        for (method, path, user, body) in attempts {
            let reply = try await server.request(method, path, key: keys[user], body: body)
            #expect(reply.status == 404 && reply.errorCode == "not_found", "\(user) \(method) \(path): \(reply.status) \(reply.body)")
            #expect(!reply.body.contains("alice"), "\(user) \(method) \(path) names the owner: \(reply.body)")
        }
        let stored = try #require(try Store(location).scenario(id))
        #expect(stored.name == "Alice's secret" && stored.author == "alice")
        await server.stop()
    }

    /// A date before year 1 is a validation error with its path, on both backends (PostgreSQL
    /// used to answer 500 when it refused to store it).
    @Test(arguments: Backend.available) func asOfBeforeYearOneIsAValidationError(_ backend: Backend) async throws {
        let (location, _, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("alice", .author)])
        let server = try await TestServer.start(location)
        let before = try Store(location).tableCounts()
        for asOf in ["0000-01-01", "0000-12-31", "+123-01-01"] {
            let body = #"{"name": "x", "author": "alice", "as_of": "\#(asOf)", "macro_variables": {"fed_funds_rate": 0.02}}"#
            let reply = try await server.request(.POST, "/v1/scenarios", key: keys["alice"], body: body)
            #expect(reply.status == 400, "\(asOf): \(reply.status) \(reply.body)")
            let paths = [reply.error?["path"]?.stringValue] + (reply.error?["problems"]?.arrayValue ?? []).map { $0["path"]?.stringValue }
            #expect(paths.contains("$.as_of"), "\(asOf): \(reply.body)")
        }
        #expect(try Store(location).tableCounts() == before)
        await server.stop()
    }

    /// Every timestamp the API shows is RFC 3339 UTC with milliseconds (`2026-01-02T03:04:05.678Z`),
    /// whichever backend stored it (PostgreSQL's own text form was `2026-01-02 03:04:05.678+00`).
    @Test(arguments: Backend.available) func timestampsAreRFC3339OnBothBackends(_ backend: Backend) async throws {
        let (location, _, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("root", .admin), ("alice", .author)])
        let server = try await TestServer.start(location)
        let id = try #require(try await server.request(.POST, "/v1/scenarios", key: keys["alice"],
                                                       body: scenarioJSON(name: "Times", author: "alice")).json?["id"]?.stringValue)
        let run = try await server.request(.POST, "/v1/scenarios/\(id)/runs?wait=120&entities=false", key: keys["alice"])
        #expect(run.status == 200, "\(run.body)")
        var seen: [String: String] = [:]
        func collect(_ value: JSONValue, _ path: String) {
            switch value {
            case .object(let object):
                for (key, member) in object {
                    if key.hasSuffix("_at"), case .string(let text) = member { seen["\(path).\(key)"] = text }
                    collect(member, "\(path).\(key)")
                }
            case .array(let items): for (i, item) in items.prefix(5).enumerated() { collect(item, "\(path)[\(i)]") }
            default: break
            }
        }
        for path in ["/v1/scenarios", "/v1/scenarios/\(id)", "/v1/scenarios/\(id)/result?entities=false", "/v1/users", "/v1/audit?limit=20"] {
            let reply = try await server.request(.GET, path, key: keys["root"])
            collect(reply.json ?? .null, path)
        }
        #expect(seen.keys.contains { $0.hasSuffix(".created_at") } && seen.keys.contains { $0.hasSuffix(".results_updated_at") },
                "\(seen.keys.sorted())")
        for (path, text) in seen {
            #expect(Self.isRFC3339UTC(text), "\(backend) \(path) = `\(text)`")
        }
        await server.stop()
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    static func isRFC3339UTC(_ text: String) -> Bool {
        let pattern = Array("dddd-dd-ddTdd:dd:dd.dddZ")
        let chars = Array(text)
        guard chars.count == pattern.count else { return false }
        return zip(chars, pattern).allSatisfy { c, p in p == "d" ? c.isASCII && c.isNumber : c == p }
    }

    /// A query parameter given twice is refused, not silently resolved to one of the values.
    @Test(arguments: ["?limit=1&limit=2", "?author=alice&author=bob", "?limit=5&offset=0&limit=5"])
    func aRepeatedQueryParameterIs400(_ query: String) async throws {
        let (location, _, cleanup) = try Backend.sqlite.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("alice", .author)])
        let server = try await TestServer.start(location)
        let reply = try await server.request(.GET, "/v1/scenarios\(query)", key: keys["alice"])
        #expect(reply.status == 400 && reply.errorCode == "repeated_parameter", "\(query): \(reply.status) \(reply.body)")
        #expect(reply.error?["path"]?.stringValue?.hasPrefix("?") == true)
        #expect(OpenAPISpec.shared.problems("GET", "/v1/scenarios", reply).isEmpty)
        await server.stop()
    }

    /// HEAD answers like GET (status, type, length) without a body; a known method on a path that
    /// lacks it is a 405 naming the allowed ones.
    @Test func headAnswersLikeGetAndOtherMethodsAre405() async throws {
        let (location, _, cleanup) = try Backend.sqlite.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("vic", .viewer)])
        let server = try await TestServer.start(location)
        for (path, key) in [("/v1/health", nil), ("/v1/formulas", keys["vic"]), ("/v1/scenarios", nil)] as [(String, String?)] {
            let get = try await server.request(.GET, path, key: key)
            let head = try await server.request(.HEAD, path, key: key)
            #expect(head.status == get.status, "HEAD \(path): \(head.status), GET: \(get.status)")
            #expect(head.body.isEmpty, "HEAD \(path) has a body: \(head.body)")
            #expect(head.headers["Content-Type"] == get.headers["Content-Type"])
            #expect(head.headers["Content-Length"] == get.headers["Content-Length"], "HEAD \(path): \(head.headers)")
        }
        let delete = try await server.request(.DELETE, "/v1/health")
        #expect(delete.status == 405 && delete.errorCode == "method_not_allowed", "\(delete.body)")
        #expect(delete.headers["Allow"].first == "GET, HEAD")
        await server.stop()
    }

    /// CONNECT and the other methods the API does not use get a 405, and the connection closes
    /// (a CONNECT's tunnel bytes must not be read as the next request).
    @Test(arguments: [
        "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
        "TRACE /v1/health HTTP/1.1\r\nHost: x\r\n\r\n",
        "PATCH /v1/scenarios HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
    ])
    func unknownMethodsGet405AndTheConnectionCloses(_ request: String) async throws {
        let (location, _, cleanup) = try Backend.sqlite.freshStore()
        defer { cleanup() }
        let server = try await TestServer.start(location)
        let connection = try await RawConnection.open(server)
        try await connection.send(request + "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(await waitUntilClosed([connection]) == 0, "still open 60 s after \(request.prefix(20))")
        #expect(connection.text.hasPrefix("HTTP/1.1 405"), "\(request.prefix(20)): \(connection.text)")
        #expect(connection.text.components(separatedBy: "HTTP/1.1 ").count == 2, "answered more than once: \(connection.text)")
        #expect(connection.text.lowercased().contains("allow: "))
        await server.stop()
    }
}
