import ArgumentParser
import CascadeJSON
import CascadeStore

/// `cascade formula test NAME[@V]`: re-run a stored version's test cases.
struct FormulaTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "test", abstract: "Re-run a stored version's test cases (default: the latest).")

    @OptionGroup var store: StoreOptions

    @Argument(help: "NAME or NAME@VERSION.")
    var reference: String

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let (version, check) = try store.openStore().retest(try FormulaReference.parseArgument(reference))
            if store.json {
                StoreOutput.printJSON(check.json(for: version))
            } else {
                for r in check.results {
                    StoreOutput.print("\(r.passed ? "pass" : "FAIL")  case \(r.index)\(r.name.map { " (\($0))" } ?? ""): expected \(r.expected), got \(r.actual)")
                }
                StoreOutput.print("\(version.reference): \(check.results.filter(\.passed).count) of \(check.results.count) test cases passed")
            }
            if !check.isPassing {
                throw StoreError(.invalidInput, "\(version.reference) fails \(check.problems.count) check\(check.problems.count == 1 ? "" : "s")",
                                 hint: "register a corrected version", problems: check.problems)
            }
        }
    }
}
