import CascadeTestSupport
import Foundation
import Testing

/// Every command block of the README runs as written, in order, in one fresh directory (with
/// the built binary for `scripts/cascade`, and `Scenarios/`, `Formulas/`, `Backtests/` and
/// `clients/` beside it as in a clone): ```` ```sh ```` blocks as scripts that must succeed, ```` ```console ```` blocks as
/// transcripts whose `$ ` commands must print exactly what follows them. ```` ```text ```` blocks
/// are syntax summaries with placeholders and are not run. The HTTP API block is run by
/// `ReadmeExampleTests` (it starts a server).
@Suite("README command blocks")
struct ReadmeCommandTests {
    struct Block {
        var info: String
        var section: String
        var body: String
    }

    static func blocks() throws -> [Block] {
        let readme = try String(contentsOf: StoreCLI.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        var blocks: [Block] = []
        var section = "", info: String?, body = ""
        for line in readme.split(separator: "\n", omittingEmptySubsequences: false) {
            if let open = info {
                if line == "```" {
                    blocks.append(Block(info: open, section: section, body: body))
                    info = nil
                } else {
                    body += line + "\n"
                }
            } else if line.hasPrefix("```") {
                info = String(line.dropFirst(3))
                body = ""
            } else if line.hasPrefix("## ") {
                section = String(line)
            }
        }
        return blocks
    }

    /// The suite runs itself: the first block's `scripts/test.sh` is what is running this test.
    static let theSuite = "scripts/test.sh"

    @Test func everyCommandBlockRunsAsWritten() throws {
        let all = try Self.blocks()
        #expect(Set(all.map(\.info)).isSubset(of: ["sh", "console", "text", ""]), "\(all.map(\.info))")
        let runnable = all.filter { ($0.info == "sh" || $0.info == "console") && !$0.section.hasPrefix("## The HTTP API") }
        #expect(runnable.count >= 5)
        #expect(all.filter { $0.info == "sh" && $0.section.hasPrefix("## The HTTP API") }.count == 1,
                "ReadmeExampleTests runs the one HTTP API block")

        let dir = try StoreCLI.emptyDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for name in ["Scenarios", "Formulas", "Backtests", "clients"] {
            try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent(name),
                                                       withDestinationURL: StoreCLI.packageRoot.appendingPathComponent(name))
        }
        let binary = "'\(StoreCLI.binary.path)'"
        for block in runnable {
            if block.info == "sh" {
                var lines = block.body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                lines.removeAll { $0.hasPrefix(Self.theSuite + " ") || $0 == Self.theSuite }
                // The trap stops a block's background server if a line fails before its `kill %1`.
                let script = "set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n" + lines.joined(separator: "\n").replacingOccurrences(of: "scripts/cascade ", with: binary + " ")
                let result = try Self.bash(script, in: dir)
                #expect(result.status == 0, "\(block.section):\n\(block.body)\nstdout:\n\(result.stdout)\nstderr:\n\(result.stderr)")
            } else {
                for (command, expected) in Self.transcript(block.body) {
                    let result = try Self.bash(command.replacingOccurrences(of: "scripts/cascade ", with: binary + " ") + " 2>&1", in: dir)
                    #expect(result.stdout == expected, "\(block.section): $ \(command)\nprinted:\n\(result.stdout)\nthe README shows:\n\(expected)")
                }
            }
        }
        // What the blocks leave behind, as the README describes it.
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(".cascade/cascade.sqlite").path))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("oil.json").path))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("my-result.json").path))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("cascade.bash").path))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("fed-rate-cut.html").path))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("fed-vs-oil.html").path))
    }

    /// `$ command` lines (continued by a trailing `\`) and the output printed after each.
    static func transcript(_ body: String) -> [(command: String, output: String)] {
        var steps: [(command: String, output: String)] = []
        var continuing = false
        for line in body.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            if continuing, var last = steps.popLast() {
                last.command += "\n" + line
                steps.append(last)
                continuing = line.hasSuffix("\\")
            } else if line.hasPrefix("$ ") {
                steps.append((String(line.dropFirst(2)), ""))
                continuing = line.hasSuffix("\\")
            } else if var last = steps.popLast() {
                last.output += line + "\n"
                steps.append(last)
            }
        }
        return steps
    }

    static func bash(_ script: String, in dir: URL) throws -> PackageExecutables.Result {
        try PackageExecutables.run(URL(fileURLWithPath: "/bin/bash"), ["-c", script], in: dir,
                                   environment: ["CASCADE_FORMULAS": "", "NO_COLOR": "1", "COLUMNS": "100"])
    }
}
