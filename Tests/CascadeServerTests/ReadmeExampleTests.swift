import Foundation
import Testing

@Suite("README")
struct ReadmeExampleTests {
    /// The README's first HTTP API example runs as written (with the built binary for
    /// `scripts/cascade`; the server picks a free port and the example reads it from the server's
    /// own line), and no curl in it gets an error back.
    @Test func curlExamplesWorkAsWritten() throws {
        let readme = try String(contentsOf: Cascade.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "## The HTTP API"))
        let rest = readme[section.upperBound...]
        let start = try #require(rest.range(of: "```sh\n"))
        let end = try #require(rest[start.upperBound...].range(of: "```"))
        // The trap stops the example's background server if a line fails before its `kill %1`.
        let script = "set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n" + rest[start.upperBound..<end.lowerBound]
            .replacingOccurrences(of: "scripts/cascade ", with: "'\(Cascade.binary.path)' ")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cascade-readme-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent("Scenarios"),
                                                   withDestinationURL: Cascade.packageRoot.appendingPathComponent("Scenarios"))
        try script.write(to: dir.appendingPathComponent("example.sh"), atomically: true, encoding: .utf8)
        let result = try Cascade.run(["example.sh"], in: dir, executable: URL(fileURLWithPath: "/bin/bash"))
        let serveLog = (try? String(contentsOf: dir.appendingPathComponent("serve.log"), encoding: .utf8)) ?? "(no serve.log)"
        #expect(result.status == 0, "\(result.stderr)\nserve.log:\n\(serveLog)")
        #expect(!result.stdout.contains("\"error\""), "\(result.stdout)")
        #expect(result.stdout.contains("\"status\":\"ok\""))
        #expect(result.stdout.contains("\"ok\":true,\"type\":\"number\",\"value\":3"))
        #expect(result.stdout.contains("\"fingerprint\":\"xxh3-128:"))
        let saved = try String(contentsOf: dir.appendingPathComponent("fed-result.json"), encoding: .utf8)
        #expect(saved.contains("\"entities\":[{"))
    }
}
