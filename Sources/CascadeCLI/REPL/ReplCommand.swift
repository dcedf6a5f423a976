import ArgumentParser
import CascadeFormula
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `cascade repl`: the analyst's workbench for trying formulas before they are registered.
struct ReplCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "The interactive formula workbench.",
        discussion: """
            Type a formula — a bare expression or statements — and see its value; top-level let/const
            values are kept for later lines, and an entry continues until its brackets balance. :help
            lists the commands (:vars, :bind, :type, :ast, :cost, :load, :test, :check, :run, :clear, :quit).

            On a terminal, lines are edited with arrow keys, Ctrl-R searches the history (a multi-line entry
            is one history entry) and Tab completes by context (formula names after :load, parameters after
            :bind); the history is kept in $CASCADE_HISTORY (default ~/.cascade_history; empty: none).
            Ctrl-C abandons the entry being typed, all its lines; Ctrl-D or :quit leaves.

            When standard input is not a terminal (cascade repl < script.txt), lines are read plainly and
            only results are printed (errors on standard error). Exit status: 1 if any line failed, else 0.
            """
    )

    @Option(name: .long, help: ArgumentHelp(
        "The store `:load` reads formulas from: a SQLite file path or a postgres:// URL (default: $CASCADE_DB, else .cascade/cascade.sqlite).",
        valueName: "location"))
    var db: String?

    static let maxLineBytes = 1 << 20
    /// The first line on a terminal (the README's example shows it).
    static let banner = "Cascade formula REPL. :help lists the commands; :quit or Ctrl-D leaves."

    func run() throws {
        let isInteractive = isatty(0) != 0
        var options = ReplSession.Options()
        options.color = Terminal.useColor(fileDescriptor: 2)
        options.sourceName = isInteractive ? "input" : "stdin"
        options.numbersLinesFromStart = !isInteractive
        let box = SessionBox(ReplSession(options: options, library: openLibrary()))
        let failed: Bool
        if isInteractive {
            print(ReplCommand.banner)
            var editor = LineEditor(historyPath: ReplCommand.historyPath(), completions: { box.completions(for: $0, after: $1) })
            failed = ReplCommand.loop(box, &editor, isInteractive: true)
        } else {
            var source = try PipedLineSource(maxLineBytes: ReplCommand.maxLineBytes)
            failed = ReplCommand.loop(box, &source, isInteractive: false)
        }
        // A script learns from the exit status whether every line worked.
        if failed && !isInteractive { throw ExitCode(1) }
    }

    /// The registry `:load` reads; the store is opened (and the default one created) at the first `:load`.
    func openLibrary() -> FormulaLibrary {
        let arguments = db.map { ["--db", $0] } ?? []
        return StoreFormulaLibrary { try StoreOptions.parse(arguments).openStore() }
    }

    /// `$CASCADE_HISTORY`, else `~/.cascade_history`; nil (no file) when the variable is empty.
    static func historyPath() -> String? {
        if let path = getenv("CASCADE_HISTORY").map({ String(cString: $0) }) { return path.isEmpty ? nil : path }
        guard let home = getenv("HOME").map({ String(cString: $0) }), !home.isEmpty else { return nil }
        return home + "/.cascade_history"
    }

    /// Feeds lines to the session and prints what it says; returns whether any line failed.
    static func loop<Source: ReplLineSource>(_ box: SessionBox, _ source: inout Source, isInteractive: Bool) -> Bool {
        var failed = false
        while true {
            guard let input = source.next(prompt: box.session.prompt) else {
                if isInteractive { print("") }  // leave the terminal on a fresh line after Ctrl-D
                if !box.session.pending.isEmpty { source.remember(box.session.pending.joined(separator: "\n")) }
                let step = box.session.finish()
                emit(step)
                return failed || step.failed
            }
            let before = box.session.pending
            var steps: [ReplStep] = []
            switch input {
            case .line(let text):
                // A multi-line entry recalled from the history comes back whole: line by line, as typed.
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                for line in lines {
                    steps.append(box.session.receive(line))
                    if steps.last?.quits == true { break }
                }
                if !box.session.isContinuing { source.remember((before + lines).joined(separator: "\n")) }
            case .interrupted:
                // The lines of an abandoned entry stay in the history, so the up arrow brings them back.
                if !before.isEmpty { source.remember(before.joined(separator: "\n")) }
                _ = box.session.cancel()
                steps.append(ReplStep(output: [.message(before.isEmpty ? "(:quit or Ctrl-D leaves)\n" : "(entry dropped)\n")]))
            case .tooLong(let bytes):
                _ = box.session.cancel()
                steps.append(ReplStep.failure([box.session.error("a line of \(bytes) bytes is over the limit of \(maxLineBytes)")]))
            }
            for step in steps {
                emit(step)
                if step.failed { failed = true }
                if step.quits { return failed }
            }
        }
    }

    static func emit(_ step: ReplStep) {
        for piece in step.output {
            switch piece {
            case .result(let text): print(text, terminator: "")
            case .message(let text):
                fflush(nil)
                printError(text, terminator: "")
            }
        }
        fflush(nil)
    }
}

/// The session, shared with the line editor's Tab completion (which reads its bindings while a
/// line is being edited, never while the session is changing).
final class SessionBox {
    var session: ReplSession

    init(_ session: ReplSession) { self.session = session }

    func completions(for word: String, after before: String) -> [String] {
        session.completions(for: word, after: before)
    }
}
