/// The most expensive path through a statement that falls through, and one that returns
/// (nil when there is no such path). Sequencing and branching combine them exactly.
struct PathCosts {
    var fallThrough: Int?
    var returning: Int?

    static let empty = PathCosts(fallThrough: 0, returning: nil)

    /// `self` followed by `next`.
    func then(_ next: PathCosts) -> PathCosts {
        guard let f = fallThrough else { return self }
        return PathCosts(fallThrough: next.fallThrough.map { f + $0 },
                         returning: Checker.maxOptional(returning, next.returning.map { f + $0 }))
    }

    /// Either `a` or `b`, after a condition of cost `condition`.
    static func branch(_ condition: Int, _ a: PathCosts, _ b: PathCosts) -> PathCosts {
        PathCosts(fallThrough: Checker.maxOptional(a.fallThrough, b.fallThrough).map { condition + $0 },
                  returning: Checker.maxOptional(a.returning, b.returning).map { condition + $0 })
    }
}

extension Checker {
    static func maxOptional(_ a: Int?, _ b: Int?) -> Int? {
        switch (a, b) {
        case let (x?, y?): max(x, y)
        case let (x?, nil): x
        case let (nil, y?): y
        default: nil
        }
    }

    /// Checks a block's statements in a scope of their own (the caller pushes and pops it).
    mutating func checkBlock(_ statements: [Stmt], isTopLevel: Bool) -> PathCosts {
        // Declare every name of the block first, uninitialised: uses before the declaration
        // statement are errors (JavaScript's temporal dead zone), not references to outer names.
        for statement in statements {
            guard case .declaration(let isConstant, let name, let nameRange, _) = statement.kind else { continue }
            if let previous = scopes[scopes.count - 1][name] {
                sink.add(.name, "redeclared", "`\(name)` is already declared in this block", at: nameRange,
                         hint: "declared at byte \(previous.range.start); assign with `\(name) = …` if it is a `let`")
                continue
            }
            if isTopLevel, declaredInputs[name] != nil {
                sink.add(.name, "shadows-input", "`\(name)` is already an input of this formula", at: nameRange,
                         hint: "choose another name for the local")
                continue
            }
            if name == "Math" || Checker.forbiddenNames[name] != nil {
                sink.add(.forbidden, "name", "`\(name)` cannot be used as a local name", at: nameRange)
                continue
            }
            scopes[scopes.count - 1][name] = Binding(isConstant: isConstant, range: nameRange, local: nil)
        }
        var paths = PathCosts.empty
        var reportedUnreachable = false
        for statement in statements {
            if paths.fallThrough == nil && !reportedUnreachable {
                if case .empty = statement.kind {} else {
                    sink.add(.syntax, "unreachable", "this code is never reached: every path before it returns",
                             at: statement.range, severity: .warning)
                    reportedUnreachable = true
                }
            }
            let cost = checkStatement(statement, isTopLevel: isTopLevel)
            paths = paths.then(cost)
        }
        return paths
    }

    mutating func checkStatement(_ statement: Stmt, isTopLevel: Bool) -> PathCosts {
        switch statement.kind {
        case .empty, .invalid:
            return .empty
        case .block(let statements):
            scopes.append([:])
            defer { scopes.removeLast() }
            return checkBlock(statements, isTopLevel: false)
        case .declaration(let isConstant, let name, let nameRange, let initializer):
            let type = checkExpr(initializer)
            let cost = costs[initializer.id] + 1
            guard var binding = scopes[scopes.count - 1][name], binding.local == nil,
                  binding.range == nameRange else { return PathCosts(fallThrough: cost, returning: nil) }
            var localType = type
            if type == .math || { if case .record = type { true } else { false } }() {
                typeError("record-value", "a local cannot hold \(type.withArticle)", at: initializer.range,
                          hint: "store one of its fields")
                localType = .error  // no follow-on errors where the local is used
            }
            if locals.count >= limits.maxLocals {
                sink.add(.limit, "locals", "more than \(limits.maxLocals) locals", at: nameRange)
                return PathCosts(fallThrough: cost, returning: nil)
            }
            binding.local = locals.count
            declarations[statement.id] = locals.count
            locals.append(LocalInfo(name: name, type: localType, isConstant: isConstant, range: nameRange))
            scopes[scopes.count - 1][name] = binding
            return PathCosts(fallThrough: cost, returning: nil)
        case .assignment(let name, let nameRange, let op, let value):
            let valueType = checkExpr(value)
            let cost = costs[value.id] + 1
            checkAssignment(name, nameRange, op, value, valueType, statement.id)
            return PathCosts(fallThrough: cost, returning: nil)
        case .ifElse(let condition, let then, let otherwise):
            let type = checkExpr(condition)
            _ = require(type, .boolean, condition, role: "the `if` condition",
                        hint: type == .number ? "compare explicitly, e.g. `if (x !== 0)`" : nil)
            let a = checkBranch(then)
            let b = otherwise.map { checkBranch($0) } ?? .empty
            return PathCosts.branch(costs[condition.id] + 1, a, b)
        case .returnValue(let value):
            guard let value else {
                resultTypes.insert("undefined")
                return PathCosts(fallThrough: nil, returning: 1)
            }
            let type = checkExpr(value)
            requireReturnable(type, at: value.range)
            if type.isScalar && type != .null {  // `null` may stand in for any type's "no answer"
                if let (first, range) = firstReturn, first != type {
                    typeError("return-mismatch", "this `return` gives \(type.withArticle), but an earlier one gives \(first.withArticle)",
                              at: value.range, hint: "every `return` of a formula gives the same type (or null) (the first is at byte \(range.start))")
                } else if firstReturn == nil {
                    firstReturn = (type, value.range)
                }
            }
            return PathCosts(fallThrough: nil, returning: costs[value.id] + 1)
        case .expression(let expr):
            checkExpr(expr)
            if case .invalid = expr.kind { return .empty }  // already reported
            sink.add(.syntax, "unused-expression", "the value of this expression is never used", at: expr.range,
                     hint: "did you mean `return \(text(expr.range));`?")
            return PathCosts(fallThrough: costs[expr.id], returning: nil)
        }
    }

