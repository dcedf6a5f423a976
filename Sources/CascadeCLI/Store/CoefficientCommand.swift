import ArgumentParser

/// `cascade coefficient …`: sector coefficients (append-only rows).
struct CoefficientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coefficient",
        abstract: "Append, list and (de)activate sector coefficients.",
        subcommands: [CoefficientAddCommand.self, CoefficientListCommand.self, CoefficientActivateCommand.self, CoefficientDeactivateCommand.self])
}
