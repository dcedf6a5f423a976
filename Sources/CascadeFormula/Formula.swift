/// The formula pipeline: source → tokens → tree → checked tree → compiled formula → value.
///
/// ```swift
/// let compilation = Formula.compile("return (g - b) * e * 100;", inputs: ["g": .number, "b": .number, "e": .number])
/// let value = try compilation.formula?.evaluate(["g": .number(0.03), "b": .number(0.02), "e": .number(1.8)])
/// ```
public enum Formula {
    /// Parses source text into a syntax tree; never fails, never traps.
    public static func parse(_ source: String, limits: Limits = .default) -> SyntaxTree {
        Parser.parse(source, limits: limits)
    }

    /// Checks a tree against the declared inputs (names and types).
    public static func check(_ tree: SyntaxTree, inputs: [String: InputType], limits: Limits = .default) -> CheckedFormula {
        Checker.check(tree, inputs: inputs, limits: limits)
    }

    /// Parses, checks and compiles; the formula is nil when any diagnostic is an error.
    public static func compile(_ source: String, inputs: [String: InputType], limits: Limits = .default) -> Compilation {
        var checked = check(parse(source, limits: limits), inputs: inputs, limits: limits)
        let inputErrors = validateInputNames(inputs)
        if !inputErrors.isEmpty { checked.diagnostics = inputErrors + checked.diagnostics }
        guard !checked.hasErrors else { return Compilation(diagnostics: checked.diagnostics, formula: nil) }
        let formula = CompiledFormula(checked: checked, limits: limits)
        // A checker/compiler gap (traps in a debug build): refused, never a default value.
        guard formula.internalErrors.isEmpty else {
            return Compilation(diagnostics: checked.diagnostics + formula.internalErrors, formula: nil)
        }
        return Compilation(diagnostics: checked.diagnostics, formula: formula)
    }

    /// Input names must be identifiers that a formula could write, and not forbidden ones.
    static func validateInputNames(_ inputs: [String: InputType]) -> [Diagnostic] {
        inputs.keys.sorted().compactMap { name in
            let bytes = Array(name.utf8)
            let isIdentifier = !bytes.isEmpty && Lexer.isIdentifierPart(bytes[0]) && !(bytes[0] >= 0x30 && bytes[0] <= 0x39)
                && bytes.allSatisfy(Lexer.isIdentifierPart)
            if !isIdentifier || Parser.reservedWords.contains(name) {
                return Diagnostic(.name, "input-name", "`\(name)` cannot be an input name: it is not a plain identifier",
                                  at: SourceRange(0, 0), hint: "use letters, digits, `_` and `$`, not starting with a digit")
            }
            if Checker.forbiddenNames[name] != nil || name == "Math" {
                return Diagnostic(.forbidden, "input-name", "`\(name)` cannot be an input name", at: SourceRange(0, 0))
            }
            return nil
        }
    }
}

/// The result of `Formula.compile`: every diagnostic, and the formula when there was no error.
public struct Compilation: Sendable {
    /// Errors and warnings, in source order.
    public var diagnostics: [Diagnostic]
    /// The compiled formula; nil when any diagnostic is an error.
    public var formula: CompiledFormula?

    public var errors: [Diagnostic] { diagnostics.filter(\.isError) }
    public var warnings: [Diagnostic] { diagnostics.filter { !$0.isError } }
}
