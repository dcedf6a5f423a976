/// Strings in the register program: literals, string inputs and locals, `+` of strings and `?:`
/// between strings, in value registers; a part of unknown type (a dynamic member read, a value
/// of type `any`) is computed as a value (`Emitter+Values`) and checked to be a string.
extension Emitter {
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

    /// Compiles a string expression; returns the value register holding it.
    mutating func stringRegister(_ expr: Expr) -> Int {
        let r = untracedStringRegister(expr)
        if isTraced && isTraceable(expr) { emit(.traceValue, 0, r, traceNode(expr.range)) }
        return r
    }

    mutating func untracedStringRegister(_ expr: Expr) -> Int {
        if type(expr) == .any {
            let r = untracedValueRegister(expr)
            emit(.checkString, 0, r, site: compiler.site(expr))
            return r
        }
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
        fail("this expression as a string", at: expr.range)
        return newValueRegister()
    }
}
