/// What the REPL reads next.
enum ReplInput {
    /// What was typed; a multi-line entry recalled from the history comes back whole, its lines
    /// separated by line feeds.
    case line(String)
    /// Ctrl-C at the prompt: the line being typed is dropped.
    case interrupted
    /// A line longer than the limit (piped input only); its bytes were skipped.
    case tooLong(Int)
}

/// Where lines come from: a line editor on a terminal, or plain standard input.
protocol ReplLineSource {
    /// The next line, or nil at the end of input.
    mutating func next(prompt: String) -> ReplInput?
    /// Keeps a finished entry (all its lines) as one history entry.
    mutating func remember(_ entry: String)
}

/// Standard input that is not a terminal: lines read plainly, no prompt, no history.
struct PipedLineSource: ReplLineSource {
    private var reader: LineReader

    init(maxLineBytes: Int) throws {
        reader = try LineReader(path: "-", maxLineBytes: maxLineBytes)
    }

    mutating func next(prompt: String) -> ReplInput? {
        switch reader.next() {
        case .text(let bytes)?: .line(String(decoding: bytes, as: UTF8.self))
        case .tooLong(let count)?: .tooLong(count)
        case nil: nil
        }
    }

    func remember(_ entry: String) {}
}
