import ArgumentParser
import CascadeJSON
import CascadeStore

/// `cascade formula history NAME`.
struct FormulaHistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "List every version of a formula, oldest first.")

    @OptionGroup var store: StoreOptions

    @Argument(help: "The formula name.")
    var name: String

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let versions = try store.openStore().history(named: name)
            guard !versions.isEmpty else {
                throw StoreError(.notFound, "no formula named `\(name)`", hint: "run `cascade formula list` to see registered names")
            }
            if store.json {
                StoreOutput.printJSON(.array(versions.map(\.json)))
            } else {
                StoreOutput.print(StoreOutput.table(
                    ["version", "effective", "active", "created by", "content hash"],
                    versions.map { [String($0.version), $0.document.effectiveDate, $0.isActive ? "yes" : "no", $0.document.createdBy ?? "-", $0.contentHash] }))
            }
        }
    }
}
