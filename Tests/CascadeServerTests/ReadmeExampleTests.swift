import Foundation
import Testing

@Suite("README")
struct ReadmeExampleTests {
    /// The README's first HTTP API example runs as written (with the built binary for
    /// `scripts/cascade` and a free port for 8080), and no curl in it gets an error back.
    @Test func curlExamplesWorkAsWritten() throws {
        let readme = try String(contentsOf: Cascade.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "## The HTTP API"))
        let rest = readme[section.upperBound...]
        let start = try #require(rest.range(of: "```sh\n"))
        let end = try #require(rest[start.upperBound...].range(of: "```"))
        let port = String(Int.random(in: 20_000...40_000))
        let script = "set -euo pipefail\n" + rest[start.upperBound..<end.lowerBound]
            .replacingOccurrences(of: "scripts/cascade ", with: "'\(Cascade.binary.path)' ")
            .replacingOccurrences(of: "8080", with: port)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cascade-readme-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent("Scenarios"),
                                                   withDestinationURL: Cascade.packageRoot.appendingPathComponent("Scenarios"))
        try script.write(to: dir.appendingPathComponent("example.sh"), atomically: true, encoding: .utf8)
        let result = try Cascade.run(["example.sh"], in: dir, executable: URL(fileURLWithPath: "/bin/bash"))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains("\"error\""), "\(result.stdout)")
        #expect(result.stdout.contains("\"status\":\"ok\""))
        #expect(result.stdout.contains("\"ok\":true,\"type\":\"number\",\"value\":3"))
        #expect(result.stdout.contains("\"fingerprint\":\"xxh3-128:"))
        let saved = try String(contentsOf: dir.appendingPathComponent("fed-result.json"), encoding: .utf8)
        #expect(saved.contains("\"entities\":[{"))
    }
}
