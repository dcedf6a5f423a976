import ArgumentParser
import CascadeJSON
import CascadeStore

/// `cascade coefficient activate ID`.
struct CoefficientActivateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "activate", abstract: "Re-activate a coefficient row (audited).")

    @OptionGroup var store: StoreOptions

    @Argument(help: "The row id (at least its first 8 characters).") var id: String

    func run() throws { try CoefficientActivation.toggle(id, true, store) }
}

enum CoefficientActivation {
    static func toggle(_ id: String, _ isActive: Bool, _ options: StoreOptions) throws {
        try StoreOutput.run(json: options.json) {
            let row = try options.openStore().setCoefficientActive(id: id, isActive)
            if options.json {
                StoreOutput.printJSON(row.json)
            } else {
                StoreOutput.print("\(row.id) (\(row.sector) \(row.coefficientType) from \(row.effectiveDate)) is \(isActive ? "active" : "inactive")")
            }
        }
    }
}
