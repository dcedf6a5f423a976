import CascadeJSON
import Foundation
import Testing

/// `cascade formula diff NAME@A NAME@B`: the text difference, and the inputs where the values differ.
@Suite("cascade formula diff (end to end)")
struct FormulaDiffCommandTests {
    static func document(_ comparison: String) -> String {
        """
        {"name": "hbm", "formula_text": "if (s \(comparison) 80) return -0.25;\\nelse if (s > 120) return 0.15;\\nreturn 0;",
         "parameters": {"s": "number"}, "effective_date": "2025-01-01",
         "test_cases": [{"inputs": {"s": 72}, "expected": -0.25}, {"inputs": {"s": 130}, "expected": 0.15}, {"inputs": {"s": 100}, "expected": 0}]}
        """
    }

    @Test(arguments: CLIBackend.available)
    func aMovedBoundaryIsFoundAtTheThreshold(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.sampleStore(backend)
        defer { cleanup() }
        for (name, comparison) in [("a.json", "<"), ("b.json", "<=")] {
            let file = try StoreCLI.write(Self.document(comparison), to: name, in: dir)
            try #require(try StoreCLI.run(["formula", "register", file, "--db", db], in: dir).status == 0)
        }
        let text = try StoreCLI.run(["formula", "diff", "hbm@1", "hbm@2", "--db", db], in: dir)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("- if (s < 80) return -0.25;\n+ if (s <= 80) return -0.25;\n  else if (s > 120) return 0.15;"), "\(text.stdout)")
        #expect(text.stdout.contains("different on 1 of 9 probe points") && text.stdout.contains("largest difference: 0.25 at s=80"), "\(text.stdout)")

        let json = try #require(try StoreCLI.run(["formula", "diff", "hbm@1", "hbm@2", "--json", "--db", db], in: dir).json)
        #expect(json["identical"] == .bool(false))
        #expect(json["differing"]?.arrayValue?.map { $0["inputs"]?["s"] } == [.number(80)])
        let same = try StoreCLI.run(["formula", "diff", "hbm@1", "hbm@1", "--db", db], in: dir)
        #expect(same.stdout.contains("identical on all 9 probe points"), "\(same.stdout)")
    }

    @Test(arguments: CLIBackend.available)
    func theBacktestsDatesAreProbedToo(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.sampleStore(backend)
        defer { cleanup() }
        let file = try StoreCLI.write(FormulaCompareCommandTests.challenger, to: "challenger.json", in: dir)
        try #require(try StoreCLI.run(["formula", "register", file, "--inactive", "--db", db], in: dir).status == 0)
        let spec = StoreCLI.packageRoot.appendingPathComponent("Backtests/gdp_sector_impact.json").path
        let json = try #require(try StoreCLI.run(["formula", "diff", "gdp_sector_impact@1", "gdp_sector_impact@2", "--backtest", spec,
                                                   "--json", "--db", db], in: dir).json)
        // 4 test inputs and 79 quarters; the spec binds exactly the constants @2 has built in.
        #expect(json["probes"] == .number(83), "\(json)")
        #expect((json["differing_count"]?.numberValue ?? 0) == 4, "\(json)")
    }
}
