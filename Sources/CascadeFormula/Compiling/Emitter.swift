/// Compiles a checked tree into a flat register `Program`: numbers and booleans as typed
/// instructions (constants folded, conditions compiled to compare-and-branch, `+`/`-` chains of
/// products fused), everything else as calls to the closures `Compiler` builds.
///
/// Every operation is performed in the tree's order with the tree's operands, so a program gives
/// the same doubles and the same first error as evaluating the tree.
struct Emitter {
    let compiler: Compiler
    var code: [Instruction] = []
    var terms: [(Double, Int32)] = []
    var strings: [String] = []
    var numberCode: [NumberCode] = []
    var booleanCode: [BoolCode] = []
    var statementCode: [StatementCode] = []
    /// The `numberCode` closures that only read an input of a non-number type (`source.metadata.x`):
    /// their result has no derivative with respect to the numeric inputs (see `Program+Tangent`).
    var inputReadCode: Set<Int> = []
    /// Per instruction: where it can fail (nil when it cannot).
    var sites: [ErrorSite?] = []
    var checkedSums: [Int: NumberCode] = [:]
    var registerCount: Int
    /// Constants by bit pattern, for programs with many (a short list is searched directly).
    var constantRegisters: [UInt64: Int] = [:]
    var constants: [(register: Int, value: Double)] = []
    /// Steps to meter at the next instruction (the cost of blocks that start there).
    var pendingCost = 0
    /// The instruction some jump was last pointed at.
    var landing = -1
    /// A traced program (`CompiledFormula.explain`) records the value of every subexpression it
    /// evaluates, and is compiled without the fusions that would skip one (fused sums,
    /// branch-free `?:`, conditions as compare-and-branch). The fast program has none of this.
    let isTraced: Bool
    /// Per trace instruction's node index: the subexpression's range, and whether it is a condition.
    var traceNodes: [TraceNode] = []
    /// Value registers: the slots' (from the compiler), then string constants and temporaries.
    var valueRegisterCount: Int
    var valueConstants: [(register: Int, value: Value)] = []
    /// String constants by their UTF-8 bytes (not by `==`, which is canonical equivalence).
    var stringConstantRegisters: [[UInt8]: Int] = [:]

    enum Operand: Equatable {
        case constant(Double)
        case register(Int)
    }

    init(_ compiler: Compiler, isTraced: Bool = false) {
        self.compiler = compiler
        self.isTraced = isTraced
        registerCount = compiler.numberCount
        valueRegisterCount = compiler.valueCount
    }

    static func program(_ compiler: Compiler, isTraced: Bool = false) -> Program {
        var emitter = Emitter(compiler, isTraced: isTraced)
        emitter.emitProgram()
        return Program(code: emitter.code, terms: emitter.terms, strings: emitter.strings,
                       numberCode: emitter.numberCode, booleanCode: emitter.booleanCode,
                       statementCode: emitter.statementCode, sites: emitter.sites, checkedSums: emitter.checkedSums,
                       maxSteps: compiler.limits.maxSteps, registerCount: emitter.registerCount,
                       constants: emitter.constants, traceNodes: emitter.traceNodes,
                       valueRegisterCount: emitter.valueRegisterCount, valueConstants: emitter.valueConstants,
                       maxStringBytes: compiler.limits.maxStringBytes, inputReadCode: emitter.inputReadCode)
    }

    var checked: CheckedFormula { compiler.checked }
    func type(_ expr: Expr) -> StaticType { compiler.type(expr) }

    // MARK: - Registers and instructions

    mutating func newRegister() -> Int {
        registerCount += 1
        return registerCount - 1
    }

    /// The register holding a constant (one per distinct bit pattern, preloaded in every frame).
    mutating func register(of value: Double) -> Int {
        let bits = value.bitPattern
        if constants.count <= 16 {
            for constant in constants where constant.value.bitPattern == bits { return constant.register }
        } else {
            if constantRegisters.isEmpty {
                for constant in constants { constantRegisters[constant.value.bitPattern] = constant.register }
            }
            if let k = constantRegisters[bits] { return k }
        }
        let k = newRegister()
        constants.append((k, value))
        if !constantRegisters.isEmpty { constantRegisters[bits] = k }
        return k
    }

