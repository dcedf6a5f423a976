import CascadeJSON
import Foundation
import Testing

/// The command line behaves like the ecosystem's tools: numeric options are checked by the
/// parser, and negative values are values.
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
}
