import CascadeJSON
import Foundation
import Testing

/// The command line behaves like the ecosystem's tools: numeric options are checked by the
/// parser, negative values are values, `--db` may come first, `--version`, "did you mean", help
/// that wraps to the terminal.
@Suite("cascade command-line conventions")
struct CommandLineConventionTests {
    struct BadNumber: CustomTestStringConvertible, Sendable {
        var arguments: [String]
        var message: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let coefficient = ["coefficient", "add", "--sector", "S", "--type", "t", "--effective-date", "2025-01-01"]

    static let badNumbers: [BadNumber] = [
        BadNumber(arguments: ["run", "Scenarios/fed-rate-cut-2025.json", "--top=-1"],
                  message: "The value '-1' is invalid for '--top <top>': expected a whole number from 1 to 10000"),
        BadNumber(arguments: ["run", "Scenarios/fed-rate-cut-2025.json", "--top", "0"],
                  message: "The value '0' is invalid for '--top <top>': expected a whole number from 1 to 10000"),
        BadNumber(arguments: ["scenario", "run", "some-id", "--top", "many"],
                  message: "The value 'many' is invalid for '--top <top>'"),
        BadNumber(arguments: ["serve", "--port", "70000"],
                  message: "The value '70000' is invalid for '--port <port>': expected a whole number from 0 to 65535"),
        BadNumber(arguments: ["serve", "--workers", "-1"],
                  message: "The value '-1' is invalid for '--workers <workers>': expected a whole number from 0 to 256"),
        BadNumber(arguments: ["serve", "--lease", "0"],
                  message: "The value '0' is invalid for '--lease <lease>': expected a finite number from 0.1 to 86400"),
        BadNumber(arguments: ["serve", "--max-body", "0"], message: "'--max-body <max-body>'"),
        BadNumber(arguments: ["worker", "--poll", "-1"],
                  message: "The value '-1' is invalid for '--poll <poll>': expected a finite number from 0.01 to 3600"),
        BadNumber(arguments: ["worker", "--lease", "nan"], message: "The value 'nan' is invalid for '--lease <lease>'"),
        BadNumber(arguments: ["worker", "--chunk-draws", "0"],
                  message: "The value '0' is invalid for '--chunk-draws <chunk-draws>': expected a whole number from 1 to 100000000"),
        BadNumber(arguments: coefficient + ["--value", "1e999"],
                  message: "The value '1e999' is invalid for '--value <value>': expected a finite number"),
        BadNumber(arguments: coefficient + ["--value", "1", "--r-squared", "inf"],
                  message: "The value 'inf' is invalid for '--r-squared <r-squared>'"),
    ]

    /// A bad number is a usage error (status 64) naming the option and its range, before any
    /// store is opened — never a crash (`--top=-1` was SIGILL) and never a default silently used.
    @Test(arguments: badNumbers)
    func numericOptionsAreCheckedByTheParser(_ bad: BadNumber) throws {
        let dir = try StoreCLI.emptyDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try StoreCLI.run(bad.arguments + ["--db", dir.appendingPathComponent("s.sqlite").path], in: StoreCLI.packageRoot)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains(bad.message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("s.sqlite").path))
    }

    /// `--top=-1` on a run that has movers was a SIGILL in the summary; now the parser refuses it.
    @Test func aNegativeTopNeverReachesARun() throws {
        let (dir, db, cleanup) = try StoreCLI.sampleStore(.sqlite)
        defer { cleanup() }
        let result = try StoreCLI.run(["run", StoreCLI.sampleScenario, "--top=-1", "--db", db], in: dir)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("The value '-1' is invalid for '--top <top>'"), "\(result.stderr)")
        let shown = try StoreCLI.run(["run", StoreCLI.sampleScenario, "--top", "1", "--db", db], in: dir)
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("more moved"))
    }

    @Test(arguments: CLIBackend.available)
    func negativeValuesAreOptionValues(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        try StoreCLI.run(["init", "--db", db], in: dir)
        let added = try StoreCLI.run(Self.coefficient + ["--value", "-0.05", "--db", db, "--json"], in: dir)
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.json?["value"] == .number(-0.05))
        let badR2 = try StoreCLI.run(Self.coefficient + ["--value", "1", "--r-squared", "-0.5", "--db", db], in: dir)
        #expect(badR2.status == 1)
        #expect(badR2.stderr.contains("--r-squared"), "\(badR2.stderr)")
    }

    /// `--db` is a global option: before the subcommand (`cascade --db X init`) as well as after it.
    @Test(arguments: CLIBackend.available)
    func theStoreMayBeNamedBeforeTheSubcommand(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        let created = try StoreCLI.run(["--db", db, "init", "--json"], in: dir)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.json?["ok"] == .bool(true))
        let listed = try StoreCLI.run(["--db=\(db)", "formula", "list", "--json"], in: dir)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.json == .array([]))
        let grouped = try StoreCLI.run(["scenario", "--db", db, "list", "--json"], in: dir)
        #expect(grouped.json == .array([]), "\(grouped.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent(".cascade").path))
    }

    @Test func versionIsPrinted() throws {
        let result = try CascadeBinary.run(["--version"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("1.0.0 (store schema "), "\(result.stdout)")
    }

    @Test(arguments: [
        (["scenario", "lst"], "unknown subcommand `lst` of `cascade scenario`; did you mean `list`?"),
        (["rnu", "x.json"], "unknown subcommand `rnu` of `cascade`; did you mean `run`?"),
        (["frmula", "list"], "unknown subcommand `frmula` of `cascade`; did you mean `formula`?"),
        (["--db", "x.sqlite", "coefficent", "list"], "did you mean `coefficient`?"),
        (["zzz"], "unknown subcommand `zzz` of `cascade` (`cascade --help` lists them)"),
    ])
    func aMistypedSubcommandGetsTheNearestName(_ arguments: [String], _ message: String) throws {
        let result = try CascadeBinary.run(arguments)
        #expect(result.status == 64)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    /// Help is wrapped by argument-parser to the terminal's width (`COLUMNS` here): no line but
    /// the usage synopsis (which argument-parser never wraps) is wider than a narrow terminal,
    /// and on a wide one a paragraph is not broken where the source happened to break it.
    @Test(arguments: [
        (["eval"], "JSON object of numbers, booleans, strings"),
        (["serve"], "needs an API key (`cascade user add NAME --role ROLE` issues one)"),
        (["worker"], "under a lease that a heartbeat renews"),
        (["run"], "Prints the top movers per level and why"),
        (["coefficient", "add"], "Append a sector coefficient row"),
        ([], "may come before the subcommand or after it"),
    ])
    func helpWrapsToTheTerminal(_ command: [String], _ phrase: String) throws {
        let narrow = try CascadeBinary.run(command + ["--help"], environment: ["COLUMNS": "60"])
        #expect(narrow.status == 0)
        let long = narrow.stdout.split(separator: "\n").filter { $0.count > 60 && !$0.hasPrefix("USAGE: ") }
        #expect(long.isEmpty, "\(long)")
        let wide = try CascadeBinary.run(command + ["--help"], environment: ["COLUMNS": "400"])
        #expect(wide.stdout.split(separator: "\n").contains { $0.contains(phrase) }, "\(wide.stdout)")
    }
}
