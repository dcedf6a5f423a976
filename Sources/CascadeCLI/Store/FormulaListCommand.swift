import ArgumentParser
import CascadeJSON
import CascadeStore

/// `cascade formula list`.
struct FormulaListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List registered formula names.")

    @OptionGroup var store: StoreOptions

    @Option(name: .customLong("as-of"), help: "Which version is active on this date (YYYY-MM-DD; default today).")
    var asOf: String?

    func run() throws {
        try StoreOutput.run(json: store.json) {
            if let asOf, !CalendarDate.isValid(asOf) {
                throw StoreError(.invalidInput, "`\(asOf)` is not a calendar date", location: "--as-of", hint: "write YYYY-MM-DD")
            }
            let summaries = try store.openStore().formulaSummaries(asOf: asOf)
            if store.json {
                StoreOutput.printJSON(.array(summaries.map(\.json)))
            } else if summaries.isEmpty {
                StoreOutput.print("no formulas registered (hint: `cascade formula register FILE.json` or `cascade init --sample`)")
            } else {
                StoreOutput.print(StoreOutput.table(
                    ["name", "latest", "active", "versions", "type"],
                    summaries.map { [$0.name, String($0.latestVersion), $0.activeVersion.map(String.init) ?? "-", String($0.versionCount), $0.formulaType ?? "-"] }))
            }
        }
    }
}
