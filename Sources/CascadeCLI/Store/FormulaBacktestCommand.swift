import ArgumentParser
import CascadeFormula
import CascadeJSON
import CascadeStore

/// `cascade formula backtest SPEC.json [--store] [--json]`: a version's fit on stored history.
struct FormulaBacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Evaluate a formula version over stored history and measure its fit (n, r², MAE, RMSE, bias).",
        discussion: """
            The spec (docs/formats.md, "Backtest spec") names the version, a window, what each parameter \
            is bound to on each date, and the observed series; its dates in the window are the evaluation \
            dates. --store writes r², MAE and RMSE into the version with the spec and the fingerprint of \
            the history read, and records it in the audit log.
            """)

    @OptionGroup var store: StoreOptions

    @Argument(help: "A backtest spec (JSON).")
    var spec: String

    @Flag(name: .customLong("store"), help: "Store the measured r², MAE and RMSE in the version (audited).")
    var record = false

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let spec = try FormulaDocumentFile.readBacktestSpec(spec)
            let opened = try store.openStore()
            let result = try opened.backtest(spec)
            if record { try opened.recordBacktest(result) }
            if store.json {
                guard case .object(var object) = result.json else { return }
                object["stored"] = .bool(record)
                StoreOutput.printJSON(.object(object))
                return
            }
            let m = result.metrics
            let observed = spec.observed
            StoreOutput.print("\(result.formula) against \(observed.source)\(observed.transform == .value ? "" : " (\(observed.transform.rawValue))"), \(spec.from) … \(spec.to)")
            StoreOutput.print(StoreOutput.table(["  n", "\(m.n)"], [
                ["  r²", StoreOutput.number(m.rSquared)], ["  MAE", JSNumber.format(m.mae)], ["  RMSE", JSNumber.format(m.rmse)],
                ["  bias", JSNumber.format(m.bias) + " (mean predicted − observed)"],
            ]))
            StoreOutput.print("worst dates:")
            StoreOutput.print(StoreOutput.table(["  date", "observed", "predicted", "error"], result.worst().map { p in
                ["  \(p.date)", JSNumber.format(p.observed), JSNumber.format(p.predicted), JSNumber.format(p.error)]
            }))
            if !result.skipped.isEmpty {
                StoreOutput.print("skipped \(result.skipped.count) date\(result.skipped.count == 1 ? "" : "s"), e.g. \(result.skipped[0].date): \(result.skipped[0].reason)")
            }
            StoreOutput.print("history fingerprint: \(result.fingerprint)")
            if record { StoreOutput.print("stored r², MAE and RMSE in \(result.formula)") }
        }
    }
}
