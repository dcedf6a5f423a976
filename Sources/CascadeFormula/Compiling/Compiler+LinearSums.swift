/// Fused sums: which `+`/`-` chains the emitter computes as one `linear` instruction.
extension Compiler {
    /// One term of a fused sum: a constant, a register, or a constant times a register, with
    /// the operations it stands for (to find the one that failed; see `Program.checkedSum`).
    struct LinearTerm: Sendable {
        enum Kind: Sendable { case constant, register, product }
        var kind: Kind
        var constant: Double
        var register: Int
        var constantFirst: Bool
        var isSubtracted: Bool
        /// The `+`/`-` node that adds this term (unused for the first), and the `*` node of a product.
        var sumSite: ErrorSite?
        var productSite: ErrorSite?
    }

    /// The terms of a left-deep chain `t₀ ± t₁ ± … ± tₙ` (four or more terms) of constants,
    /// registers and constant × register products, first term first; the `linear` instruction
    /// performs the same operations in the same order — so gives the same doubles — as the tree.
    func linearTerms(_ expr: Expr) -> [LinearTerm]? {
        var terms: [LinearTerm] = []
        var node = expr
        var pending: [(Expr, BinaryOperator, Expr, Expr)] = []  // (sum node, operator, left, right), top first
        while case .binary(let op, let left, let right) = node.kind, op == .add || op == .subtract,
              type(node) == .number {
            pending.append((node, op, left, right))
            node = stripParentheses(left)
        }
        guard pending.count >= 3, var first = linearTerm(node) else { return nil }
        first.isSubtracted = false
        terms.append(first)
        for (sum, op, left, right) in pending.reversed() {
            guard var term = linearTerm(right) else { return nil }
            term.isSubtracted = op == .subtract
            term.sumSite = site(sum, [left, right])
            terms.append(term)
        }
        return terms
    }

    func linearTerm(_ expr: Expr) -> LinearTerm? {
        let e = stripParentheses(expr)
        guard type(e) == .number else { return nil }
        switch numberLeaf(e) {
        case .constant(let c)?: return LinearTerm(kind: .constant, constant: c, register: 0, constantFirst: true, isSubtracted: false)
        case .register(let k)?: return LinearTerm(kind: .register, constant: 0, register: k, constantFirst: true, isSubtracted: false)
        default: break
        }
        guard case .binary(.multiply, let a, let b) = e.kind else { return nil }
        switch (numberLeaf(stripParentheses(a)), numberLeaf(stripParentheses(b))) {
        case (.constant(let c)?, .register(let k)?):
            return LinearTerm(kind: .product, constant: c, register: k, constantFirst: true, isSubtracted: false,
                              productSite: site(e, [a, b]))
        case (.register(let k)?, .constant(let c)?):
            return LinearTerm(kind: .product, constant: c, register: k, constantFirst: false, isSubtracted: false,
                              productSite: site(e, [a, b]))
        default:
            return nil
        }
    }

    /// A constant or number register operand, without compiling anything.
    func numberLeaf(_ e: Expr) -> Emitter.Operand? {
        switch e.kind {
        case .number(let x): return .constant(x)
        case .unary(.negate, let inner):
            if case .number(let x) = stripParentheses(inner).kind { return .constant(-x) }
            return nil
        case .identifier, .member:
            if case .constant(let c) = checked.resolutions[e.id] { return .constant(c) }
            if type(e) == .number, case .number(let k)? = storage(of: e) { return .register(k) }
            return nil
        default:
            return nil
        }
    }

    func stripParentheses(_ expr: Expr) -> Expr {
        if case .parenthesized(let inner) = expr.kind { return stripParentheses(inner) }
        return expr
    }
}
