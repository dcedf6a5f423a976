import ArgumentParser
import CascadeFormula
import CascadeEngine
import CascadeJSON
import CascadeStore
import Foundation

/// `cascade scenario diff A B [--top N] [--json | --format csv]`: what changed between two scenarios.
struct ScenarioDiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff", abstract: "Compare two scenarios' results: per entity B − A, and the inputs and causes behind it.",
        discussion: "Each scenario's result is computed first when it is missing or stale (as `scenario run` would).")

    @OptionGroup var store: StoreOptions
    @Argument(help: "Scenario A (id, id prefix or unique name).") var a: String
    @Argument(help: "Scenario B (id, id prefix or unique name).") var b: String
    @Option(parsing: .unconditional, help: "Entities shown per level in the table.",
            transform: NumericOption.integer(1...10_000)) var top = 5
    @Option(help: "table (default) or csv (RFC 4180: every entity whose impact differs).") var format: OutputFormat = .table

    func run() throws {
        try StoreOutput.run(json: store.json) {
            try format.check(json: store.json)
            let opened = try store.openStore()
            let (keyA, keyB) = (try ScenarioFiles.stored(a, in: opened).id, try ScenarioFiles.stored(b, in: opened).id)
            let diff = try ScenarioService(store: opened).diff(keyA, keyB, computing: true)
            if store.json {
                StoreOutput.printJSON(diff.json())
            } else if format == .csv {
                FileHandle.standardOutput.write(Data(diff.csv.utf8))
            } else {
                StoreOutput.print(Self.table(diff, top: top))
            }
        }
    }

    /// The readable diff: the inputs that differ, then per level the `top` largest differences.
    static func table(_ diff: ScenarioDiff, top: Int) -> String {
        var lines = ["A \(diff.a.name) (\(diff.a.id))", "B \(diff.b.name) (\(diff.b.id))"]
        if !diff.inputs.isEmpty {
            lines += ["", "Inputs that differ (A → B)"]
            for input in diff.inputs {
                func value(_ x: Double?) -> String { x.map { JSNumber.format($0) } ?? "—" }
                lines.append("  \(input.key)  \(input.name): \(value(input.a)) → \(value(input.b))\(input.unit.map { " (\($0) variable, in decimals)" } ?? "")")
            }
        }
        lines += ["", "Entities that moved differently (impact B − A; ← the causes of the difference)"]
        if diff.rows.isEmpty { lines.append("  none: every impact is the same") }
        for level in 0...9 {
            let rows = diff.rows.filter { $0.level == level }
            guard !rows.isEmpty else { continue }
            lines.append("  Level \(level)")
            for row in rows.prefix(top) {
                let causes = row.causes.prefix(2).map { "\($0.key) \(percent($0.difference))" }.joined(separator: ", ")
                lines.append("    \(percent(row.difference).padding(toLength: 9, withPad: " ", startingAt: 0)) "
                             + "\(row.name.padding(toLength: 30, withPad: " ", startingAt: 0)) "
                             + "\(percent(row.impactA)) → \(percent(row.impactB))" + (causes.isEmpty ? "" : "  ← " + causes))
            }
            if rows.count > top { lines.append("    … \(rows.count - top) more") }
        }
        return lines.joined(separator: "\n")
    }

    static func percent(_ x: Double) -> String { String(format: "%+.2f %%", x * 100) }
}
