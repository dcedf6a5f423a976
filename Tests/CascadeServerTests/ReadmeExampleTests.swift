import Foundation
import Testing

@Suite("README")
struct ReadmeExampleTests {
    /// The README's first HTTP API example runs as written (with the built binary for
    /// `scripts/cascade`, and port 0 for 8080: the script reads the port the server reports), and no curl in it gets an error back.
    @Test func curlExamplesWorkAsWritten() throws {
        let readme = try String(contentsOf: Cascade.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "## The HTTP API"))
        let rest = readme[section.upperBound...]
        let start = try #require(rest.range(of: "```sh\n"))
        let end = try #require(rest[start.upperBound...].range(of: "```"))
        // No guessed port: the server binds port 0, and the script reads the port it reports once
        // the example's own wait loop has seen it listening.
        let wait = try #require(rest.range(of: "; done   # wait until it listens\n"))
        let portLine = "PORT=$(sed -n 's/.* on http:\\/\\/[^:]*:\\([0-9]*\\).*/\\1/p' serve.log | head -1)\n"
            + "[ -n \"$PORT\" ] || { echo 'cascade serve never said it was listening:' >&2; cat serve.log >&2; exit 1; }\n"
        let example = rest[start.upperBound..<wait.upperBound] + portLine + rest[wait.upperBound..<end.lowerBound]
        let script = "set -euo pipefail\n" + example
            .replacingOccurrences(of: "scripts/cascade ", with: "'\(Cascade.binary.path)' ")
            .replacingOccurrences(of: "--port 8080", with: "--port 0")
            .replacingOccurrences(of: "127.0.0.1:8080", with: "127.0.0.1:$PORT")
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
