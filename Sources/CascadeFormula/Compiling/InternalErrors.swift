/// The tree shapes a compilation met that the compiler has no code for: gaps between what the
/// checker accepts and what the compiler handles.
///
/// A gap never becomes a default value (`0`, `false`, `null`): that would be a plausible wrong
/// number. Each one is recorded here as an `internal` diagnostic, stops the compilation (no
/// formula is returned), and traps in a debug build so that a test finds it at once. The code
/// compiled for the gap throws the same diagnostic, should it ever run.
final class InternalErrors {
    private(set) var diagnostics: [Diagnostic] = []
    /// Whether a gap traps in a debug build (tests that count gaps turn it off).
    let isTrapping: Bool

    init(isTrapping: Bool) {
        self.isTrapping = isTrapping
    }

    /// Records a gap at `range` and returns the error its compiled code throws.
    func report(_ what: String, at range: SourceRange) -> FormulaError {
        let diagnostic = Diagnostic(.runtime, "internal", "internal error: the compiler cannot handle \(what)", at: range,
                                    hint: "this is a bug in Cascade, not in the formula; please report it with the formula")
        diagnostics.append(diagnostic)
        if isTrapping { assertionFailure(diagnostic.message) }
        return FormulaError(diagnostic)
    }
}
