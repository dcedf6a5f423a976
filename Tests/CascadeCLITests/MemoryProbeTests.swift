import Testing

/// `CASCADE_MEMORY_PROBE=1` writes, after each phase of a run, the peak resident memory since the
/// previous phase and the resident memory now (how issue 16's breakdown by phase was measured);
/// without it a run prints nothing of the kind.
struct MemoryProbeTests {
    static let phases = ["load and prepare", "fingerprint and snapshot", "propagate", "attribute", "results", "summary", "store"]

    @Test func aProbedRunReportsEveryPhasesPeak() throws {
        let (dir, db, cleanup) = try StoreCLI.sampleStore(.sqlite)
        defer { cleanup() }
        let probed = try StoreCLI.run(["run", StoreCLI.sampleScenario, "--db", db, "--force", "--quiet"], in: dir,
                                      environment: ["CASCADE_MEMORY_PROBE": "1"])
        #expect(probed.status == 0, "\(probed.stderr)")
        let lines = probed.stderr.split(separator: "\n").filter { $0.hasPrefix("memory: ") }
        #expect(lines.map { String($0.dropFirst(8).prefix { $0 != ":" }) } == Self.phases, "\(probed.stderr)")
        for line in lines {
            // `memory: PHASE: peak N MB, now M MB`, the peak at least what is resident at its end.
            let numbers = line.split(separator: ":").last!.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            #expect(numbers.count == 2 && numbers[0] > 0 && numbers[0] >= numbers[1], "\(line)")
        }
        let plain = try StoreCLI.run(["run", StoreCLI.sampleScenario, "--db", db, "--force", "--quiet"], in: dir)
        #expect(plain.status == 0 && !plain.stderr.contains("memory: "), "\(plain.stderr)")
    }
}
