import ArgumentParser
import CascadeStore

/// The `cascade` command: formulas, the registry, scenarios.
package struct CascadeCommand: ParsableCommand {
    /// The release, as `cascade --version` prints it with the store schema this build writes.
    package static let version = "1.0.0"

    package static let configuration = CommandConfiguration(
        commandName: "cascade",
        abstract: "Sandboxed formula and scenario evaluation.",
        discussion: "--db LOCATION (a SQLite file path or a postgres:// URL) may come before the subcommand or after it. "
            + "Shell completions: `cascade --generate-completion-script bash|zsh|fish`.",
        version: "\(version) (store schema \(Migration.all.count))",
        subcommands: [
            EvalCommand.self, ReplCommand.self,
            InitCommand.self, ImportCommand.self, FormulaCommand.self, CoefficientCommand.self,
            ScenarioCommand.self, RunCommand.self, BacktestCommand.self, WhatIfCommand.self, ReportCommand.self, ServeCommand.self, WorkerCommand.self, UserCommand.self,
        ]
    )

    package init() {}

    /// Parses and runs the command line, placing global options given before the subcommand
    /// after it and naming the nearest subcommand to a mistyped one (`CommandLineArguments`).
    package static func main() {
        let typed = CommandLineArguments(Array(CommandLine.arguments.dropFirst()), root: Self.self)
        do {
            var command = try parseAsRoot(typed.arguments)
            try command.run()
        } catch {
            // Help, --version and completion scripts arrive here as "errors" that exit 0.
            if exitCode(for: error) != .success, let message = typed.unknownSubcommandMessage(root: "cascade") {
                exit(withError: ValidationError(message))
            }
            exit(withError: error)
        }
    }
}
