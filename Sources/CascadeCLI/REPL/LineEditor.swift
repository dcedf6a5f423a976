import CEditLine
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A terminal line editor: libedit's readline-compatible API (arrow keys, Ctrl-R search, Tab
/// completion), with the history kept in a file between sessions.
///
/// This is the only file that uses `CEditLine`: its C helpers keep their SIGINT flag in a static
/// variable, one copy per object file.
struct LineEditor: ReplLineSource {
    /// The history file; nil keeps history for this session only.
    let historyPath: String?
    static let historySize: Int32 = 1000
    private var lastEntry: String?

    init(historyPath: String?, completions: @escaping () -> [String]) {
        self.historyPath = historyPath
        LineEditor.completions = completions
        _ = cascade_editline_setup("cascade")
        cascade_editline_set_completion { text, state in LineEditor.complete(text, state) }
        using_history()
        stifle_history(LineEditor.historySize)
        if let historyPath { _ = read_history(historyPath) }
        lastEntry = cascade_editline_last_history().map { String(cString: $0) }
    }

    mutating func next(prompt: String) -> ReplInput? {
        fflush(nil)
        _ = cascade_editline_take_interrupt()
        guard let raw = readline(prompt) else {
            if cascade_editline_take_interrupt() != 0 { return .interrupted }
            return nil
        }
        defer { free(raw) }
        if cascade_editline_take_interrupt() != 0 { return .interrupted }
        let line = String(cString: raw)
        remember(line)
        return .line(line)
    }

    /// Adds a line to the history (not blank lines, not a repeat of the previous one) and saves
    /// the file at once, so that a session ended by a signal keeps it too.
    private mutating func remember(_ line: String) {
        guard !line.trimmingWhitespace().isEmpty, line != lastEntry else { return }
        lastEntry = line
        _ = add_history(line)
        guard let historyPath else { return }
        if write_history(historyPath) == 0 { _ = chmod(historyPath, 0o600) }
    }

    // MARK: - Completion

    /// Words Tab completes: commands, binding names, `Math` members, keywords.
    nonisolated(unsafe) static var completions: () -> [String] = { [] }
    nonisolated(unsafe) private static var matches: [String] = []

    private static func complete(_ text: UnsafePointer<CChar>?, _ state: Int32) -> UnsafeMutablePointer<CChar>? {
        if state == 0 {
            let prefix = text.map { String(cString: $0) } ?? ""
            matches = completions().filter { $0.hasPrefix(prefix) }.sorted()
        }
        let index = Int(state)
        guard index < matches.count else { return nil }
        return strdup(matches[index])
    }
}
