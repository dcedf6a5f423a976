import ArgumentParser

/// `cascade formula …`: the versioned formula registry.
struct FormulaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "formula",
        abstract: "Register, inspect, test and (de)activate formula versions.",
        subcommands: [
            FormulaRegisterCommand.self, FormulaListCommand.self, FormulaShowCommand.self, FormulaHistoryCommand.self,
            FormulaTestCommand.self, FormulaActivateCommand.self, FormulaDeactivateCommand.self, FormulaCoverageCommand.self,
            FormulaBacktestCommand.self, FormulaCompareCommand.self, FormulaPromoteCommand.self, FormulaRejectCommand.self,
            FormulaRollbackCommand.self, FormulaTestsCommand.self, FormulaDiffCommand.self,
        ])
}
