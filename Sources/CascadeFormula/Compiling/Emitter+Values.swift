/// Values of every other type in the register program: `null`, values of unknown type (`any`),
/// dynamic member reads of the records they hold, dynamic `+`, and `===`/`==` between values.
/// A number or boolean needed as a value is boxed (`boxNumber`, `boxBoolean`); a value needed as
/// a number or boolean is unboxed, which checks its type where the expression is.
extension Emitter {
    /// The value register holding a constant `null` or number (one each per program and value).
    mutating func valueRegister(of value: Value) -> Int {
        if case .string(let s) = value { return valueRegister(of: s) }
        if value == .null, let k = nullRegister { return k }
        let k = newValueRegister()
        valueConstants.append((k, value))
        if value == .null { nullRegister = k }
        return k
    }

    /// Compiles any expression to the value register holding its value.
    mutating func valueRegister(_ expr: Expr) -> Int {
        let r = untracedValueRegister(expr)
        // Numbers, booleans and strings are traced as what they are, where they are computed.
        if isTraced && isTraceable(expr) && ![.number, .boolean, .string].contains(type(expr)) {
            emit(.traceValue, 0, r, traceNode(expr.range))
        }
        return r
    }

    mutating func untracedValueRegister(_ expr: Expr) -> Int {
        switch type(expr) {
        case .number:
            switch numberOperand(expr) {
            case .constant(let c): return valueRegister(of: .number(c))
            case .register(let k):
                let d = newValueRegister()
                emit(.boxNumber, d, k)
                return d
            }
        case .boolean:
            let k = isTraced ? booleanRegister(expr) : boolean(expr, into: nil)
            let d = newValueRegister()
            emit(.boxBoolean, d, k)
            return d
        case .string:
            return stringRegister(expr)
        default:
            break
        }
        switch expr.kind {
        case .null:
            return valueRegister(of: .null)
        case .parenthesized(let inner):
            return valueRegister(inner)
        case .identifier, .member:
            if case .value(let k)? = compiler.storage(of: expr) { return k }
            if case .dynamicMember = checked.resolutions[expr.id], case .member(let object, let name, _) = expr.kind {
                let record = valueRegister(object)
                strings.append(name)
                let d = newValueRegister()
                emit(.member, d, record, strings.count - 1, site: compiler.site(expr))
                return d
            }
        case .conditional(let test, let a, let b):
            let d = newValueRegister()
            let toElse = condition(test)
            emit(.moveValue, d, valueRegister(a))
            let toEnd = jump()
            land(toElse)
            emit(.moveValue, d, valueRegister(b))
            land(toEnd)
            return d
        case .binary(.add, let left, let right):
            let a = valueRegister(left), b = valueRegister(right)
            let d = newValueRegister()
            emit(.dynamicAdd, d, a, b, site: compiler.site(expr, [left, right]))
            return d
        default:
            break
        }
        fail("this expression as a value", at: expr.range)
        return newValueRegister()
    }

    /// A value of unknown type as a boolean (1 or 0) in a new number register, checked.
    mutating func unboxedBoolean(_ expr: Expr) -> Int {
        register(unboxed(.unboxBoolean, untracedValueRegister(expr), expr, into: nil))
    }

    /// 1 in a new register when the two sides of `===`/`==`/`!==`/`!=` (any types but two
    /// numbers) are equal, else 0; the caller applies the operator's negation. A trace shows
    /// the comparison, not its two sides (their parts are traced as usual).
    mutating func equality(_ op: BinaryOperator, _ left: Expr, _ right: Expr, _ expr: Expr) -> Int {
        let site = compiler.site(expr, [left, right])
        switch (type(left), type(right)) {
        case (.boolean, .boolean):
            let a = isTraced ? untracedBooleanRegister(left) : boolean(left, into: nil)
            let b = isTraced ? untracedBooleanRegister(right) : boolean(right, into: nil)
            return flag(.selectEqual, a, b)
        case (.string, .string):
            let a = untracedStringRegister(left), b = untracedStringRegister(right)
            let d = newRegister()
            emit(.equalStrings, d, a, b, site: site)
            return d
        default:
            let a = untracedValueRegister(left), b = untracedValueRegister(right)
            let d = newRegister()
            emit(op == .looseEqual || op == .looseNotEqual ? .looseEqualValues : .strictEqualValues, d, a, b, site: site)
            return d
        }
    }
}