    /// The body of `if`/`else`: a statement in its own scope; a bare declaration is an error, as in JavaScript.
    mutating func checkBranch(_ statement: Stmt) -> PathCosts {
        if case .declaration(_, let name, _, _) = statement.kind {
            sink.add(.syntax, "declaration-in-branch", "a declaration directly inside `if`/`else` needs braces",
                     at: statement.range, hint: "write `{ … \(name) … }`, or declare `\(name)` before the `if`")
        }
        scopes.append([:])
        defer { scopes.removeLast() }
        return checkBlock([statement], isTopLevel: false)
    }

    mutating func checkAssignment(_ name: String, _ nameRange: SourceRange, _ op: AssignmentOperator, _ value: Expr,
                                  _ valueType: StaticType, _ id: NodeID) {
        guard let binding = lookupLocal(name) else {
            if declaredInputs[name] != nil {
                sink.add(.forbidden, "input-assignment", "`\(name)` is an input, and inputs are read-only", at: nameRange,
                         hint: "copy it into a local: `let \(name)Adjusted = \(name);`")
            } else if name == "Math" || Checker.forbiddenNames[name] != nil {
                sink.add(.forbidden, "name", "`\(name)` cannot be assigned", at: nameRange)
            } else {
                let suggestion = Suggestion.closest(to: name, among: visibleNames)
                sink.add(.name, "unknown", "unknown name `\(name)`", at: nameRange,
                         hint: suggestion.map { "did you mean `\($0)`?" } ?? "declare it first with `let \(name) = …;`")
            }
            return
        }
        guard let slot = binding.local else {
            sink.add(.name, "before-declaration", "`\(name)` is assigned before its declaration", at: nameRange)
            return
        }
        assignmentTargets[id] = slot
        if binding.isConstant {
            sink.add(.name, "const-assignment", "`\(name)` is a `const` and cannot be reassigned", at: nameRange,
                     hint: "declare it with `let` if it must change")
            return
        }
        let localType = locals[slot].type
        if valueType == .error || localType == .error { return }
        if let binary = op.binary {
            if binary == .add && localType == .any {
                if ![.number, .string, .any].contains(valueType) {
                    typeError("mismatch", "`+=` adds a number or joins a string, but `\(text(value.range))` is \(valueType.withArticle)",
                              at: value.range)
                }
                return
            }
            let isConcatenation = binary == .add && localType == .string
            let expected: StaticType = isConcatenation ? .string : .number
            if !localType.fits(expected) {
                typeError("mismatch", "`\(op.rawValue)` needs a number local, but `\(name)` is \(localType.withArticle)", at: nameRange)
                return
            }
            _ = require(valueType, expected, value, role: "the right side of `\(op.rawValue)`")
            return
        }
        if localType != .any && !valueType.fits(localType) {
            typeError("assignment-type", "`\(name)` holds \(localType.withArticle), but `\(text(value.range))` is \(valueType.withArticle)",
                      at: value.range, hint: "a local keeps the type of its initial value")
        }
    }

    /// Warns that some path returns no value, naming the conditions that leave it uncovered.
    mutating func reportFallOff(_ statements: [Stmt], paths: PathCosts) {
        let end = SourceRange(tree.source.utf8.count, tree.source.utf8.count)
        if paths.returning == nil {
            sink.add(.type, "no-return", "the formula never returns a value", at: statements.last?.range ?? end,
                     severity: .warning, hint: "add `return …;` (a single expression needs no `return`)")
            return
        }
        var conditions: [String] = []
        var anchor = statements.last?.range ?? end
        if let last = statements.last, case .ifElse = last.kind {
            var current: Stmt? = last
            while let statement = current, case .ifElse(let condition, _, let otherwise) = statement.kind {
                conditions.append("`\(text(condition.range))`")
                current = otherwise
            }
            anchor = last.range
        }
        let region = conditions.isEmpty ? ""
            : conditions.count == 1 ? " when \(conditions[0]) is false"
            : " when none of \(conditions.joined(separator: ", ")) holds"
        sink.add(.type, "falls-off", "the formula returns no value (undefined)\(region)", at: anchor, severity: .warning,
                 hint: "add a final `return …;` or an `else` branch if every input should produce a value")
    }
}
