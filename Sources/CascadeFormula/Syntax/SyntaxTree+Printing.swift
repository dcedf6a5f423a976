extension Expr {
    /// The expression as an S-expression, with every operator's grouping explicit:
    /// `(* (- gdpGrowth baseline) elasticity)`.
    package var sExpression: String {
        switch kind {
        case .number(let x): JSNumber.format(x == 0 && x.sign == .minus ? 0 : x) + (x == 0 && x.sign == .minus ? "(-0)" : "")
        case .string(let s): JSNumber.quoted(s)
        case .boolean(let b): b ? "true" : "false"
        case .null: "null"
        case .identifier(let name): name
        case .member(let object, let name, _): "(. \(object.sExpression) \(name))"
        case .unary(let op, let operand): "(\(op.rawValue) \(operand.sExpression))"
        case .binary(let op, let a, let b): "(\(op.rawValue) \(a.sExpression) \(b.sExpression))"
        case .conditional(let a, let b, let c): "(?: \(a.sExpression) \(b.sExpression) \(c.sExpression))"
        case .call(let callee, let arguments): "(call \(([callee] + arguments).map(\.sExpression).joined(separator: " ")))"
        case .parenthesized(let inner): inner.sExpression
        case .invalid: "<invalid>"
        }
    }
}

extension Stmt {
    /// The statement as an S-expression.
    package var sExpression: String {
        switch kind {
        case .declaration(let isConstant, let name, _, let initializer):
            "(\(isConstant ? "const" : "let") \(name) \(initializer.sExpression))"
        case .assignment(let name, _, let op, let value): "(\(op.rawValue) \(name) \(value.sExpression))"
        case .ifElse(let condition, let then, let otherwise):
            "(if \(condition.sExpression) \(then.sExpression)\(otherwise.map { " " + $0.sExpression } ?? ""))"
        case .block(let statements): "(block" + statements.map { " " + $0.sExpression }.joined() + ")"
        case .returnValue(let value): value.map { "(return \($0.sExpression))" } ?? "(return)"
        case .expression(let expr): expr.sExpression
        case .empty: "(empty)"
        case .invalid: "<invalid>"
        }
    }
}

extension SyntaxTree {
    /// The whole tree as S-expressions (the REPL's `:ast`).
    package var sExpression: String {
        switch form {
        case .expression(let expr): expr.sExpression
        case .body(let statements): "(body" + statements.map { " " + $0.sExpression }.joined() + ")"
        }
    }
}