    mutating func register(_ operand: Operand) -> Int {
        switch operand {
        case .constant(let c): register(of: c)
        case .register(let k): k
        }
    }

    mutating func emit(_ op: Opcode, _ d: Int = 0, _ a: Int = 0, _ b: Int = 0, site: ErrorSite? = nil) {
        sites.append(site)
        var instruction = Instruction(op, Int32(d), Int32(a), Int32(b))
        instruction.cost = UInt16(pendingCost)
        pendingCost = 0
        code.append(instruction)
    }

    /// Meters `cost` steps where the next instruction runs (every path that reaches it).
    mutating func meter(_ cost: Int) {
        if pendingCost + cost > Int(UInt16.max) {
            emit(.meter, 0, pendingCost + cost)
        } else {
            pendingCost += cost
        }
    }

    /// Emits a jump whose target is patched later; returns its index.
    mutating func jump(_ op: Opcode = .jump, _ a: Int = 0, _ b: Int = 0, site: ErrorSite? = nil) -> [Int] {
        emit(op, 0, a, b, site: site)
        return [code.count - 1]
    }

    /// Points the given jumps at the next instruction.
    mutating func land(_ jumps: [Int]) {
        if jumps.isEmpty { return }
        // Steps pending here belong to the path that falls through, not to the jumps.
        if pendingCost != 0 { emit(.meter, 0, 0) }
        for j in jumps { code[j].d = Int32(code.count) }
        landing = code.count
    }

    /// Copies an operand into register `d` unless it is already there.
    mutating func place(_ operand: Operand, into d: Int) {
        if operand == .register(d) { return }
        emit(.move, d, register(operand))
    }

    // MARK: - Program and statements

    mutating func emitProgram() {
        switch checked.tree.form {
        case .expression(let expr):
            meter(checked.costBound)
            returnCode(expr)
        case .body(let statements):
            block(statements)
            emit(.returnUndefined)  // fell off the end: no value
        }
    }

    /// A block: meters its own statements' cost once on entry, then runs them in order; nothing
    /// after a `return` is reachable.
    mutating func block(_ statements: [Stmt]) {
        var reachable: [Stmt] = []
        var ownCost = 0
        for statement in statements {
            if case .empty = statement.kind { continue }
            reachable.append(statement)
            ownCost += compiler.meteredCost(statement)
            if case .returnValue = statement.kind { break }
        }
        meter(ownCost)
        for statement in reachable { self.statement(statement) }
    }

    mutating func statement(_ statement: Stmt) {
        switch statement.kind {
        case .empty, .invalid, .expression:
            break
        case .block(let statements):
            block(statements)
        case .returnValue(let value):
            if let value { returnCode(value) } else { emit(.returnUndefined) }
        case .ifElse(let condition, let then, let otherwise):
            let toElse = self.condition(condition)
            branchBody(then)
            if let otherwise {
                let toEnd = jump()
                land(toElse)
                branchBody(otherwise)
                land(toEnd)
            } else {
                land(toElse)
            }
        case .declaration(_, _, let nameRange, let initializer):
            guard let slot = checked.declarations[statement.id] else {
                return failStatement("a declaration without a local", at: nameRange)
            }
            store(initializer, into: compiler.localStorage[slot], type: checked.locals[slot].type)
        case .assignment(let name, let nameRange, let op, let value):
            guard let slot = checked.assignmentTargets[statement.id] else {
                return failStatement("an assignment without a target local", at: nameRange)
            }
            let target = compiler.localStorage[slot]
            guard let binary = op.binary else {
                store(value, into: target, type: checked.locals[slot].type)
                return
            }
            let site = ErrorSite(range: statement.range, text: compiler.text(statement.range),
                                 operands: [name, compiler.text(value.range)])
            if case .number(let k) = target {
                let rhs = numberOperand(value)
                place(arithmetic(binary, .register(k), rhs, site, into: k), into: k)
            } else if case .value(let k) = target, checked.locals[slot].type == .string, binary == .add, isPureString(value) {
                let rhs = stringRegister(value)
                emit(.concatenate, k, k, rhs, site: site)
            } else {
                callStatement(compiler.assignment(name, nameRange, op, value, statement))
            }
            if isTraced { traceLocal(target, SourceRange(nameRange.start, value.range.end)) }
        }
    }

