import CascadeFormula

/// An entry compiled against the session's bindings.
///
/// Bindings are the formula's inputs, except that a `let`/`const` binding the entry assigns is
/// re-declared in a prelude in front of the entry (`let total = $$repl$total; …`), so that
/// `total += 1` works on a `let` and is the checker's own `const` error on a `const`. Names the
/// entry declares at its top level are left out of the inputs: a new declaration replaces the
/// binding.
struct PreparedEntry {
    var source: String
    var tree: SyntaxTree
    var analysis: EntryAnalysis
    var prelude = ""
    var inputs: [String: InputType] = [:]
    var values: [String: Value] = [:]
    /// Bindings re-declared in the prelude, with their kinds.
    var carried: [(name: String, kind: ReplSession.Binding.Kind)] = []

    static let hiddenPrefix = "$$repl$"

    /// Compiles `prelude + text` with the entry's inputs (the text defaults to the entry's source).
    func compile(_ text: String? = nil, limits: Limits) -> Compilation {
        Formula.compile(prelude + (text ?? source), inputs: inputs, limits: limits)
    }

    /// Moves a diagnostic of the compiled text back onto the entry.
    var shift: Int { -prelude.utf8.count }
}
