import ArgumentParser
import CascadeStore

/// `cascade coefficient deactivate ID`.
struct CoefficientDeactivateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "deactivate", abstract: "Deactivate a coefficient row (audited).")

    @OptionGroup var store: StoreOptions

    @Argument(help: "The row id (at least its first 8 characters).") var id: String

    func run() throws { try CoefficientActivation.toggle(id, false, store) }
}
