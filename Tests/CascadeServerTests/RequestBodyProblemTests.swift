@testable import CascadeServer
import CascadeJSON
import CascadeStore
import Foundation
import NIOHTTP1
import Testing

/// Request bodies are read with the one document reader: a bad body is refused once with every
/// problem, its path and its line and column in the body (not only the first), and nothing is written.
@Suite("Request body problems", .serialized)
struct RequestBodyProblemTests {
    /// (endpoint, who calls it, body, the paths of every problem, in order, and their `line:column`:
    /// the value's, the key's for an unknown key, the object's for a missing member)
    static let cases: [(String, String, String, [String], [String])] = [
        ("/v1/eval", "alice", #"{"formula": 1, "explain": "yes", "bindings": {"a": [1], "b": {"c": [2]}}, "extra": true}"#,
         ["$.extra", "$.formula", "$.explain", "$.bindings.a", "$.bindings.b.c"], ["1:75", "1:13", "1:27", "1:52", "1:68"]),
        ("/v1/users", "root", #"{"username": 7, "role": "admn", "team": "x"}"#, ["$.team", "$.username", "$.role"], ["1:33", "1:14", "1:25"]),
        ("/v1/whatif", "alice", #"{"base": 3, "sets": {}, "shocks": [], "levels": {"3": 1}, "save": false}"#,
         ["$.sets", "$.base", "$.save", "$.shocks", #"$.levels["3"]"#], ["1:13", "1:10", "1:67", "1:35", "1:55"]),
        ("/v1/backtest", "cal", #"{"form": "2008-01-01", "to": 2009, "metric": null}"#, ["$.form", "$.from", "$.to"], ["1:2", "1:1", "1:30"]),
    ]

    @Test(arguments: Backend.available) func everyProblemOfABodyIsReportedAtOnce(_ backend: Backend) async throws {
        let (location, _, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("root", .admin), ("alice", .author), ("cal", .calibrator)])
        let server = try await TestServer.start(location)
        let spec = SpecRecorder()
        let before = try Store(location).tableCounts()
        for (path, user, body, expected, places) in Self.cases {
            let reply = spec.check(.POST, path, try await server.request(.POST, path, key: keys[user], body: body))
            #expect(reply.status == 400, "\(path): \(reply.status) \(reply.body)")
            let problems = reply.error?["problems"]?.arrayValue ?? []
            #expect(problems.compactMap { $0["path"]?.stringValue } == expected, "\(path): \(reply.body)")
            #expect(problems.map { "\($0["line"]?.numberValue.map { Int($0) } ?? 0):\($0["column"]?.numberValue.map { Int($0) } ?? 0)" } == places,
                    "\(path): \(reply.body)")
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
