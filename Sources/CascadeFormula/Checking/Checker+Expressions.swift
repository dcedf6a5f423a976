extension Checker {
    /// Checks an expression, records its type and cost, and returns the type.
    @discardableResult
    mutating func checkExpr(_ expr: Expr, isCallee: Bool = false) -> StaticType {
        let (type, cost) = infer(expr, isCallee: isCallee)
        types[expr.id] = type
        costs[expr.id] = cost
        return type
    }

    /// Requires `expected` of an operand; reports and returns false otherwise.
    mutating func require(_ type: StaticType, _ expected: StaticType, _ expr: Expr, role: String,
                          hint: String? = nil) -> Bool {
        if type.fits(expected) { return true }
        typeError("mismatch", "\(role) must be \(expected.withArticle), but `\(text(expr.range))` is \(type.withArticle)",
                  at: expr.range, hint: hint)
        return false
    }

    mutating func infer(_ expr: Expr, isCallee: Bool) -> (StaticType, Int) {
        switch expr.kind {
        case .number: return (.number, 1)
        case .string: return (.string, 1)
        case .boolean: return (.boolean, 1)
        case .null: return (.null, 1)
        case .invalid: return (.error, 1)
        case .parenthesized(let inner):
            let type = checkExpr(inner, isCallee: isCallee)
            resolutions[expr.id] = resolutions[inner.id]
            return (type, costs[inner.id])
        case .identifier(let name):
            return (resolveIdentifier(name, expr), 1)
        case .member(let object, let name, let nameRange):
            return (checkMember(expr, object, name, nameRange, isCallee: isCallee), costs[object.id] + 1)
        case .unary(let op, let operand):
            let type = checkExpr(operand)
            let cost = costs[operand.id] + 1
            switch op {
            case .negate, .plus:
                let hint = type == .boolean || type == .string ? "JavaScript would convert it to a number; formulas do not" : nil
                return (require(type, .number, operand, role: "the operand of unary `\(op.rawValue)`", hint: hint) ? .number : .error, cost)
            case .not:
                let hint = type == .number ? "compare explicitly, e.g. `x !== 0`" : nil
                return (require(type, .boolean, operand, role: "the operand of `!`", hint: hint) ? .boolean : .error, cost)
            }
        case .binary(let op, let left, let right):
            let leftType = checkExpr(left)
            let rightType = checkExpr(right)
            let cost = costs[left.id] + costs[right.id] + 1
            return (checkBinary(op, left, leftType, right, rightType, expr), cost)
        case .conditional(let test, let consequent, let alternate):
            let testType = checkExpr(test)
            let a = checkExpr(consequent)
            let b = checkExpr(alternate)
            let cost = costs[test.id] + max(costs[consequent.id], costs[alternate.id]) + 1
            _ = require(testType, .boolean, test, role: "the condition of `?:`",
                        hint: testType == .number ? "compare explicitly, e.g. `x > 0 ? … : …`" : nil)
            return (unify(a, consequent, b, alternate, context: "the branches of `?:`"), cost)
        case .call(let callee, let arguments):
            return checkCall(expr, callee, arguments)
        }
    }

    /// The common type of two branches (`any` adopts the other side's type, checked at run time).
    mutating func unify(_ a: StaticType, _ aExpr: Expr, _ b: StaticType, _ bExpr: Expr, context: String) -> StaticType {
        if a == .error || b == .error { return .error }
        for (type, e) in [(a, aExpr), (b, bExpr)] where !type.isScalar && type != .any {
            typeError("record-value", "\(context) cannot be \(type.withArticle)", at: e.range, hint: "use one of its fields")
            return .error
        }
        if a == b { return a }
        if a == .any { return b }
        if b == .any { return a }
        typeError("branch-mismatch", "\(context) have different types: \(a) and \(b)", at: aExpr.range.union(bExpr.range),
                  hint: "both branches must give the same type")
        return .error
    }

    mutating func resolveIdentifier(_ name: String, _ expr: Expr) -> StaticType {
        if let (message, hint) = Checker.forbiddenNames[name], lookupLocal(name) == nil {
            sink.add(.forbidden, name == "NaN" || name == "Infinity" || name == "undefined" ? "non-finite-name" : "name",
                     message, at: expr.range, hint: hint)
            return .error
        }
        if let binding = lookupLocal(name) {
            guard let slot = binding.local else {
                sink.add(.name, "before-declaration", "`\(name)` is used before its declaration", at: expr.range,
                         hint: "move the `\(binding.isConstant ? "const" : "let") \(name)` declaration above this use")
                return .error
            }
            resolutions[expr.id] = .local(slot)
            return locals[slot].type
        }
        if let input = declaredInputs[name] {
            if case .record = input { return .record(recordFields(input)) }
            resolutions[expr.id] = .input(inputSlot(path: name, type: input))
            return StaticType(input)
        }
        if name == "Math" { return .math }
        let suggestion = Suggestion.closest(to: name, among: visibleNames)
        sink.add(.name, "unknown", "unknown name `\(name)`", at: expr.range,
                 hint: suggestion.map { "did you mean `\($0)`?" } ?? "declare it as a parameter or bind it")
        return .error
    }

    func recordFields(_ type: InputType) -> [String: InputType] {
        if case .record(let fields) = type { return fields }
        return [:]
    }

    /// The dotted input path an expression reads, if it is a (parenthesised) chain of names.
    func inputPath(_ expr: Expr) -> String? {
        switch expr.kind {
        case .identifier(let name):
            return lookupLocal(name) == nil && declaredInputs[name] != nil ? name : nil
        case .member(let object, let name, _):
            return inputPath(object).map { "\($0).\(name)" }
        case .parenthesized(let inner):
            return inputPath(inner)
        default:
            return nil
        }
    }

    mutating func checkMember(_ expr: Expr, _ object: Expr, _ name: String, _ nameRange: SourceRange,
                              isCallee: Bool) -> StaticType {
        if Checker.forbiddenMembers.contains(name) {
            _ = checkExpr(object)
            sink.add(.forbidden, "member", "`\(name)` is not allowed in formulas", at: nameRange,
                     hint: "records are plain read-only data")
            return .error
        }
        let objectType = checkExpr(object)
        switch objectType {
        case .error:
            return .error
        case .math:
            return checkMathMember(name, nameRange, isCallee: isCallee, expr)
        case .record(let fields):
            guard let field = fields[name] else {
                let suggestion = Suggestion.closest(to: name, among: fields.keys)
                sink.add(.name, "unknown-field", "`\(text(object.range))` has no field `\(name)`", at: nameRange,
                         hint: suggestion.map { "did you mean `\($0)`?" }
                            ?? "its fields are \(fields.keys.sorted().map { "`\($0)`" }.joined(separator: ", "))")
                return .error
            }
            if case .record(let inner) = field { return .record(inner) }
            if let path = inputPath(object) {
                resolutions[expr.id] = .input(inputSlot(path: "\(path).\(name)", type: field))
            }
            return StaticType(field)
        case .any:
            if let path = inputPath(object), resolutions[object.id] == nil {
                resolutions[object.id] = .input(inputSlot(path: path, type: .any))
            }
            resolutions[expr.id] = .dynamicMember
            return .any
        default:
            typeError("no-fields", "`\(text(object.range))` is \(objectType.withArticle); it has no field `\(name)`",
                      at: nameRange)
            return .error
        }
    }

    mutating func checkMathMember(_ name: String, _ range: SourceRange, isCallee: Bool, _ expr: Expr) -> StaticType {
        if let value = MathFunction.constants[name] {
            resolutions[expr.id] = .constant(value)
            return .number
        }
        if MathFunction(rawValue: name) != nil {
            if !isCallee {
                typeError("uncalled-function", "`Math.\(name)` must be called", at: range, hint: "write `Math.\(name)(…)`")
                return .error
            }
            return .number
        }
        if name == "random" {
            sink.add(.forbidden, "nondeterministic", "`Math.random` is not allowed: formulas must be deterministic",
                     at: range, hint: "pass randomness in as a binding (e.g. a Monte Carlo draw)")
            return .error
        }
        if MathFunction.unavailable.contains(name) {
            sink.add(.name, "unavailable-math", "`Math.\(name)` is not available in formulas", at: range,
                     hint: "available: " + MathFunction.allCases.map { "Math.\($0.rawValue)" }.joined(separator: ", "))
            return .error
        }
        let suggestion = Suggestion.closest(to: name, among: MathFunction.allCases.map(\.rawValue) + MathFunction.constants.keys)
        sink.add(.name, "unknown-math", "`Math` has no member `\(name)`", at: range,
                 hint: suggestion.map { "did you mean `Math.\($0)`?" })
        return .error
    }

    mutating func checkCall(_ expr: Expr, _ callee: Expr, _ arguments: [Expr]) -> (StaticType, Int) {
        let calleeType = checkExpr(callee, isCallee: true)
        var cost = 1
        var argumentTypes: [StaticType] = []
        for argument in arguments {
            argumentTypes.append(checkExpr(argument))
            cost += costs[argument.id]
        }
        guard case .member(let object, let name, let nameRange) = stripParentheses(callee).kind,
              case .math = types[object.id] else {
            if calleeType != .error {
                sink.add(.forbidden, "call", "only `Math` functions can be called in formulas", at: callee.range,
                         hint: "available: " + MathFunction.allCases.map { "Math.\($0.rawValue)" }.joined(separator: ", "))
            }
            return (.error, cost)
        }
        guard let function = MathFunction(rawValue: name), calleeType != .error else { return (.error, cost) }
        if !function.arity.contains(arguments.count) {
            let expected = function.arity.upperBound == Int.max ? "at least \(function.arity.lowerBound) argument"
                : function.arity.lowerBound == 1 ? "1 argument" : "\(function.arity.lowerBound) arguments"
            typeError("arity", "`Math.\(name)` takes \(expected), but \(arguments.count) \(arguments.count == 1 ? "was" : "were") given",
                      at: arguments.isEmpty ? nameRange : expr.range,
                      hint: function == .max || function == .min ? "`Math.\(name)()` with no arguments is ±Infinity in JavaScript" : nil)
            return (.error, cost)
        }
        var ok = true
        for (argument, type) in zip(arguments, argumentTypes) {
            ok = require(type, .number, argument, role: "an argument of `Math.\(name)`") && ok
        }
        return (ok ? .number : .error, cost)
    }

    func stripParentheses(_ expr: Expr) -> Expr {
        if case .parenthesized(let inner) = expr.kind { return stripParentheses(inner) }
        return expr
    }

    mutating func checkBinary(_ op: BinaryOperator, _ left: Expr, _ leftType: StaticType, _ right: Expr,
                              _ rightType: StaticType, _ expr: Expr) -> StaticType {
        if leftType == .error || rightType == .error { return .error }
        switch op {
        case .add:
            if leftType == .string || rightType == .string {
                if leftType.fits(.string) && rightType.fits(.string) { return .string }
                typeError("string-coercion", "cannot add \(leftType.withArticle) and \(rightType.withArticle)",
                          at: expr.range, hint: "JavaScript would silently turn the number into text (`'5' + 2` is `'52'`); formulas do not convert types")
                return .error
            }
            // Two values of unknown type: numbers add, strings join, anything else fails when run.
            if leftType == .any && rightType == .any { return .any }
            fallthrough
        case .subtract, .multiply, .divide, .remainder, .power:
            let hint = leftType == .null || rightType == .null ? "JavaScript treats null as 0 here; formulas do not"
                : leftType == .boolean || rightType == .boolean ? "JavaScript treats booleans as 0 and 1 here; formulas do not" : nil
            let a = require(leftType, .number, left, role: "the left operand of `\(op.rawValue)`", hint: hint)
            let b = require(rightType, .number, right, role: "the right operand of `\(op.rawValue)`", hint: hint)
            return a && b ? .number : .error
        case .less, .lessEqual, .greater, .greaterEqual:
            if leftType == .string && rightType == .string {
                typeError("string-order", "strings can only be compared with `===` and `!==`", at: expr.range)
                return .error
            }
            let a = require(leftType, .number, left, role: "the left operand of `\(op.rawValue)`")
            let b = require(rightType, .number, right, role: "the right operand of `\(op.rawValue)`")
            return a && b ? .boolean : .error
        case .strictEqual, .strictNotEqual, .looseEqual, .looseNotEqual:
            for (type, e) in [(leftType, left), (rightType, right)] where !type.isScalar && type != .any {
                typeError("record-value", "`\(op.rawValue)` cannot compare \(type.withArticle)", at: e.range,
                          hint: "compare one of its fields")
                return .error
            }
            if leftType != rightType && leftType != .any && rightType != .any {
                let always = op == .strictEqual || op == .looseEqual ? "false" : "true"
                typeError("comparison-types", "`\(op.rawValue)` compares \(leftType.withArticle) with \(rightType.withArticle)",
                          at: expr.range,
                          hint: op.rawValue.count == 3 ? "the result would always be \(always)"
                              : "JavaScript's `\(op.rawValue)` would convert one side; formulas do not")
                return .error
            }
            return .boolean
        case .and, .or:
            let hint = "JavaScript's `\(op.rawValue)` returns one of its operands (`1 && 2` is 2); formulas use it on booleans only"
            let a = require(leftType, .boolean, left, role: "the left operand of `\(op.rawValue)`", hint: hint)
            let b = require(rightType, .boolean, right, role: "the right operand of `\(op.rawValue)`", hint: hint)
            return a && b ? .boolean : .error
        default:
            return .error  // rejected by the parser
        }
    }
}
