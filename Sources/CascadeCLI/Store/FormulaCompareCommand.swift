import ArgumentParser
import CascadeEngine
import CascadeFormula
import CascadeJSON
import CascadeStore
import Foundation

/// `cascade formula compare NAME@A NAME@B --backtest SPEC [--metric rmse|mae|r2] [--min-improvement PCT] [--record]`.
struct FormulaCompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two versions of a formula on the same backtest: both metric sets, the improvement, a verdict.",
        discussion: """
            A is the control (the champion), B the treatment (the challenger); the spec's own `formula` \
            is replaced by each in turn. The improvement is the relative reduction of RMSE or MAE, or the \
            gain of r² in percentage points; beyond --min-improvement either way the verdict is better or \
            worse, else within the threshold. Each scenario (default: the standard stress library in \
            Scenarios/) is run under A and under B, and the entities whose impact changed most are listed. \
            --record stores it as a running A/B test (`cascade formula promote|reject TEST`).
            """)

    @OptionGroup var store: StoreOptions

    @Argument(help: "The control version, NAME@A.") var control: String
    @Argument(help: "The treatment version, NAME@B.") var treatment: String

    @Option(help: "A backtest spec (JSON) to measure both on.") var backtest: String

    @Option(help: "rmse, mae or r2.") var metric: String = "rmse"

    @Option(name: .customLong("min-improvement"), parsing: .unconditional, help: "Percent; the threshold of the verdict.",
            transform: NumericOption.number(0...1_000_000))
    var minImprovement: Double = 1

    @Flag(help: "Store the comparison as a running A/B test.") var record = false

    @Option(parsing: .upToNextOption, help: "Scenario files to run under both versions (default: every file in Scenarios/).")
    var scenarios: [String] = []

    @Flag(name: .customLong("no-scenarios"), help: "Compare the backtest only.") var noScenarios = false

    @Option(parsing: .unconditional, help: "Changed entities listed per scenario.", transform: NumericOption.integer(0...1_000))
    var top = 3

    @Option(help: "The A/B test's name (with --record; default: \"NAME@A vs @B\").") var name: String?

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let a = try FormulaReference.parseArgument(control, requireVersion: true)
            let b = try FormulaReference.parseArgument(treatment, requireVersion: true)
            guard a.name == b.name else {
                throw StoreError(.invalidInput, "`\(a)` and `\(b)` are versions of different formulas", location: "argument",
                                 hint: "compare two versions of one formula, e.g. \(a.name)@1 \(a.name)@2")
            }
            guard let chosen = FormulaComparison.Metric(rawValue: metric) else {
                throw StoreError(.invalidInput, "unknown metric `\(metric)`", location: "--metric", hint: "one of rmse, mae, r2")
            }
            var spec = try FormulaDocumentFile.readBacktestSpec(backtest)
            let opened = try store.openStore()
            spec.formula = a
            let controlResult = try opened.backtest(spec)
            spec.formula = b
            let treatmentResult = try opened.backtest(spec)
            let comparison = FormulaComparison(control: controlResult, treatment: treatmentResult, metric: chosen, minImprovement: minImprovement)
            let world = try EngineWorld.load(from: opened)
            let runs = try scenarioFiles().map { file in
                try ScenarioFiles.engineErrors {
                    try ScenarioComparison.run(try Self.scenario(file), world: world, control: a, treatment: b, top: top)
                }
            }
            let test = record ? try opened.recordABTest(comparison, name: name ?? "\(a) vs @\(b.version ?? 0)") : nil
            if store.json {
                guard case .object(var object) = comparison.json else { return }
                object["scenarios"] = .array(runs.map(\.json))
                object["ab_test"] = test?.json ?? .null
                StoreOutput.printJSON(.object(JSONObject([("ok", .bool(true))] + object.pairs.map { ($0.key, $0.value) })))
                return
            }
            func row(_ label: String, _ pick: (BacktestMetrics) -> Double?) -> [String] {
                [label, StoreOutput.number(pick(controlResult.metrics)), StoreOutput.number(pick(treatmentResult.metrics))]
            }
            StoreOutput.print(StoreOutput.table(["", a.description, b.description], [
                ["n", "\(controlResult.metrics.n)", "\(treatmentResult.metrics.n)"],
                row("r²", \.rSquared), row("MAE", { $0.mae }), row("RMSE", { $0.rmse }), row("bias", { $0.bias }),
            ]))
            for run in runs {
                StoreOutput.print("scenario \(run.scenario): \(run.changedCount) entit\(run.changedCount == 1 ? "y" : "ies") changed"
                                  + (run.largest.isEmpty ? "" : "; most:"))
                for c in run.largest {
                    StoreOutput.print("  \(c.name) (\(c.id), level \(c.level)): \(JSNumber.format(c.control)) → \(JSNumber.format(c.treatment))")
                }
            }
            StoreOutput.print("verdict: \(comparison.verdict.rawValue) — \(comparison.conclusion)")
            if let test { StoreOutput.print("recorded A/B test \(test.id) (running): `cascade formula promote \(test.id)` or `reject`") }
        }
    }

    /// The scenario files to run: `--scenarios`, else the standard library beside `Formulas/`.
    func scenarioFiles() throws -> [String] {
        if noScenarios { return [] }
        if !scenarios.isEmpty { return scenarios }
        guard let dir = SampleLoader.formulasDirectory()?.deletingLastPathComponent().appendingPathComponent("Scenarios") else { return [] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { dir.appendingPathComponent($0).path }
    }

    static func scenario(_ file: String) throws -> Scenario {
        let (document, source) = try JSONFile.read(file)
        do {
            return try Scenario.parse(document, defaultAsOf: CalendarDate.today())
        } catch let error as ScenarioError {
            throw error.storeError("\(file) is not a valid scenario").located(in: source)
        }
    }
}
