/// The place and text of a node that can fail at run time; builds the located error on the cold path.
struct ErrorSite: Sendable {
    var range: SourceRange
    /// The node's source text, e.g. `x / y`.
    var text: String
    /// The operands' source texts, for "with x = 5, y = 0".
    var operands: [String]

    func describe(_ values: [Double]) -> String {
        // Show every operand that is not a plain literal (a literal already shows its value).
        let pairs = zip(operands, values).filter { text, _ in !text.isEmpty && Double(text) == nil }
            .map { "\($0) = \(JSNumber.format($1))" }
        return pairs.isEmpty ? "" : " (\(pairs.joined(separator: ", ")))"
    }

    @inline(never)
    func divisionByZero(_ a: Double, _ b: Double, remainder: Bool) -> FormulaError {
        FormulaError(Diagnostic(.runtime, remainder ? "remainder-by-zero" : "division-by-zero",
                                "\(remainder ? "remainder" : "division") by zero in `\(text)`\(describe([a, b]))",
                                at: range, hint: "JavaScript would give \(remainder || a == 0 ? "NaN" : "Infinity"); guard the divisor, e.g. `y === 0 ? 0 : x \(remainder ? "%" : "/") y`"))
    }

    @inline(never)
    func nonFinite(_ result: Double, _ values: [Double]) -> FormulaError {
        let what = result.isNaN ? "is not a real number (NaN)" : "evaluates to \(JSNumber.format(result))"
        return FormulaError(Diagnostic(.runtime, "non-finite", "`\(text)` \(what)\(describe(values))", at: range,
                                       hint: "formula results must be finite numbers"))
    }

    @inline(never)
    func typeMismatch(expected: String, found: Value) -> FormulaError {
        if found == .null {
            return FormulaError(Diagnostic(.runtime, "null-operand", "`\(text)` is null where \(expected) is needed",
                                           at: range, hint: "JavaScript would treat null as 0 or false; test for it with `=== null`"))
        }
        return FormulaError(Diagnostic(.type, "runtime-mismatch",
                                       "`\(text)` is \(found == .undefined ? "undefined" : "a \(found.typeName)") (\(found)) where \(expected) is needed",
                                       at: range, hint: "JavaScript would convert it; formulas do not"))
    }

    @inline(never)
    func missingField(_ name: String, in value: Value) -> FormulaError {
        if case .record(let fields) = value {
            let suggestion = Suggestion.closest(to: name, among: fields.keys)
            return FormulaError(Diagnostic(.name, "missing-field", "`\(text)`: the record has no field `\(name)`",
                                           at: range, hint: suggestion.map { "did you mean `\($0)`?" }))
        }
        return FormulaError(Diagnostic(.type, "runtime-mismatch",
                                       "`\(text)`: cannot read field `\(name)` of a \(value.typeName)", at: range))
    }

    @inline(never)
    func stringTooLong(_ bytes: Int, limit: Int) -> FormulaError {
        FormulaError(Diagnostic(.limit, "string-length", "`\(text)` makes a string of \(bytes) bytes; the limit is \(limit)",
                                at: range))
    }
}
