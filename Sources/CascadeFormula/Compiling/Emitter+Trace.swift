/// The traced program (`CompiledFormula.explain`): the same operations in the same order as the
/// fast program, each subexpression's value recorded by a trace instruction after it. Conditions
/// are computed into a register (a branch-free select of 1 or 0, `&&`/`||` still short-circuiting)
/// so that their value can be recorded before the branch reads it.
extension Emitter {
    /// A new trace node for `range`: the `b` operand of a trace instruction.
    mutating func traceNode(_ range: SourceRange, isCondition: Bool = false) -> Int {
        traceNodes.append(TraceNode(range: range, isCondition: isCondition))
        return traceNodes.count - 1
    }

    /// Whether a trace shows this node: not literals (their value is their text) nor parentheses
    /// (the expression inside is shown).
    func isTraceable(_ expr: Expr) -> Bool {
        switch expr.kind {
        case .number, .string, .boolean, .null, .parenthesized, .invalid: false
        case .unary(_, let operand):
            if case .number = compiler.stripParentheses(operand).kind { false } else { true }
        default: true
        }
    }

    /// The condition of an `if` or `?:`: the returned jumps are taken when it is false.
    mutating func condition(_ test: Expr) -> [Int] {
        guard isTraced else { return branch(test, when: false) }
        return jump(.jumpIfFalse, booleanRegister(compiler.stripParentheses(test), isCondition: true))
    }

    /// Records a local's value after an assignment (`range` is `name op value`).
    mutating func traceLocal(_ storage: SlotStorage, _ range: SourceRange) {
        switch storage {
        case .number(let k): emit(.traceNumber, 0, k, traceNode(range))
        case .boolean(let k): emit(.traceBoolean, 0, k, traceNode(range))
        case .value(let k): emit(.traceValue, 0, k, traceNode(range))
        }
    }

    /// A boolean computed into a register (0 or 1) and recorded.
    mutating func booleanRegister(_ expr: Expr, isCondition: Bool = false) -> Int {
        let r = untracedBooleanRegister(expr)
        if isTraceable(expr) { emit(.traceBoolean, 0, r, traceNode(expr.range, isCondition: isCondition)) }
        return r
    }

    mutating func untracedBooleanRegister(_ expr: Expr) -> Int {
        if type(expr) == .any { return unboxedBoolean(expr) }
        switch expr.kind {
        case .boolean(let b):
            return register(of: b ? 1 : 0)
        case .parenthesized(let inner):
            return booleanRegister(inner)
        case .identifier, .member:
            switch compiler.storage(of: expr) {
            case .boolean(let k)?: return k
            case .value(let k)?: return register(unboxed(.unboxBoolean, k, expr, into: nil))
            default:
                fail("a boolean name without a register", at: expr.range)
                return newRegister()
            }
        case .unary(.not, let operand):
            let r = booleanRegister(operand)
            return flag(.selectEqual, r, register(of: 0))
        case .binary(let op, let left, let right) where op == .and || op == .or:
            let d = newRegister()
            let l = booleanRegister(left)
            emit(.move, d, l)
            let skip = jump(op == .and ? .jumpIfFalse : .jumpIfTrue, d)
            let r = booleanRegister(right)
            emit(.move, d, r)
            land(skip)
            return d
        case .binary(let op, let left, let right) where op.isRelational:
            let a = register(numberOperand(left)), b = register(numberOperand(right))
            switch op {
            case .less: return flag(.selectLess, a, b)
            case .lessEqual: return flag(.selectLessEqual, a, b)
            case .greater: return flag(.selectLess, b, a)
            default: return flag(.selectLessEqual, b, a)
            }
        case .binary(let op, let left, let right) where op.isEquality && type(left) == .number && type(right) == .number:
            let a = register(numberOperand(left)), b = register(numberOperand(right))
            return flag(.selectEqual, a, b, isNegated: op == .strictNotEqual || op == .looseNotEqual)
        case .binary(let op, let left, let right) where op.isEquality:
            let isEqual = equality(op, left, right, expr)
            return op == .strictNotEqual || op == .looseNotEqual ? flag(.selectEqual, isEqual, register(of: 0)) : isEqual
        case .conditional(let test, let a, let b):
            let d = newRegister()
            let toElse = condition(test)
            let x = booleanRegister(a)
            emit(.move, d, x)
            let toEnd = jump()
            land(toElse)
            let y = booleanRegister(b)
            emit(.move, d, y)
            land(toEnd)
            return d
        default:
            fail("this expression as a condition", at: expr.range)
            return newRegister()
        }
    }

    /// 1 or 0 in a new register: whether `n[a] op n[b]` holds (or does not, when negated).
    mutating func flag(_ op: Opcode, _ a: Int, _ b: Int, isNegated: Bool = false) -> Int {
        let one = register(of: 1), zero = register(of: 0)
        let d = newRegister()
        emit(op, d, a, b)
        emit(.data, isNegated ? zero : one, isNegated ? one : zero)
        return d
    }
}
