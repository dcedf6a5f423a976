import ArgumentParser
import CascadeStore

/// `cascade formula deactivate NAME@V`.
struct FormulaDeactivateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "deactivate", abstract: "Mark a version inactive (recorded in the audit log).")

    @OptionGroup var store: StoreOptions

    @Argument(help: "NAME@VERSION.")
    var reference: String

    func run() throws { try FormulaActivation.toggle(reference, false, store) }
}
