/// One subexpression's value in an evaluation: where it is in the source, and what it was.
package struct TraceEntry: Hashable, Sendable {
    /// The subexpression's byte range in the formula source.
    package var range: SourceRange
    /// Its source text, e.g. `hbm_supply < 80`.
    package var text: String
    package var value: Value
    /// Whether it is the condition of an `if` or a `?:` (its value chose the branch taken).
    package var isCondition: Bool

    package init(range: SourceRange, text: String, value: Value, isCondition: Bool) {
        self.range = range
        self.text = text
        self.value = value
        self.isCondition = isCondition
    }
}

/// An evaluation with the value of every subexpression it evaluated (see
/// `CompiledFormula.explain(_:)`): the result, and the trace in source order.
package struct Explanation: Sendable {
    /// The formula's result, or the error it stopped at (the trace then ends there).
    package var result: Result<Value, FormulaError>
    /// Every name and operation evaluated, in source order (an enclosing expression before its
    /// parts). Literals are left out (their value is their text); a subexpression that was not
    /// evaluated (a branch not taken, the right side of a short-circuited `&&`) is absent.
    package var trace: [TraceEntry]

    package init(result: Result<Value, FormulaError>, trace: [TraceEntry]) {
        self.result = result
        self.trace = trace
    }

    /// The conditions that were false, when the formula gave no value: each `return` it could have
    /// reached was behind one of them.
    package var failedConditions: [TraceEntry] {
        guard case .success(.undefined) = result else { return [] }
        return trace.filter { $0.isCondition && $0.value == .boolean(false) }
    }

    /// The trace as text, one subexpression a line (`hbm_supply < 80  → false  (branch not taken)`),
    /// followed by why there is no value when there is none.
    package func rendered() -> String {
        var lines = trace.renderedLines()
        let failed = failedConditions
        if !failed.isEmpty {
            lines.append("no value: the formula fell off the end; these conditions were false: "
                         + failed.map { "`\($0.text)`" }.joined(separator: ", "))
        } else if case .success(.undefined) = result {
            lines.append("no value: the formula fell off the end without a `return`")
        }
        return lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
    }
}

extension [TraceEntry] {
    /// One line per entry (`  hbm_supply < 80  → false  (condition: branch not taken)`), the
    /// texts padded to one column; a subexpression written over several lines is shown on one.
    package func renderedLines() -> [String] {
        let texts = map { $0.text.split(whereSeparator: \.isNewline).joined(separator: " ") }
        let width = Swift.min(texts.map(\.count).max() ?? 0, 48)
        return zip(self, texts).map { entry, whole in
            let text = whole.count > width ? String(whole.prefix(width - 1)) + "…" : whole
            let padding = String(repeating: " ", count: Swift.max(width - text.count, 0))
            var line = "  \(text)\(padding)  → \(entry.value.description)"
            if entry.isCondition {
                line += entry.value == .boolean(true) ? "  (condition: branch taken)" : "  (condition: branch not taken)"
            }
            return line
        }
    }
}
