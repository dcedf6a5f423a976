@testable import CascadeServer
import CascadeJSON
import CascadeStore
import Foundation
import NIOHTTP1
import Testing

/// Request bodies are read with the one document reader: a bad body is refused once with every
/// problem and its path (not only the first), and nothing is written.
@Suite("Request body problems", .serialized)
struct RequestBodyProblemTests {
    /// (endpoint, who calls it, body, the paths of every problem, in order)
    static let cases: [(String, String, String, [String])] = [
        ("/v1/eval", "alice", #"{"formula": 1, "explain": "yes", "bindings": {"a": [1], "b": {"c": [2]}}, "extra": true}"#,
         ["$.extra", "$.formula", "$.explain", "$.bindings.a", "$.bindings.b.c"]),
        ("/v1/users", "root", #"{"username": 7, "role": "admn", "team": "x"}"#, ["$.team", "$.username", "$.role"]),
        ("/v1/whatif", "alice", #"{"base": 3, "sets": {}, "shocks": [], "levels": {"3": 1}, "save": false}"#,
         ["$.sets", "$.base", "$.save", "$.shocks", #"$.levels["3"]"#]),
        ("/v1/backtest", "cal", #"{"form": "2008-01-01", "to": 2009, "metric": null}"#, ["$.form", "$.from", "$.to"]),
    ]

    @Test(arguments: Backend.available) func everyProblemOfABodyIsReportedAtOnce(_ backend: Backend) async throws {
        let (location, _, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("root", .admin), ("alice", .author), ("cal", .calibrator)])
        let server = try await TestServer.start(location)
        let spec = SpecRecorder()
        let before = try Store(location).tableCounts()
        for (path, user, body, expected) in Self.cases {
            let reply = spec.check(.POST, path, try await server.request(.POST, path, key: keys[user], body: body))
            #expect(reply.status == 400, "\(path): \(reply.status) \(reply.body)")
            let problems = reply.error?["problems"]?.arrayValue ?? []
            #expect(problems.compactMap { $0["path"]?.stringValue } == expected, "\(path): \(reply.body)")
            #expect(reply.error?["path"]?.stringValue == expected.first, "\(path): \(reply.body)")
            #expect(problems.allSatisfy { $0["code"]?.stringValue?.isEmpty == false && $0["message"]?.stringValue?.isEmpty == false })
        }
        // A misspelt field or role says what was meant.
        let typo = try await server.request(.POST, "/v1/users", key: keys["root"], body: #"{"usernme": "dora", "role": "athor"}"#)
        #expect(typo.body.contains("did you mean `username`?") && typo.body.contains("did you mean `author`?"), "\(typo.body)")
        #expect(try Store(location).tableCounts() == before, "a refused request wrote something")
        #expect(spec.problems.isEmpty, "\(spec.problems.joined(separator: "\n"))")
        await server.stop()
    }
}