    /// The body of an `if` or `else`: a block meters itself; a single statement is its own block.
    mutating func branchBody(_ statement: Stmt) {
        if case .block = statement.kind { self.statement(statement) } else { block([statement]) }
    }

    mutating func store(_ expr: Expr, into storage: SlotStorage, type localType: StaticType) {
        switch storage {
        case .number(let k):
            place(numberOperand(expr, into: k), into: k)
        case .boolean(let k):
            _ = boolean(expr, into: k)
        case .value(let k) where localType == .string && isPureString(expr):
            let r = stringRegister(expr)
            if r != k { emit(.moveValue, k, r) }
        case .value(let k):
            callStatement(compiler.store(expr, into: storage, type: localType))
            if isTraced { emit(.traceValue, 0, k, traceNode(expr.range)) }
        }
    }

    /// A statement with no code here: an internal error (see `InternalErrors`).
    mutating func failStatement(_ what: String, at range: SourceRange) {
        callStatement(compiler.failing(what, at: range))
    }

    mutating func callStatement(_ code: @escaping StatementCode) {
        statementCode.append(code)
        emit(.statementCode, 0, statementCode.count - 1)
    }

    mutating func returnCode(_ expr: Expr) {
        switch type(expr) {
        case .number:
            let result = numberOperand(expr)
            // `return a * b;`: the operation returns its result itself, unless a jump lands on
            // the return or steps are metered there.
            if !isTraced, case .register(let r) = result, let last = code.indices.last, landing != code.count, pendingCost == 0,
               code[last].d == r {
                let fused: Opcode? = switch code[last].op {
                case .add: .addReturn
                case .subtract: .subtractReturn
                case .multiply: .multiplyReturn
                case .linear: .linearReturn
                default: nil
                }
                if let fused {
                    code[last].op = fused
                    return
                }
            }
            emit(.returnNumber, 0, register(result))
        case .boolean:
            let toFalse = branch(expr, when: false)
            emit(.returnTrue)
            land(toFalse)
            emit(.returnFalse)
        case .string where isPureString(expr):
            emit(.returnString, 0, stringRegister(expr))
        default:
            callStatement(isTraced ? tracedReturn(compiler.returnCode(expr), traceNode(expr.range)) : compiler.returnCode(expr))
            emit(.returnValue)  // not reached: the closure always returns
        }
    }

    // MARK: - Numbers

    /// Compiles a number expression; an operation's result goes to `target` when one is given
    /// (the final instruction is then the only one that writes it).
    mutating func numberOperand(_ expr: Expr, into target: Int? = nil) -> Operand {
        let operand = untracedNumberOperand(expr, into: target)
        if isTraced && isTraceable(expr) { emit(.traceNumber, 0, register(operand), traceNode(expr.range)) }
        return operand
    }

    mutating func untracedNumberOperand(_ expr: Expr, into target: Int?) -> Operand {
        if type(expr) == .any {
            let operand = callNumber(compiler.number(expr), into: target)
            if readsOnlyValueInput(expr) { inputReadCode.insert(numberCode.count - 1) }
            return operand
        }
        switch expr.kind {
        case .number(let x):
            return .constant(x)
        case .parenthesized(let inner):
            return numberOperand(inner, into: target)
        case .identifier, .member:
            if case .constant(let c) = checked.resolutions[expr.id] { return .constant(c) }
            switch compiler.storage(of: expr) {
            case .number(let k)?: return .register(k)
            case .value?:
                let operand = callNumber(compiler.number(expr), into: target)
                if readsOnlyValueInput(expr) { inputReadCode.insert(numberCode.count - 1) }
                return operand
            default: return callNumber(compiler.failing("a number name without a register", at: expr.range), into: target)
            }
        case .unary(.negate, let operand):
            switch numberOperand(operand) {
            case .constant(let c): return .constant(-c)
            case .register(let k):
                let d = target ?? newRegister()
                emit(.negate, d, k)
                return .register(d)
            }
        case .unary(_, let operand):
            return numberOperand(operand, into: target)
        case .binary(let op, let left, let right):
            if !isTraced, op == .add || op == .subtract, let terms = compiler.linearTerms(expr) {
                return linear(terms, into: target)
            }
            let a = numberOperand(left), b = numberOperand(right)
            return arithmetic(op, a, b, compiler.site(expr, [left, right]), into: target)
        case .conditional(let test, let a, let b):
            if !isTraced && isSelectable(expr) { return select(expr, into: target) }
            let d = target ?? newRegister()
            let toElse = condition(test)
            place(numberOperand(a, into: d), into: d)
            let toEnd = jump()
            land(toElse)
            place(numberOperand(b, into: d), into: d)
            land(toEnd)
            return .register(d)
        case .call(let callee, let arguments):
            return mathCall(callee, arguments, expr, into: target)
        default:
            return callNumber(compiler.failing("this expression as a number", at: expr.range), into: target)
        }
    }

