/// What the REPL reads next.
enum ReplInput {
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
}
