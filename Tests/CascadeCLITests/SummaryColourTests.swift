import CascadeJSON
import CascadeTestSupport
import Foundation
import Testing

/// The run summary colours signs on a terminal (green up, red down; clamps yellow), never when
/// stdout is not a terminal or `NO_COLOR` is set, and the names in it stay escaped either way.
@Suite("cascade run: colour on a terminal (end to end)")
struct SummaryColourTests {
    /// (the environment change, whether the summary is coloured)
    static let cases: [(String, Bool)] = [("env -u NO_COLOR", true), ("env NO_COLOR=1", false)]

    @Test(arguments: CLIBackend.available, cases.indices)
    func theSummaryIsColouredOnlyOnATerminalWithoutNoColor(_ backend: CLIBackend, _ index: Int) throws {
        let (environment, coloured) = Self.cases[index]
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        try #require(try StoreCLI.run(["init", "--db", db], in: dir).status == 0)
        // The macro world, with the company's name holding terminal control sequences.
        let world = StoreCLI.macroWorld.replacingOccurrences(of: #""NVIDIA""#, with: JSONValue.string(TerminalEscapingTests.evil).serialized())
        let imported = try StoreCLI.run(["import", try StoreCLI.write(world, to: "world.json", in: dir), "--db", db], in: dir)
        try #require(imported.status == 0, "\(imported.stderr)")
        let scenario = try StoreCLI.write(#"{"name": "cut", "author": "alice", "as_of": "2025-06-30", "macro_variables": {"fed_funds_rate": 0.03, "tariff": 0}}"#,
                                          to: "cut.json", in: dir)
        func quoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: #"'\''"#) + "'" }
        let command = [StoreCLI.binary.path, "run", scenario, "--db", db].map(quoted).joined(separator: " ")

        // On a terminal: `script` runs the command on a pseudo-terminal and copies what it printed.
        let onTerminal = try PackageExecutables.run(URL(fileURLWithPath: "/usr/bin/script"),
                                                    ["-qec", "\(environment) \(command)", "/dev/null"], in: dir)
        #expect(onTerminal.status == 0, "\(onTerminal.stdout) \(onTerminal.stderr)")
        #expect(onTerminal.stdout.contains("Top movers by level"), "\(onTerminal.stdout)")
        #expect(onTerminal.stdout.contains("\u{1B}[32m+4.50 %") == coloured, "\(onTerminal.stdout.debugDescription)")
        #expect(onTerminal.stdout.contains("(\u{1B}[31m-2.25 pp\u{1B}[0m)") == coloured, "\(onTerminal.stdout.debugDescription)")
        #expect(onTerminal.stdout.contains(TerminalEscapingTests.shown), "\(onTerminal.stdout.debugDescription)")
        #expect(!onTerminal.stdout.contains("\u{1B}]0;"), "a name drove the terminal: \(onTerminal.stdout.debugDescription)")

        // Not a terminal: never coloured.
        let piped = try PackageExecutables.run(URL(fileURLWithPath: "/usr/bin/env"),
                                               ["-u", "NO_COLOR", StoreCLI.binary.path, "run", scenario, "--db", db], in: dir)
        #expect(piped.status == 0)
        #expect(!piped.stdout.contains("\u{1B}"), "\(piped.stdout.debugDescription)")
    }
}
