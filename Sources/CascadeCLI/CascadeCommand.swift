import ArgumentParser

/// The `cascade` command: formulas, the registry, scenarios.
public struct CascadeCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "cascade",
        abstract: "Sandboxed formula and scenario evaluation.",
        subcommands: [
            EvalCommand.self, ReplCommand.self,
            InitCommand.self, ImportCommand.self, FormulaCommand.self, CoefficientCommand.self,
            ScenarioCommand.self, RunCommand.self, ServeCommand.self, WorkerCommand.self, UserCommand.self,
        ]
    )

    public init() {}
}
