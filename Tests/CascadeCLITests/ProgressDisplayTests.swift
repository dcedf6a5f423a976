@testable import CascadeCLI
import CascadeStore
import Foundation
import Testing

/// Progress on stderr: a bar redrawn in place on a terminal, periodic lines in a log, nothing
/// when quiet — and end to end through `cascade import` with and without a terminal.
struct ProgressDisplayTests {
    /// A display whose clock and output the test controls.
    final class Probe {
        var time = 0.0
        var written: [String] = []
        lazy var display = ProgressDisplay("import", mode: mode, linesFrom: linesFrom, now: { [unowned self] in self.time },
                                           output: { [unowned self] in self.written.append($0) })
        let mode: ProgressDisplay.Mode
        let linesFrom: Int
        init(_ mode: ProgressDisplay.Mode, linesFrom: Int = 0) {
            self.mode = mode
            self.linesFrom = linesFrom
        }
        /// Reports `total` rows of `phase` in steps of `step`, one clock tick (10 ms) apart.
        func count(_ phase: String, total: Int, step: Int) {
            display.report(WorkProgress(phase, total: total, unit: "rows"))
            for done in stride(from: step, through: total, by: step) {
                time += 0.01
                display.report(WorkProgress(phase, done: done, total: total, unit: "rows"))
            }
        }
    }

    @Test func aLogGetsAPhaseLineAndEveryTenthOfALargePhase() {
        let probe = Probe(.lines)
        probe.display.report(WorkProgress("validating"))
        probe.count("writing entities", total: 2_000, step: 100)
        probe.count("writing relationships", total: 100_000, step: 1_000)
        #expect(probe.written == [
            "import: validating\n",
            "import: writing entities (2,000 rows)\n",
            "import: writing relationships (100,000 rows)\n",
        ] + (1...10).map { "import: writing relationships \($0 * 10),000/100,000 rows (\($0 * 10)%)\n" })
    }

    @Test func smallRunsStaySilentInALogUntilAPhaseIsLarge() {
        let probe = Probe(.lines, linesFrom: 100_000)
        probe.display.report(WorkProgress("loading the graph"))
        probe.display.report(WorkProgress("resolving entities and relationships", total: 600, unit: "rows"))
        #expect(probe.written.isEmpty)
        probe.display.report(WorkProgress("resolving entities and relationships", total: 600_000, unit: "rows"))
        probe.display.report(WorkProgress("propagating"))
        #expect(probe.written == ["import: resolving entities and relationships (600,000 rows)\n", "import: propagating\n"])
    }

    @Test func quietPrintsNothing() {
        let probe = Probe(.quiet)
        probe.count("writing relationships", total: 100_000, step: 1_000)
        probe.display.finish()
        #expect(probe.written.isEmpty)
    }

    /// On a terminal: redrawn in place (carriage return, erase line) at most ten times a second,
    /// with the bar, the count, the rate and the time left; cleared at the end.
    @Test func aTerminalGetsOneBarRedrawnInPlaceAndClearedAtTheEnd() {
        let probe = Probe(.bar)
        probe.count("writing relationships", total: 100_000, step: 1_000)  // 100 reports over 1 s
        #expect(probe.written.allSatisfy { $0.hasPrefix("\r\u{1B}[2K") && !$0.contains("\n") })
        #expect((9...13).contains(probe.written.count), "\(probe.written.count) redraws")
        let half = probe.display.barLine(WorkProgress("writing relationships", done: 50_000, total: 100_000, unit: "rows"), elapsed: 2)
        #expect(half == "import: writing relationships [##########----------] 50%  50,000/100,000 rows  25,000 rows/s  ETA 2s")
        probe.display.finish()
        #expect(probe.written.last == "\r\u{1B}[2K")
    }

    @Test(arguments: [(45.0, "45s"), (187, "3m07s"), (3720, "1h02m"), (0.2, "1s")])
    func timesLeftAreShort(_ seconds: Double, _ text: String) {
        #expect(ProgressDisplay.duration(seconds) == text)
    }

    /// `cascade import` of 60 000 entities and 100 000 relationships: lines on a pipe, nothing with
    /// `--quiet`, and a bar (carriage returns, no phase lines) under a pseudo-terminal (`script`).
    @Test func importShowsProgressAsLinesABarOrNothing() throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(.sqlite)
        defer { cleanup() }
        let world = dir.appendingPathComponent("world.json").path
        try SyntheticWorld.write(to: world, entities: 60_000, relationships: 100_000)

        try StoreCLI.run(["init", "--db", db], in: dir)
        let piped = try StoreCLI.run(["import", world, "--db", db], in: dir)
        #expect(piped.status == 0, "\(piped.stderr)")
        let lines = piped.stderr.split(separator: "\n").map(String.init)
        #expect(lines.contains("import: writing relationships (100,000 rows)"), "\(lines)")
        #expect(lines.contains("import: writing relationships 100,000/100,000 rows (100%)"), "\(lines)")
        #expect(!piped.stderr.contains("\r"))

        let (_, db2, cleanup2) = try StoreCLI.fresh(.sqlite)
        defer { cleanup2() }
        try StoreCLI.run(["init", "--db", db2], in: dir)
        let quiet = try StoreCLI.run(["import", world, "--db", db2, "--quiet"], in: dir)
        #expect(quiet.status == 0 && quiet.stderr.isEmpty, "\(quiet.stderr)")

        let (_, db3, cleanup3) = try StoreCLI.fresh(.sqlite)
        defer { cleanup3() }
        try StoreCLI.run(["init", "--db", db3], in: dir)
        let command = [StoreCLI.binary.path, "import", world, "--db", db3].map { "'\($0)'" }.joined(separator: " ")
        let terminal = try CascadeBinary.run(["-qec", command + " 2>&1", "/dev/null"], environment: ["TERM": "xterm"],
                                             executable: URL(fileURLWithPath: "/usr/bin/script"))
        #expect(terminal.status == 0, "\(terminal.stdout)")
        #expect(terminal.stdout.contains("\r\u{1B}[2K"), "\(terminal.stdout)")
        #expect(terminal.stdout.contains("import: writing relationships ["), "\(terminal.stdout)")
        #expect(!terminal.stdout.contains("import: writing relationships (100,000 rows)"))
        #expect(terminal.stdout.contains("imported "))
    }
}
