/// Hard bounds on untrusted formula input, each enforced before the work it bounds is done.
public struct Limits: Hashable, Sendable {
    /// Largest accepted source text, in UTF-8 bytes.
    public var maxSourceBytes = 8 * 1024
    /// Largest number of syntax-tree nodes.
    public var maxNodes = 2_000
    /// Deepest nesting of expressions and statements, counted where brackets and prefix operators
    /// are consumed (see `Parser`).
    public var maxDepth = 64
    /// Most `let`/`const` locals in one formula.
    public var maxLocals = 64
    /// Longest string value, in UTF-8 bytes (literals, bindings and concatenation results).
    public var maxStringBytes = 1024
    /// Most arguments in one call.
    public var maxCallArguments = 32
    /// Most diagnostics reported for one formula; further ones are summarised in one line.
    public var maxDiagnostics = 20
    /// Largest accepted static cost bound (steps on the most expensive path).
    public var maxCost = 10_000
    /// The per-evaluation step meter's tripwire; never reached by a formula within `maxCost`.
    public var maxSteps = 100_000

    public init() {}

    /// The defaults of the formula-language brief.
    public static let `default` = Limits()
}