    // MARK: - Branch-free conditionals

    /// A constant or a number register, without emitting anything.
    func leaf(_ expr: Expr) -> Operand? {
        switch compiler.numberLeaf(compiler.stripParentheses(expr)) {
        case .constant(let c)?: .constant(c)
        case .register(let k)?: .register(k)
        default: nil
        }
    }

    /// A leaf, or `?:` comparing two leaves and choosing between selectable arms: nothing in it can
    /// fail or has an effect, so computing both arms and choosing without a branch is unobservable.
    func isSelectable(_ expr: Expr) -> Bool {
        let e = compiler.stripParentheses(expr)
        if type(e) != .number { return false }
        if leaf(e) != nil { return true }
        guard case .conditional(let test, let a, let b) = e.kind,
              case .binary(let op, let left, let right) = compiler.stripParentheses(test).kind,
              op.isRelational || op == .strictEqual || op == .strictNotEqual || op == .looseEqual || op == .looseNotEqual,
              type(left) == .number, type(right) == .number, leaf(left) != nil, leaf(right) != nil
        else { return false }
        return isSelectable(a) && isSelectable(b)
    }

    mutating func select(_ expr: Expr, into target: Int?) -> Operand {
        let e = compiler.stripParentheses(expr)
        if let leaf = leaf(e) { return leaf }
        guard case .conditional(let test, let a, let b) = e.kind,
              case .binary(let op, let left, let right) = compiler.stripParentheses(test).kind,
              let l = leaf(left), let r = leaf(right) else {
            return callNumber(compiler.failing("this conditional as a branch-free select", at: e.range), into: target)
        }
        let x = register(select(a, into: nil)), y = register(select(b, into: nil))
        let p = register(l), q = register(r)
        let d = target ?? newRegister()
        switch op {
        case .less: emit(.selectLess, d, p, q)
        case .lessEqual: emit(.selectLessEqual, d, p, q)
        case .greater: emit(.selectLess, d, q, p)
        case .greaterEqual: emit(.selectLessEqual, d, q, p)
        default: emit(.selectEqual, d, p, q)
        }
        let isNegated = op == .strictNotEqual || op == .looseNotEqual
        emit(.data, isNegated ? y : x, isNegated ? x : y)
        return .register(d)
    }

    /// Whether `expr` is a name or field chain that reads an input held in a value register (not
    /// a local, whose value may have been computed from numbers).
    func readsOnlyValueInput(_ expr: Expr) -> Bool {
        let e = compiler.stripParentheses(expr)
        switch checked.resolutions[e.id] {
        case .input(let i)?:
            if case .value = compiler.inputStorage[i] { return true }
            return false
        case .dynamicMember?:
            if case .member(let base, _, _) = e.kind { return readsOnlyValueInput(base) }
            return false
        default:
            return false
        }
    }

    mutating func callNumber(_ code: @escaping NumberCode, into target: Int?) -> Operand {
        numberCode.append(code)
        let d = target ?? newRegister()
        emit(.numberCode, d, numberCode.count - 1)
        return .register(d)
    }

