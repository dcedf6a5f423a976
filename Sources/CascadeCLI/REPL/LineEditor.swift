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

    /// `completions(word, before)`: what Tab offers for the word before the cursor, `before` being
    /// the line's text in front of it.
    init(historyPath: String?, completions: @escaping (String, String) -> [String]) {
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
        return .line(String(cString: raw))
    }

    /// Adds an entry to the history (not a blank one, not a repeat of the previous one) and saves
    /// the file at once, so that a session ended by a signal keeps it too. A multi-line entry is
    /// one history entry: the up arrow recalls it whole.
    mutating func remember(_ entry: String) {
        guard !entry.trimmingWhitespace().isEmpty, entry != lastEntry else { return }
        lastEntry = entry
        _ = add_history(entry)
        guard let historyPath else { return }
        if write_history(historyPath) == 0 { _ = chmod(historyPath, 0o600) }
    }

    // MARK: - Completion

    /// What Tab offers for a word, given the line in front of it (`ReplSession.completions`).
    nonisolated(unsafe) static var completions: (String, String) -> [String] = { _, _ in [] }
    nonisolated(unsafe) private static var matches: [String] = []

    private static func complete(_ text: UnsafePointer<CChar>?, _ state: Int32) -> UnsafeMutablePointer<CChar>? {
        if state == 0 {
            let word = text.map { String(cString: $0) } ?? ""
            let raw = cascade_editline_line_before_cursor()
            defer { free(raw) }
            let line = raw.map { String(cString: $0) } ?? ""
            matches = completions(word, String(decoding: line.utf8.dropLast(word.utf8.count), as: UTF8.self))
        }
        let index = Int(state)
        guard index < matches.count else { return nil }
        return strdup(matches[index])
    }
}
