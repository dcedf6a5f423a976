extension Compiler {
    // MARK: - Numbers

    func number(_ expr: Expr) -> NumberCode { numberOperand(expr).code }

    func numberOperand(_ expr: Expr) -> NumberOperand {
        if type(expr) == .any { return .code(unwrapNumber(value(expr), site(expr))) }
        switch expr.kind {
        case .number(let x):
            return .constant(x)
        case .parenthesized(let inner):
            return numberOperand(inner)
        case .identifier, .member:
            if case .constant(let c) = checked.resolutions[expr.id] { return .constant(c) }
            if case .number(let k)? = storage(of: expr) { return .register(k) }
            if case .value(let k)? = storage(of: expr) {
                return .code(unwrapNumber({ f in f.values[k] }, site(expr)))
            }
            return .code(failing("a number name without a register", at: expr.range))
        case .unary(.negate, let operand):
            switch numberOperand(operand) {
            case .constant(let c): return .constant(-c)
            case .register(let k): return .code { f in -f.numbers[k] }
            case .code(let c): return .code { f throws in -(try c(f)) }
            }
        case .unary(_, let operand):
            return numberOperand(operand)
        case .binary(let op, let left, let right):
            if op == .add || op == .subtract, let fused = linearChain(expr) { return fused }
            return arithmetic(op, numberOperand(left), numberOperand(right), site(expr, [left, right]))
        case .conditional(let test, let a, let b):
            let t = boolean(test), x = number(a), y = number(b)
            return .code { f throws in try t(f) ? try x(f) : try y(f) }
        case .call(let callee, let arguments):
            return mathCall(callee, arguments, expr)
        default:
            return .code(failing("this expression as a number", at: expr.range))
        }
    }

    /// One term of a fused sum: a constant, a register, or a constant times a register.
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

    /// A left-deep chain `t₀ ± t₁ ± … ± tₙ` (four or more terms) of constants, registers and
    /// constant × register products, compiled to one closure that performs the same operations in
    /// the same order — so the same doubles — as the tree would, with every check in place.
    func linearChain(_ expr: Expr) -> NumberOperand? {
        guard let terms = linearTerms(expr) else { return nil }
        return .code(checkedSum(terms))
    }

    /// The terms of a fusable chain (see `linearChain`), first term first.
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

    /// A fused sum with every operation checked, reporting the first that fails.
    func checkedSum(_ terms: [LinearTerm]) -> NumberCode {
        // The hot loop reads plain values only; the error sites are looked up on failure.
        let sites = terms
        let compact = terms.map { CompactTerm(kind: $0.kind, constant: $0.constant, register: $0.register,
                                              isSubtracted: $0.isSubtracted) }
        let count = compact.count
        return { f throws in
            var total = try Compiler.termValue(compact[0], f, sites[0])
            var k = 1
            while k < count {
                let t = compact[k]
                let v = try Compiler.termValue(t, f, sites[k])
                let r = t.isSubtracted ? total - v : total + v
                if !r.isFinite { throw sites[k].sumSite!.nonFinite(r, [total, v]) }
                total = r
                k += 1
            }
            return total
        }
    }

    /// A fused sum's term without its error sites.
    struct CompactTerm: Sendable {
        var kind: LinearTerm.Kind
        var constant: Double
        var register: Int
        var isSubtracted: Bool
    }

    @inline(__always)
    static func termValue(_ t: CompactTerm, _ f: Frame, _ site: @autoclosure () -> LinearTerm) throws(FormulaError) -> Double {
        switch t.kind {
        case .constant: return t.constant
        case .register: return f.numbers[t.register]
        case .product:
            let x = f.numbers[t.register]
            let r = t.constant * x
            if r.isFinite { return r }
            let term = site()
            throw term.productSite!.nonFinite(r, term.constantFirst ? [t.constant, x] : [x, t.constant])
        }
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

    /// A constant or register operand, without compiling anything.
    func numberLeaf(_ e: Expr) -> NumberOperand? {
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

    func unwrapNumber(_ code: @escaping ValueCode, _ site: ErrorSite) -> NumberCode {
        { f throws in
            let v = try code(f)
            if case .number(let x) = v { return x }
            throw site.typeMismatch(expected: "a number", found: v)
        }
    }

    func arithmetic(_ op: BinaryOperator, _ a: NumberOperand, _ b: NumberOperand, _ site: ErrorSite) -> NumberOperand {
        // x ** 2: fdlibm's pow (V8's) returns x * x for y == 2 and any finite x; skip the call.
        if op == .power, case .constant(2) = b, !{ if case .constant = a { true } else { false } }() {
            let x = a.code
            return .code { f throws in
                let v = try x(f)
                let r = v * v
                if r.isFinite { return r }
                throw site.nonFinite(r, [v, 2])
            }
        }
        switch op {
        case .add: return Compiler.combine(AddOperation.self, a, b, site)
        case .subtract: return Compiler.combine(SubtractOperation.self, a, b, site)
        case .multiply: return Compiler.combine(MultiplyOperation.self, a, b, site)
        case .divide: return Compiler.combine(DivideOperation.self, a, b, site)
        case .remainder: return Compiler.combine(RemainderOperation.self, a, b, site)
        default: return Compiler.combine(PowerOperation.self, a, b, site)
        }
    }

    /// One closure per operation, specialised for constant and register operands; constants fold
    /// unless folding would fail (then the error stays where it belongs, at run time).
    static func combine<Op: NumericOperation>(_: Op.Type, _ a: NumberOperand, _ b: NumberOperand,
                                              _ site: ErrorSite) -> NumberOperand {
        switch (a, b) {
        case let (.constant(x), .constant(y)):
            if let r = try? Op.apply(x, y, site) { return .constant(r) }
            return .code { _ throws in try Op.apply(x, y, site) }
        case let (.register(i), .register(j)):
            return .code { f throws in try Op.apply(f.numbers[i], f.numbers[j], site) }
        case let (.register(i), .constant(y)):
            return .code { f throws in try Op.apply(f.numbers[i], y, site) }
        case let (.constant(x), .register(j)):
            return .code { f throws in try Op.apply(x, f.numbers[j], site) }
        case let (.code(p), .constant(y)):
            return .code { f throws in try Op.apply(try p(f), y, site) }
        case let (.constant(x), .code(q)):
            return .code { f throws in try Op.apply(x, try q(f), site) }
        case let (.code(p), .register(j)):
            return .code { f throws in try Op.apply(try p(f), f.numbers[j], site) }
        case let (.register(i), .code(q)):
            return .code { f throws in try Op.apply(f.numbers[i], try q(f), site) }
        case let (.code(p), .code(q)):
            return .code { f throws in
                let x = try p(f)
                return try Op.apply(x, try q(f), site)
            }
        }
    }

    func mathCall(_ callee: Expr, _ arguments: [Expr], _ expr: Expr) -> NumberOperand {
        guard case .member(_, let name, _) = stripParentheses(callee).kind,
              let function = MathFunction(rawValue: name) else {
            return .code(failing("a call of something other than a Math function", at: expr.range))
        }
        let site = site(expr, arguments)
        let operands = arguments.map(numberOperand)
        switch function {
        case .pow: return arithmetic(.power, operands[0], operands[1], site)
        case .max: return Compiler.fold(MaxOperation.self, operands, site)
        case .min: return Compiler.fold(MinOperation.self, operands, site)
        case .abs: return Compiler.unary(AbsOperation.self, operands[0], site)
        case .sqrt: return Compiler.unary(SqrtOperation.self, operands[0], site)
        case .exp: return Compiler.unary(ExpOperation.self, operands[0], site)
        case .log: return Compiler.unary(LogOperation.self, operands[0], site)
        case .log10: return Compiler.unary(Log10Operation.self, operands[0], site)
        case .log2: return Compiler.unary(Log2Operation.self, operands[0], site)
        case .floor: return Compiler.unary(FloorOperation.self, operands[0], site)
        case .ceil: return Compiler.unary(CeilOperation.self, operands[0], site)
        case .round: return Compiler.unary(RoundOperation.self, operands[0], site)
        case .sign: return Compiler.unary(SignOperation.self, operands[0], site)
        case .trunc: return Compiler.unary(TruncOperation.self, operands[0], site)
        }
    }

    func stripParentheses(_ expr: Expr) -> Expr {
        if case .parenthesized(let inner) = expr.kind { return stripParentheses(inner) }
        return expr
    }

    /// `Math.max`/`Math.min` over any number of arguments, evaluated left to right.
    static func fold<Op: NumericOperation>(_: Op.Type, _ operands: [NumberOperand], _ site: ErrorSite) -> NumberOperand {
        var result = operands[0]
        if case .constant = result {} else if operands.count == 1 {
            return result
        }
        for operand in operands.dropFirst() { result = combine(Op.self, result, operand, site) }
        return result
    }

    static func unary<Op: MathOperation>(_: Op.Type, _ operand: NumberOperand, _ site: ErrorSite) -> NumberOperand {
        if case .constant(let x) = operand {
            let r = Op.apply(x)
            if r.isFinite { return .constant(r) }
        }
        if !Op.canFail {
            switch operand {
            case .register(let k): return .code { f in Op.apply(f.numbers[k]) }
            default:
                let c = operand.code
                return .code { f throws in Op.apply(try c(f)) }
            }
        }
        let c = operand.code
        return .code { f throws in
            let x = try c(f)
            let r = Op.apply(x)
            if r.isFinite { return r }
            throw site.nonFinite(r, [x])
        }
    }

    // MARK: - Booleans

    func boolean(_ expr: Expr) -> BoolCode {
        if type(expr) == .any { return unwrapBoolean(value(expr), site(expr)) }
        switch expr.kind {
        case .boolean(let b):
            return { _ in b }
        case .parenthesized(let inner):
            return boolean(inner)
        case .identifier, .member:
            if case .boolean(let k)? = storage(of: expr) { return { f in f.numbers[k] != 0 } }
            if case .value(let k)? = storage(of: expr) { return unwrapBoolean({ f in f.values[k] }, site(expr)) }
            return failing("a boolean name without a register", at: expr.range)
        case .unary(_, let operand):
            let a = boolean(operand)
            return { f throws in !(try a(f)) }
        case .binary(.and, let left, let right):
            let a = boolean(left), b = boolean(right)
            return { f throws in try a(f) ? try b(f) : false }
        case .binary(.or, let left, let right):
            let a = boolean(left), b = boolean(right)
            return { f throws in try a(f) ? true : try b(f) }
        case .binary(let op, let left, let right) where op.isRelational:
            let a = numberOperand(left), b = numberOperand(right)
            switch op {
            case .less: return Compiler.compare(LessOperation.self, a, b)
            case .lessEqual: return Compiler.compare(LessEqualOperation.self, a, b)
            case .greater: return Compiler.compare(GreaterOperation.self, a, b)
            default: return Compiler.compare(GreaterEqualOperation.self, a, b)
            }
        case .binary(let op, let left, let right) where op.isEquality:
            return equality(op, left, right, expr)
        case .conditional(let test, let a, let b):
            let t = boolean(test), x = boolean(a), y = boolean(b)
            return { f throws in try t(f) ? try x(f) : try y(f) }
        default:
            return failing("this expression as a boolean", at: expr.range)
        }
    }

    func unwrapBoolean(_ code: @escaping ValueCode, _ site: ErrorSite) -> BoolCode {
        { f throws in
            let v = try code(f)
            if case .boolean(let b) = v { return b }
            throw site.typeMismatch(expected: "a boolean", found: v)
        }
    }

    static func compare<Op: ComparisonOperation>(_: Op.Type, _ a: NumberOperand, _ b: NumberOperand) -> BoolCode {
        switch (a, b) {
        case let (.register(i), .constant(y)): return { f in Op.apply(f.numbers[i], y) }
        case let (.constant(x), .register(j)): return { f in Op.apply(x, f.numbers[j]) }
        case let (.register(i), .register(j)): return { f in Op.apply(f.numbers[i], f.numbers[j]) }
        case let (.code(p), .constant(y)): return { f throws in Op.apply(try p(f), y) }
        default:
            let p = a.code, q = b.code
            return { f throws in
                let x = try p(f)
                return Op.apply(x, try q(f))
            }
        }
    }

    func equality(_ op: BinaryOperator, _ left: Expr, _ right: Expr, _ expr: Expr) -> BoolCode {
        let isEqual = op == .strictEqual || op == .looseEqual
        let leftType = type(left), rightType = type(right)
        if leftType == .number && rightType == .number {
            let a = numberOperand(left), b = numberOperand(right)
            return isEqual ? Compiler.compare(EqualOperation.self, a, b) : Compiler.compare(NotEqualOperation.self, a, b)
        }
        if leftType == .boolean && rightType == .boolean {
            let a = boolean(left), b = boolean(right)
            return { f throws in
                let x = try a(f)
                return (x == (try b(f))) == isEqual
            }
        }
        if leftType == .string && rightType == .string {
            if case .string(let constant) = stripParentheses(right).kind {
                let a = string(left)
                return { f throws in jsStringEquals(try a(f), constant) == isEqual }
            }
            let a = string(left), b = string(right)
            return { f throws in
                let x = try a(f)
                return jsStringEquals(x, try b(f)) == isEqual
            }
        }
        // null === null, or a value of unknown type on either side: compare at run time.
        let a = value(left), b = value(right)
        let isLoose = op == .looseEqual || op == .looseNotEqual
        let site = site(expr, [left, right])
        return { f throws in
            let x = try a(f)
            let y = try b(f)
            if case .record = x { throw site.typeMismatch(expected: "a scalar", found: x) }
            if case .record = y { throw site.typeMismatch(expected: "a scalar", found: y) }
            if isLoose && x.typeName != y.typeName {
                throw site.typeMismatch(expected: "a \(x.typeName) (the other side's type)", found: y)
            }
            return jsStrictEquals(x, y) == isEqual
        }
    }

    // MARK: - Strings and other values

    func string(_ expr: Expr) -> StringCode {
        switch expr.kind {
        case .string(let s):
            return { _ in s }
        case .parenthesized(let inner):
            return string(inner)
        case .binary(.add, let left, let right):
            let a = string(left), b = string(right)
            let limit = limits.maxStringBytes
            let site = site(expr, [left, right])
            return { f throws in
                let x = try a(f)
                return try Compiler.concatenate(x, try b(f), limit: limit, site: site)
            }
        case .conditional(let test, let a, let b) where type(expr) == .string:
            let t = boolean(test), x = string(a), y = string(b)
            return { f throws in try t(f) ? try x(f) : try y(f) }
        default:
            let v = value(expr)
            let site = site(expr)
            return { f throws in
                let result = try v(f)
                if case .string(let s) = result { return s }
                throw site.typeMismatch(expected: "a string", found: result)
            }
        }
    }

    /// Any expression as a boxed value (strings, null, values of unknown type, and boxed scalars).
    func value(_ expr: Expr) -> ValueCode {
        switch type(expr) {
        case .number:
            let n = number(expr)
            return { f throws in .number(try n(f)) }
        case .boolean:
            let b = boolean(expr)
            return { f throws in .boolean(try b(f)) }
        case .string:
            if case .value(let k)? = storage(of: expr) { return { f in f.values[k] } }
            let s = string(expr)
            return { f throws in .string(try s(f)) }
        default:
            break
        }
        switch expr.kind {
        case .null:
            return { _ in .null }
        case .parenthesized(let inner):
            return value(inner)
        case .identifier, .member:
            if case .value(let k)? = storage(of: expr) { return { f in f.values[k] } }
            if case .dynamicMember = checked.resolutions[expr.id], case .member(let object, let name, _) = expr.kind {
                let base = value(object)
                let site = site(expr)
                return { f throws in
                    let record = try base(f)
                    guard case .record(let fields) = record, let field = fields[name] else {
                        throw site.missingField(name, in: record)
                    }
                    return field
                }
            }
            return failing("a name without a register", at: expr.range)
        case .conditional(let test, let a, let b):
            let t = boolean(test), x = value(a), y = value(b)
            return { f throws in try t(f) ? try x(f) : try y(f) }
        case .binary(.add, let left, let right):
            let a = value(left), b = value(right)
            let limit = limits.maxStringBytes
            let site = site(expr, [left, right])
            return { f throws in
                let x = try a(f)
                return try Compiler.dynamicAdd(x, try b(f), limit: limit, site: site)
            }
        default:
            return failing("this expression as a value", at: expr.range)
        }
    }
}