    mutating func linear(_ linearTerms: [Compiler.LinearTerm], into target: Int?) -> Operand {
        let start = terms.count
        let one = register(of: 1)
        for t in linearTerms {
            let sign = t.isSubtracted ? -1.0 : 1.0
            switch t.kind {
            case .constant: terms.append((sign * t.constant, Int32(one)))
            case .register: terms.append((sign, Int32(t.register)))
            case .product: terms.append((sign * t.constant, Int32(t.register)))
            }
        }
        let d = target ?? newRegister()
        checkedSums[code.count] = compiler.checkedSum(linearTerms)
        emit(.linear, d, start, linearTerms.count)
        return .register(d)
    }

    mutating func arithmetic(_ op: BinaryOperator, _ a: Operand, _ b: Operand, _ site: ErrorSite,
                             into target: Int?) -> Operand {
        // x ** 2: fdlibm's pow (V8's) returns x * x for y == 2 and any finite x; skip the call.
        if op == .power, case .constant(2) = b, case .register(let x) = a {
            let d = target ?? newRegister()
            emit(.square, d, x, site: site)
            return .register(d)
        }
        // Constants fold unless folding would fail (then the error stays where it belongs, at run time).
        if case .constant(let x) = a, case .constant(let y) = b, let r = try? Compiler.operation(op)(x, y, site) {
            return .constant(r)
        }
        let opcode: Opcode = switch op {
        case .add: .add
        case .subtract: .subtract
        case .multiply: .multiply
        case .divide: .divide
        case .remainder: .remainder
        default: .power
        }
        let ra = register(a), rb = register(b)
        let d = target ?? newRegister()
        emit(opcode, d, ra, rb, site: site)
        return .register(d)
    }

    mutating func mathCall(_ callee: Expr, _ arguments: [Expr], _ expr: Expr, into target: Int?) -> Operand {
        guard case .member(_, let name, _) = compiler.stripParentheses(callee).kind,
              let function = MathFunction(rawValue: name) else {
            return callNumber(compiler.failing("a call of something other than a Math function", at: expr.range), into: target)
        }
        let site = compiler.site(expr, arguments)
        var operands: [Operand] = []
        for argument in arguments { operands.append(numberOperand(argument)) }
        switch function {
        case .pow: return arithmetic(.power, operands[0], operands[1], site, into: target)
        case .max, .min:
            // Left to right, as `Math.max(a, b, c)` is `max(max(a, b), c)`.
            var result = operands[0]
            for (k, operand) in operands.enumerated().dropFirst() {
                if case .constant(let x) = result, case .constant(let y) = operand {
                    result = .constant(function == .max ? JSMath.max(x, y) : JSMath.min(x, y))
                    continue
                }
                let ra = register(result), rb = register(operand)
                let d = k == operands.count - 1 ? target ?? newRegister() : newRegister()
                emit(function == .max ? .max : .min, d, ra, rb)
                result = .register(d)
            }
            return result
        case .abs: return unary(.abs, AbsOperation.self, operands[0], site, into: target)
        case .sqrt: return unary(.sqrt, SqrtOperation.self, operands[0], site, into: target)
        case .exp: return unary(.exp, ExpOperation.self, operands[0], site, into: target)
        case .log: return unary(.log, LogOperation.self, operands[0], site, into: target)
        case .log10: return unary(.log10, Log10Operation.self, operands[0], site, into: target)
        case .log2: return unary(.log2, Log2Operation.self, operands[0], site, into: target)
        case .floor: return unary(.floor, FloorOperation.self, operands[0], site, into: target)
        case .ceil: return unary(.ceil, CeilOperation.self, operands[0], site, into: target)
        case .round: return unary(.round, RoundOperation.self, operands[0], site, into: target)
        case .sign: return unary(.sign, SignOperation.self, operands[0], site, into: target)
        case .trunc: return unary(.trunc, TruncOperation.self, operands[0], site, into: target)
        }
    }

    mutating func unary<Op: MathOperation>(_ opcode: Opcode, _: Op.Type, _ operand: Operand, _ site: ErrorSite,
                                           into target: Int?) -> Operand {
        if case .constant(let x) = operand {
            let r = Op.apply(x)
            if r.isFinite { return .constant(r) }
        }
        let ra = register(operand)
        let d = target ?? newRegister()
        emit(opcode, d, ra, site: Op.canFail ? site : nil)
        return .register(d)
    }

    // MARK: - Booleans

