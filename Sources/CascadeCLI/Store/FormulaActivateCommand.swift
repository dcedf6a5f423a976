import ArgumentParser
import CascadeJSON
import CascadeStore

/// `cascade formula activate NAME@V`.
struct FormulaActivateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "activate", abstract: "Mark a version active (recorded in the audit log).")

    @OptionGroup var store: StoreOptions

    @Argument(help: "NAME@VERSION.")
    var reference: String

    func run() throws { try FormulaActivation.toggle(reference, true, store) }
}

enum FormulaActivation {
    static func toggle(_ text: String, _ isActive: Bool, _ options: StoreOptions) throws {
        try StoreOutput.run(json: options.json) {
            let reference = try FormulaReference.parseArgument(text, requireVersion: true)
            let changed = try options.openStore().setActive(reference, isActive)
            let state = isActive ? "active" : "inactive"
            if options.json {
                StoreOutput.printJSON(.object(JSONObject([("ok", .bool(true)), ("formula", .string(reference.description)),
                                                          ("is_active", .bool(isActive)), ("changed", .bool(changed))])))
            } else {
                StoreOutput.print(changed ? "\(reference) is now \(state)" : "\(reference) was already \(state); nothing changed")
            }
        }
    }
}
