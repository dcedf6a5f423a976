import CascadeFormula
import CascadeJSON

/// The REPL's logic as a pure state machine: each input line goes in, the text to show comes
/// out. It never touches the terminal, files or the process, so golden transcripts test it whole;
/// `ReplCommand` connects it to a line editor (a terminal) or to plain standard input.
struct ReplSession {
    struct Options {
        /// ANSI colours in rendered diagnostics and error lines.
        var color = false
        /// The name rendered diagnostics give the input (`input`, `stdin`).
        var sourceName = "input"
        /// Number diagnostic lines from the first line of the session (a script's line numbers)
        /// rather than from the first line of each entry.
        var numbersLinesFromStart = false
        var limits = Limits.default
    }

    /// A value kept between lines: from a top-level `let`/`const`, or from `:bind`.
    struct Binding: Equatable {
        enum Kind: String {
            /// `:bind NAME VALUE`: read-only inside formulas, like a formula's parameter.
            case input
            case `let`
            case const
        }

        var value: Value
        var kind: Kind
    }

    var options: Options
    var library: FormulaLibrary?
    private(set) var bindings: [String: Binding] = [:]
    private(set) var loaded: LoadedFormula?
    /// Lines of an entry whose brackets are still open.
    private(set) var pending: [String] = []
    private var pendingStartLine = 1
    private(set) var lineNumber = 0

    init(options: Options = Options(), library: FormulaLibrary? = nil) {
        self.options = options
        self.library = library
    }

    static let prompt = "> "
    static let continuationPrompt = "... "

    /// Whether the next line continues an entry (its brackets are not yet balanced).
    var isContinuing: Bool { !pending.isEmpty }

    var prompt: String { isContinuing ? ReplSession.continuationPrompt : ReplSession.prompt }

    /// Handles one line of input (without its line terminator).
    mutating func receive(_ line: String) -> ReplStep {
        lineNumber += 1
        if pending.isEmpty {
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty { return ReplStep() }
            if trimmed.hasPrefix(":") { return command(line) }
            pendingStartLine = lineNumber
        }
        pending.append(line)
        let entry = pending.joined(separator: "\n")
        if InputBalance(entry).needsMoreInput { return ReplStep() }
        pending = []
        return evaluate(entry: entry, startLine: pendingStartLine)
    }

    /// The end of input: an unfinished entry is evaluated as it is (and fails to parse).
    mutating func finish() -> ReplStep {
        guard !pending.isEmpty else { return ReplStep() }
        let entry = pending.joined(separator: "\n")
        pending = []
        return evaluate(entry: entry, startLine: pendingStartLine)
    }

    /// Drops an unfinished entry (Ctrl-C); returns whether there was one.
    mutating func cancel() -> Bool {
        defer { pending = [] }
        return !pending.isEmpty
    }

    mutating func setBinding(_ name: String, _ binding: Binding) { bindings[name] = binding }

    mutating func setLoaded(_ formula: LoadedFormula?) { loaded = formula }

    mutating func removeAllBindings() { bindings = [:] }

    // MARK: - Output

    /// A diagnostic rendered with its source line and caret. `shift` moves its range into
    /// `source` (a command's argument sits after the command name; a prelude sits before the
    /// entry); `line` is the session line `source` starts on.
    func rendered(_ diagnostic: Diagnostic, in source: String, shift: Int = 0, line: Int = 1, name: String? = nil) -> String {
        var moved = diagnostic
        let count = source.utf8.count
        let pad = options.numbersLinesFromStart && name == nil ? line - 1 : 0
        func move(_ range: SourceRange) -> SourceRange {
            SourceRange(min(max(0, range.start + shift), count) + pad, min(max(0, range.end + shift), count) + pad)
        }
        moved.range = move(diagnostic.range)
        if var fixIt = diagnostic.fixIt {
            fixIt.range = move(fixIt.range)
            moved.fixIt = fixIt
        }
        return moved.rendered(source: String(repeating: "\n", count: pad) + source, name: name ?? options.sourceName,
                              color: options.color)
    }

    /// `error: message` (`error[code]: message` with a diagnostic code), with the hint on a line of its own.
    func error(_ message: String, code: String? = nil, hint: String? = nil) -> ReplOutput {
        let word = "error" + (code.map { "[\($0)]" } ?? "")
        let label = options.color ? "\u{1B}[1;31m\(word)\u{1B}[0m" : word
        return .message("\(label): \(message)\n" + (hint.map { "  = hint: \($0)\n" } ?? ""))
    }

    /// A value as the REPL prints it: numbers as JavaScript prints them, strings quoted,
    /// records as JSON, `undefined` for no value.
    static func display(_ value: Value) -> String {
        if case .record = value { return JSONValue(value).serialized() }
        return value.description
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
