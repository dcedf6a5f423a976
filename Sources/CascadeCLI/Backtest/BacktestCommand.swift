import ArgumentParser
import CascadeEngine
import CascadeFormula
import CascadeJSON
import CascadeStore

/// `cascade backtest --from A --to B [--metric M] [--json]`: the whole graph replayed against history.
struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Replay the realized macro moves between two dates through the graph and score it against financial_data.",
        discussion: """
            Each macro variable's macro_data value at --to (the latest on or before it) is the scenario \
            value, its value at --from the baseline. The ordinary engine propagates the moves; each \
            entity's predicted impact is compared with its realized relative change of --metric, \
            (value at --to − value at --from) / value at --from. Reports n, r², MAE, RMSE, bias and the \
            share of entities whose sign was right, overall and per level. Nothing is stored.
            """)

    @OptionGroup var store: StoreOptions

    @Option(help: "The first day of the window (YYYY-MM-DD): the baseline.")
    var from: String

    @Option(help: "The last day of the window (YYYY-MM-DD): the scenario.")
    var to: String

    @Option(help: "The financial_data column to score against.")
    var metric = "share_price"

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let replay = try ScenarioService(store: try store.openStore()).replay(from: from, to: to, metric: metric, today: CalendarDate.today())
            if store.json {
                StoreOutput.printJSON(replay.json)
                return
            }
            StoreOutput.print("replay of \(replay.from) … \(replay.to): \(replay.scenario.macroVariables.count) macro variables, scored on `\(replay.metric)`")
            func row(_ label: String, _ m: BacktestMetrics) -> [String] {
                [label, "\(m.n)", StoreOutput.number(m.rSquared), JSNumber.format(m.mae), JSNumber.format(m.rmse),
                 JSNumber.format(m.bias), JSNumber.format(m.signShare)]
            }
            StoreOutput.print(StoreOutput.table(["  level", "n", "r²", "MAE", "RMSE", "bias", "sign right"],
                                                replay.levels.map { row("  \($0.level)", $0.metrics) } + [row("  all", replay.overall)]))
            if !replay.leftOut.isEmpty {
                let first = replay.leftOut[0]
                StoreOutput.print("left out \(replay.leftOut.count) entit\(replay.leftOut.count == 1 ? "y" : "ies"), e.g. \(first.entity): \(first.reason)")
            }
            StoreOutput.print("fingerprint: \(replay.fingerprint)")
        }
    }
}
