import ArgumentParser
import CascadeFormula
import CascadeJSON
import CascadeStore

/// `cascade formula diff NAME@A NAME@B [--backtest SPEC]`: the text difference, and where the two compute different values.
struct FormulaDiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show how two formula versions differ: their text, and the inputs on which they compute different values.",
        discussion: """
            Both versions are evaluated on the union of their test inputs, the dates of --backtest (if \
            given), and points just below, on and just above every constant either compares an input \
            against; the differing inputs are listed with both results and the largest difference.
            """)

    @OptionGroup var store: StoreOptions
    @Argument(help: "NAME@A.") var first: String
    @Argument(help: "NAME@B.") var second: String
    @Option(help: "A backtest spec whose dates' inputs are probed too.") var backtest: String?
    @Option(parsing: .unconditional, help: "Differing points listed.", transform: NumericOption.integer(1...10_000)) var top = 10

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let opened = try store.openStore()
            let spec = try backtest.map(FormulaDocumentFile.readBacktestSpec)
            let diff = try opened.diff(try FormulaReference.parseArgument(first, requireVersion: true),
                                       try FormulaReference.parseArgument(second, requireVersion: true), backtest: spec)
            let versions = [diff.a, diff.b], difference = diff.difference, text = diff.text
            if store.json {
                StoreOutput.printJSON(diff.json(top: top))
                return
            }
            StoreOutput.print("--- \(versions[0].reference)\n+++ \(versions[1].reference)")
            StoreOutput.print(text.joined(separator: "\n"))
            if difference.differing.isEmpty {
                StoreOutput.print("identical on all \(difference.probeCount) probe points")
                return
            }
            StoreOutput.print("different on \(difference.differing.count) of \(difference.probeCount) probe points:")
            StoreOutput.print(StoreOutput.table(["  inputs", versions[0].reference, versions[1].reference], difference.differing.prefix(top).map { p in
                ["  " + FormulaVersionDiff.inputs(p.bindings), p.a, p.b]
            }))
            if let largest = difference.largest, let d = largest.difference {
                StoreOutput.print("largest difference: \(JSNumber.format(d)) at \(FormulaVersionDiff.inputs(largest.bindings))")
            }
        }
    }
}
