/// An input the formula reads: a bare name (`gdpGrowth`) or a record path (`source.value`).
package struct InputSlot: Hashable, Sendable {
    /// The dotted path, e.g. `"source.metadata"`.
    package var path: String
    package var type: InputType
    /// The position of this slot in `CompiledFormula.inputs`.
    package var index: Int
}

/// A local declared with `let` or `const`.
struct LocalInfo: Sendable {
    var name: String
    var type: StaticType
    var isConstant: Bool
    var range: SourceRange
}

/// A syntax tree with types and resolved names beside it: the checker's output.
public struct CheckedFormula: Sendable {
    public var tree: SyntaxTree
    /// Parser and checker diagnostics, in source order.
    public var diagnostics: [Diagnostic]
    /// The inputs the formula reads (its dependency edges), sorted by path.
    package var inputs: [InputSlot]
    /// The types `return` can produce (`number`, `boolean`, `string`, `null`), sorted.
    package var resultTypes: [String]
    /// Whether some path falls off the end without `return` (the result is then no value).
    package var canFallOff: Bool
    /// The exact static cost bound: syntax nodes evaluated on the most expensive path.
    package var costBound: Int

    public var hasErrors: Bool { diagnostics.contains { $0.isError } }

    /// The result type as the REPL's `:type` prints it, e.g. `number | undefined`.
    package var resultTypeDescription: String {
        var parts = resultTypes
        if canFallOff { parts.append("undefined") }
        return parts.isEmpty ? "undefined" : parts.joined(separator: " | ")
    }

    var types: [StaticType]
    /// Per node: steps on its most expensive path (what the cost bound and the meter count).
    var costs: [Int]
    var resolutions: [Resolution?]
    var locals: [LocalInfo]
    /// The local each declaration statement declares, by the statement's node.
    var declarations: [NodeID: Int]
    /// The local each assignment statement targets, by the statement's node.
    var assignmentTargets: [NodeID: Int]
}
