import ArgumentParser
import CascadeFormula

/// The command line as the user typed it, read just enough to find the subcommand path before
/// argument-parser parses it.
///
/// Two conventions need the path: a global option may come before the subcommand (`cascade --db X
/// init`, as `interfaces.md` specifies) — argument-parser only accepts a command's options after
/// its own name, so such options are moved to just after the path; and a mistyped subcommand gets
/// the nearest name (`cascade scenario lst` → did you mean `list`?).
struct CommandLineArguments {
    /// Global options that take a value; every command that uses a store declares them.
    static let globalOptions: Set<String> = ["--db"]
    /// argument-parser's own options that take a value before any subcommand.
    static let builtInOptionsWithValue: Set<String> = ["--generate-completion-script"]

    /// The arguments to parse, global options placed after the subcommand path.
    let arguments: [String]
    /// The first word where a subcommand was expected that names none, with the path before it.
    let unknownSubcommand: (path: [String], word: String, choices: [String])?

    init(_ typed: [String], root: ParsableCommand.Type) {
        var path: [String] = []
        var leading: [String] = []
        var globals: [String] = []
        var command = root
        var unknown: (path: [String], word: String, choices: [String])?
        var index = typed.startIndex
        scan: while index < typed.endIndex, !command.configuration.subcommands.isEmpty {
            let word = typed[index]
            switch word {
            case "--", "---completion":
                break scan
            case _ where Self.builtInOptionsWithValue.contains(word):
                leading += typed[index...].prefix(2)
                index = min(index + 2, typed.endIndex)
            case _ where Self.globalOptions.contains(word) && index + 1 < typed.endIndex:
                globals += [word, typed[index + 1]]
                index += 2
            case _ where Self.globalOptions.contains { word.hasPrefix($0 + "=") }:
                globals.append(word)
                index += 1
            case _ where word.hasPrefix("-"):
                leading.append(word)
                index += 1
            default:
                let subcommands = command.configuration.subcommands
                guard let next = subcommands.first(where: { Self.names(of: $0).contains(word) }) else {
                    // A command with a default subcommand takes the word as that one's argument
                    // (`cascade whatif BASE`), so it is no mistyped subcommand.
                    if word != "help" && command.configuration.defaultSubcommand == nil {
                        unknown = (path, word, subcommands.compactMap { $0.configuration.commandName })
                    }
                    break scan
                }
                path.append(word)
                command = next
                index += 1
            }
        }
        arguments = leading + path + globals + typed[index...]
        unknownSubcommand = unknown
    }

    /// What to say about an unknown subcommand: the nearest name, or where the list is.
    func unknownSubcommandMessage(root: String) -> String? {
        guard let (path, word, choices) = unknownSubcommand else { return nil }
        let command = ([root] + path).joined(separator: " ")
        let message = "unknown subcommand `\(word)` of `\(command)`"
        if let nearest = Suggestion.closest(to: word, among: choices) ?? choices.first(where: { word.count >= 2 && $0.hasPrefix(word) }) {
            return message + "; did you mean `\(nearest)`?"
        }
        return message + " (`\(command) --help` lists them)"
    }

    private static func names(of command: ParsableCommand.Type) -> [String] {
        (command.configuration.commandName.map { [$0] } ?? []) + command.configuration.aliases
    }
}
