/// Checks a syntax tree against the declared inputs: resolves every name, gives every expression a
/// type, rejects what the subset forbids, and computes the exact static cost bound.
struct Checker {
    struct Binding {
        var isConstant: Bool
        var range: SourceRange
        var local: Int?  // nil until the declaration has run (the temporal dead zone)
    }

    let tree: SyntaxTree
    let declaredInputs: [String: InputType]
    let limits: Limits
    var sink: DiagnosticSink
    var types: [StaticType]
    var resolutions: [Resolution?]
    var costs: [Int]
    var locals: [LocalInfo] = []
    var scopes: [[String: Binding]] = []
    var inputs: [InputSlot] = []
    var inputIndex: [String: Int] = [:]
    var resultTypes: Set<String> = []
    var declarations: [NodeID: Int] = [:]
    var assignmentTargets: [NodeID: Int] = [:]
    var firstReturn: (StaticType, SourceRange)?

    static let forbiddenNames: [String: (String, String?)] = {
        var table: [String: (String, String?)] = [:]
        for name in ["eval", "Function"] {
            table[name] = ("`\(name)` is not allowed: formulas never evaluate code", "write the computation directly")
        }
        for name in ["globalThis", "window", "global", "self", "process", "require", "module", "exports", "arguments"] {
            table[name] = ("`\(name)` is not allowed: formulas cannot reach the host environment", nil)
        }
        for name in ["Object", "Reflect", "Proxy", "Symbol", "constructor", "__proto__", "prototype"] {
            table[name] = ("`\(name)` is not allowed in formulas", "records are read-only data; read their fields")
        }
        for name in ["Date", "JSON", "Array", "String", "Number", "Boolean", "RegExp", "Error", "Promise",
                     "parseInt", "parseFloat", "isNaN", "isFinite", "setTimeout", "setInterval", "fetch",
                     "WebAssembly", "Intl", "BigInt", "Atomics", "SharedArrayBuffer"] {
            table[name] = ("`\(name)` is not available in formulas", "formulas may call only the Math functions")
        }
        table["NaN"] = ("`NaN` cannot be written in a formula: results must be finite numbers", nil)
        table["Infinity"] = ("`Infinity` cannot be written in a formula: results must be finite numbers",
                             "use a large finite bound such as `1e12`")
        table["undefined"] = ("`undefined` cannot be written in a formula",
                              "to return no value, leave the path without `return`; to return a marker, use `null`")
        return table
    }()

    static let forbiddenMembers: Set<String> = [
        "constructor", "__proto__", "prototype", "__defineGetter__", "__defineSetter__", "__lookupGetter__",
        "__lookupSetter__",
    ]

    init(tree: SyntaxTree, inputs: [String: InputType], limits: Limits) {
        self.tree = tree
        self.declaredInputs = inputs
        self.limits = limits
        self.sink = DiagnosticSink(cap: limits.maxDiagnostics)
        for diagnostic in tree.diagnostics { sink.add(diagnostic) }
        let size = tree.nodeCount + 1
        self.types = Array(repeating: .error, count: size)
        self.resolutions = Array(repeating: nil, count: size)
        self.costs = Array(repeating: 0, count: size)
    }

    /// Checks the whole tree.
    static func check(_ tree: SyntaxTree, inputs: [String: InputType], limits: Limits) -> CheckedFormula {
        var checker = Checker(tree: tree, inputs: inputs, limits: limits)
        return checker.run()
    }

    mutating func run() -> CheckedFormula {
        var canFallOff = false
        var cost = 0
        if !tree.isComplete {
            // A limit stopped the parser: the tree is partial; don't pile checker errors on top.
            return finish(canFallOff: false, cost: 0)
        }
        switch tree.form {
        case .expression(let expr):
            let type = checkExpr(expr)
            requireReturnable(type, at: expr.range)
            cost = costs[expr.id]
        case .body(let statements):
            scopes.append([:])
            let paths = checkBlock(statements, isTopLevel: true)
            scopes.removeLast()
            canFallOff = paths.fallThrough != nil
            cost = max(paths.fallThrough ?? 0, paths.returning ?? 0)
            if canFallOff { reportFallOff(statements, paths: paths) }
        }
        if cost > limits.maxCost {
            sink.add(.limit, "cost", "the formula's cost bound is \(cost) steps; the limit is \(limits.maxCost)",
                     at: SourceRange(0, tree.source.utf8.count), hint: "split it into smaller formulas")
        }
        return finish(canFallOff: canFallOff, cost: cost)
    }

    func finish(canFallOff: Bool, cost: Int) -> CheckedFormula {
        CheckedFormula(tree: tree, diagnostics: sink.sorted(), inputs: inputs, resultTypes: resultTypes.sorted(),
                       canFallOff: canFallOff, costBound: cost, types: types, costs: costs, resolutions: resolutions, locals: locals,
                       declarations: declarations, assignmentTargets: assignmentTargets)
    }

    // MARK: - Diagnostics

    mutating func typeError(_ code: String, _ message: String, at range: SourceRange, hint: String? = nil) {
        sink.add(.type, code, message, at: range, hint: hint)
    }

    func text(_ range: SourceRange) -> String {
        let utf8 = Array(tree.source.utf8)
        let start = min(range.start, utf8.count)
        let end = min(range.end, utf8.count)
        let raw = String(decoding: utf8[start..<end], as: UTF8.self)
        return raw.count > 40 ? String(raw.prefix(37)) + "…" : raw
    }
}

extension Checker {
    // MARK: - Inputs and names

    mutating func inputSlot(path: String, type: InputType) -> Int {
        if let index = inputIndex[path] { return index }
        let index = inputs.count
        inputs.append(InputSlot(path: path, type: type, index: index))
        inputIndex[path] = index
        return index
    }

    func lookupLocal(_ name: String) -> Binding? {
        for scope in scopes.reversed() {
            if let binding = scope[name] { return binding }
        }
        return nil
    }

    var visibleNames: [String] {
        var names = Set(declaredInputs.keys)
        for scope in scopes { names.formUnion(scope.keys) }
        names.insert("Math")
        return names.sorted()
    }

    /// Requires a value that a formula may return (a scalar).
    mutating func requireReturnable(_ type: StaticType, at range: SourceRange) {
        switch type {
        case .number, .boolean, .string, .null: resultTypes.insert(type.description)
        case .any: resultTypes.insert("any")
        case .error: break
        case .record:
            typeError("record-value", "a formula cannot return a record", at: range, hint: "return one of its fields")
        case .math:
            typeError("record-value", "`Math` is not a value", at: range, hint: "call one of its functions, e.g. `Math.max(a, b)`")
        }
    }
}