    /// Compiles a condition as jumps: the returned jumps are taken when the condition's value is
    /// `value`; otherwise control falls through. Operands are evaluated in the tree's order, and
    /// `&&`/`||` short-circuit as in JavaScript.
    mutating func branch(_ expr: Expr, when value: Bool) -> [Int] {
        if isTraced { return jump(value ? .jumpIfTrue : .jumpIfFalse, booleanRegister(expr)) }
        if type(expr) == .any { return testClosure(compiler.boolean(expr), when: value) }
        switch expr.kind {
        case .boolean(let b):
            return b == value ? jump() : []
        case .parenthesized(let inner):
            return branch(inner, when: value)
        case .identifier, .member:
            switch compiler.storage(of: expr) {
            case .boolean(let k)?: return jump(value ? .jumpIfTrue : .jumpIfFalse, k)
            case .value?: return testClosure(compiler.boolean(expr), when: value)
            default: return testClosure(compiler.failing("a boolean name without a register", at: expr.range), when: value)
            }
        case .unary(_, let operand):
            return branch(operand, when: !value)
        case .binary(.and, let left, let right):
            if !value { return branch(left, when: false) + branch(right, when: false) }
            let skip = branch(left, when: false)
            let taken = branch(right, when: true)
            land(skip)
            return taken
        case .binary(.or, let left, let right):
            if value { return branch(left, when: true) + branch(right, when: true) }
            let skip = branch(left, when: true)
            let taken = branch(right, when: false)
            land(skip)
            return taken
        case .binary(let op, let left, let right) where op.isRelational:
            let a = register(numberOperand(left)), b = register(numberOperand(right))
            switch op {
            case .less: return jump(value ? .jumpIfLess : .jumpUnlessLess, a, b)
            case .lessEqual: return jump(value ? .jumpIfLessEqual : .jumpUnlessLessEqual, a, b)
            case .greater: return jump(value ? .jumpIfLess : .jumpUnlessLess, b, a)
            default: return jump(value ? .jumpIfLessEqual : .jumpUnlessLessEqual, b, a)
            }
        case .binary(let op, let left, let right) where op.isEquality:
            let isEqual = op == .strictEqual || op == .looseEqual
            let whenEqual = value == isEqual
            if type(left) == .number && type(right) == .number {
                let a = register(numberOperand(left)), b = register(numberOperand(right))
                return jump(whenEqual ? .jumpIfEqual : .jumpUnlessEqual, a, b)
            }
            if type(left) == .string && type(right) == .string {
                for (variable, literal) in [(left, right), (right, left)] {
                    guard case .string(let s) = compiler.stripParentheses(literal).kind,
                          case .value(let k)? = compiler.storage(of: compiler.stripParentheses(variable))
                    else { continue }
                    strings.append(s)
                    return jump(whenEqual ? .jumpIfStringEqual : .jumpUnlessStringEqual, k, strings.count - 1,
                                site: compiler.site(compiler.stripParentheses(variable)))
                }
            }
            return testClosure(compiler.boolean(expr), when: value)
        case .conditional(let test, let a, let b):
            let toElse = condition(test)
            let first = branch(a, when: value)
            let toEnd = jump()
            land(toElse)
            let second = branch(b, when: value)
            land(toEnd)
            return first + second
        default:
            return testClosure(compiler.failing("this expression as a condition", at: expr.range), when: value)
        }
    }

    mutating func testClosure(_ code: @escaping BoolCode, when value: Bool) -> [Int] {
        booleanCode.append(code)
        let d = newRegister()
        emit(.booleanCode, d, booleanCode.count - 1)
        return jump(value ? .jumpIfTrue : .jumpIfFalse, d)
    }

    /// A boolean as 0/1 in a register (`target` when given).
    mutating func boolean(_ expr: Expr, into target: Int?) -> Int {
        if type(expr) != .any, case .boolean(let k)? = compiler.storage(of: compiler.stripParentheses(expr)) {
            if let target, target != k { emit(.move, target, k) }
            return target ?? k
        }
        let d = target ?? newRegister()
        let toFalse = branch(expr, when: false)
        emit(.move, d, register(of: 1))
        let toEnd = jump()
        land(toFalse)
        emit(.move, d, register(of: 0))
        land(toEnd)
        return d
    }
}
