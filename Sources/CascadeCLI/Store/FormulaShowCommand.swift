import ArgumentParser
import CascadeJSON
import CascadeStore

/// `cascade formula show NAME[@V]`.
struct FormulaShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one formula version (default: the latest).")

    @OptionGroup var store: StoreOptions

    @Argument(help: "NAME or NAME@VERSION.")
    var reference: String

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let ref = try FormulaReference.parseArgument(reference)
            let version = try store.openStore().formula(ref)
            if store.json {
                StoreOutput.printJSON(version.json)
                return
            }
            let d = version.document
            var lines = [
                "\(version.reference)\(version.isActive ? "" : " (inactive)")",
                "  type:           \(d.formulaType ?? "-")",
                "  effective date: \(d.effectiveDate)",
                "  parameters:     " + d.parameters.map { "\($0.key): \($0.value.stringValue ?? "?")" }.joined(separator: ", "),
                "  r²/mae/rmse:    \(StoreOutput.number(d.rSquared)) / \(StoreOutput.number(d.mae)) / \(StoreOutput.number(d.rmse))",
                "  created by:     \(d.createdBy ?? "-") at \(version.createdAt)",
                "  content hash:   \(version.contentHash)",
            ]
            if let description = d.description { lines.append("  description:    \(description)") }
            lines.append("  test cases:     \(d.testCases.count)\(version.isUntested ? " (untested: registered with --allow-untested)" : "")")
            lines.append("")
            lines.append(d.formulaText)
            StoreOutput.print(lines.joined(separator: "\n"))
        }
    }
}
