import ArgumentParser
import CascadeFormula
import CascadeJSON
import CascadeStore

/// `cascade formula coverage NAME[@V]`: what a stored version's test cases leave unexercised.
struct FormulaCoverageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coverage",
        abstract: "Show which condition outcomes and input regions a version's test cases exercise (default: the latest).",
        discussion: """
            Each `if` condition and `?:` test is evaluated for every test case; each numeric input \
            compared against constants is cut into regions at them, and each region is probed for \
            whether the formula returns no value there. The gaps are the warnings `formula register` prints.
            """)

    @OptionGroup var store: StoreOptions

    @Argument(help: "NAME or NAME@VERSION.")
    var reference: String

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let (version, check) = try store.openStore().retest(try FormulaReference.parseArgument(reference))
            guard let coverage = check.coverage else {
                throw StoreError(.invalidInput, "\(version.reference) does not compile with this binary", problems: check.problems)
            }
            if store.json {
                StoreOutput.printJSON(coverage.json(for: version))
                return
            }
            let cases = version.document.testCases.count
            StoreOutput.print("\(version.reference): \(cases) test case\(cases == 1 ? "" : "s")")
            func list(_ indexes: [Int]) -> String { indexes.isEmpty ? "no case" : "case " + indexes.map(String.init).joined(separator: ", ") }
            if !coverage.conditions.isEmpty {
                StoreOutput.print("conditions:")
                StoreOutput.print(StoreOutput.table(["  condition", "true", "false"], coverage.conditions.map { c in
                    ["  \(c.text)", c.isAnalysed ? list(c.trueCases) : "not analysed (reads a local)", c.isAnalysed ? list(c.falseCases) : ""]
                }))
            }
            if !coverage.regions.isEmpty {
                StoreOutput.print("regions:")
                StoreOutput.print(StoreOutput.table(["  input", "region", "value", "cases"], coverage.regions.map { r in
                    ["  \(r.input)", r.description, r.returnsNoValue ? "none" : "yes", list(r.cases)]
                }))
            }
            let findings = coverage.findings
            StoreOutput.print(findings.isEmpty ? "no gaps found" : findings.map { "gap: \($0)" }.joined(separator: "\n"))
        }
    }
}
