/// Strings in the register program: literals, string inputs and locals, `+` of strings and `?:`
/// between strings, in value registers. A string expression with a part of unknown type (a
/// dynamic member read, a value of type `any`) is still run by the closures `Compiler` builds.
extension Emitter {
    /// Whether `expr` is a string made only of literals, string registers, `+` and `?:` (nothing
    /// is emitted; `stringRegister` then compiles it).
    func isPureString(_ expr: Expr) -> Bool {
        guard type(expr) == .string else { return false }
        switch expr.kind {
        case .string: return true
        case .parenthesized(let inner): return isPureString(inner)
        case .identifier, .member:
            if case .value? = compiler.storage(of: expr) { return true }
            return false
        case .binary(.add, let left, let right): return isPureString(left) && isPureString(right)
        case .conditional(_, let a, let b): return isPureString(a) && isPureString(b)
        default: return false
        }
    }

    mutating func newValueRegister() -> Int {
        valueRegisterCount += 1
        return valueRegisterCount - 1
    }

    /// The value register holding a string constant (one per distinct code-unit sequence).
    mutating func valueRegister(of string: String) -> Int {
        let bytes = Array(string.utf8)
        if let k = stringConstantRegisters[bytes] { return k }
        let k = newValueRegister()
        valueConstants.append((k, .string(string)))
        stringConstantRegisters[bytes] = k
        return k
    }

    /// Compiles a pure string expression (`isPureString`); returns the value register holding it.
    mutating func stringRegister(_ expr: Expr) -> Int {
        let r = untracedStringRegister(expr)
        if isTraced && isTraceable(expr) { emit(.traceValue, 0, r, traceNode(expr.range)) }
        return r
    }

    mutating func untracedStringRegister(_ expr: Expr) -> Int {
        switch expr.kind {
        case .string(let s):
            return valueRegister(of: s)
        case .parenthesized(let inner):
            return stringRegister(inner)
        case .identifier, .member:
            if case .value(let k)? = compiler.storage(of: expr) { return k }
        case .binary(.add, let left, let right):
            let a = stringRegister(left), b = stringRegister(right)
            let d = newValueRegister()
            emit(.concatenate, d, a, b, site: compiler.site(expr, [left, right]))
            return d
        case .conditional(let test, let a, let b):
            let d = newValueRegister()
            let toElse = condition(test)
            let x = stringRegister(a)
            emit(.moveValue, d, x)
            let toEnd = jump()
            land(toElse)
            let y = stringRegister(b)
            emit(.moveValue, d, y)
            land(toEnd)
            return d
        default:
            break
        }
        failStatement("this expression as a string", at: expr.range)
        return valueRegister(of: "")
    }
}
