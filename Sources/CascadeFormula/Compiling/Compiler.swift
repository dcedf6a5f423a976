/// Allocates a checked tree's inputs and locals to a frame's registers, and compiles expressions
/// and statements into closures over those registers: unboxed doubles for numbers and booleans,
/// names resolved to registers, constants folded, one closure per operation on leaves. The
/// register program (`Emitter`) runs numbers and booleans itself and calls these closures for
/// the rest (strings, null, values of unknown type, records), and for finding the failing
/// operation of a fused sum. A tree shape with no code here is an internal error
/// (`InternalErrors`), never a default value.
struct Compiler {
    let checked: CheckedFormula
    let limits: Limits
    var inputStorage: [SlotStorage] = []
    var localStorage: [SlotStorage] = []
    var numberCount = 0
    var valueCount = 0
    let sourceBytes: [UInt8]
    /// The tree shapes met that have no code here (a checker/compiler gap; see `InternalErrors`).
    let internalErrors: InternalErrors

    init(_ checked: CheckedFormula, limits: Limits, isTrapping: Bool = true) {
        self.checked = checked
        self.limits = limits
        self.internalErrors = InternalErrors(isTrapping: isTrapping)
        self.sourceBytes = Array(checked.tree.source.utf8)
        inputStorage = checked.inputs.map { allocate(StaticType($0.type)) }
        localStorage = checked.locals.map { allocate($0.type) }
    }

    mutating func allocate(_ type: StaticType) -> SlotStorage {
        switch type {
        case .number:
            numberCount += 1
            return .number(numberCount - 1)
        case .boolean:
            numberCount += 1
            return .boolean(numberCount - 1)
        default:
            valueCount += 1
            return .value(valueCount - 1)
        }
    }

    func type(_ expr: Expr) -> StaticType { checked.types[expr.id] }

    /// A tree shape with no code here: an internal error, never a default value.
    func internalError(_ what: String, at range: SourceRange) -> FormulaError {
        internalErrors.report(what, at: range)
    }

    /// Code for a gap: it throws the internal error (the compilation is refused, so it never runs).
    func failing<T>(_ what: String, at range: SourceRange) -> @Sendable (Frame) throws -> T {
        let error = internalError(what, at: range)
        return { _ throws in throw error }
    }

    func text(_ range: SourceRange) -> String {
        String(decoding: sourceBytes[min(range.start, sourceBytes.count)..<min(range.end, sourceBytes.count)], as: UTF8.self)
    }

    func site(_ expr: Expr, _ operands: [Expr] = []) -> ErrorSite {
        ErrorSite(range: expr.range, text: text(expr.range), operands: operands.map { text($0.range) })
    }

    /// The register of a name or member chain resolved to an input or local.
    func storage(of expr: Expr) -> SlotStorage? {
        switch checked.resolutions[expr.id] {
        case .input(let i): inputStorage[i]
        case .local(let j): localStorage[j]
        default: nil
        }
    }

    // MARK: - Statements (the parts the register program hands to closures)

    static func stepLimit(_ maxSteps: Int) -> FormulaError {
        FormulaError(Diagnostic(.limit, "steps", "the evaluation took more than \(maxSteps) steps", at: SourceRange(0, 0)))
    }

    /// Stores the value of a returned expression into `Frame.result` and reports the return.
    func returnCode(_ expr: Expr) -> StatementCode {
        switch type(expr) {
        case .number:
            let n = number(expr)
            return { f throws in
                f.result = .number(try n(f))
                return true
            }
        case .boolean:
            let b = boolean(expr)
            return { f throws in
                f.result = .boolean(try b(f))
                return true
            }
        default:
            let v = value(expr)
            let site = site(expr)
            return { f throws in
                let result = try v(f)
                if case .record = result { throw site.typeMismatch(expected: "a returnable scalar", found: result) }
                f.result = result
                return true
            }
        }
    }

    /// The cost a block meters for one of its direct statements (nested blocks meter themselves).
    func meteredCost(_ statement: Stmt) -> Int {
        switch statement.kind {
        case .declaration(_, _, _, let e), .assignment(_, _, _, let e), .expression(let e): checked.costs[e.id] + 1
        case .returnValue(let e): (e.map { checked.costs[$0.id] } ?? 0) + 1
        case .ifElse(let condition, _, _): checked.costs[condition.id] + 1
        default: 0
        }
    }

    /// Evaluates `expr` and stores it into a local's register.
    func store(_ expr: Expr, into storage: SlotStorage, type localType: StaticType) -> StatementCode {
        switch storage {
        case .number(let k):
            let n = number(expr)
            return { f throws in
                f.numbers[k] = try n(f)
                return false
            }
        case .boolean(let k):
            let b = boolean(expr)
            return { f throws in
                f.numbers[k] = try b(f) ? 1 : 0
                return false
            }
        case .value(let k):
            let v = value(expr)
            return { f throws in
                f.values[k] = try v(f)
                return false
            }
        }
    }

    func assignment(_ name: String, _ nameRange: SourceRange, _ op: AssignmentOperator, _ value: Expr,
                    _ statement: Stmt) -> StatementCode {
        guard let slot = checked.assignmentTargets[statement.id] else {
            return failing("an assignment without a target local", at: statement.range)
        }
        let target = localStorage[slot]
        let localType = checked.locals[slot].type
        guard let binary = op.binary else { return store(value, into: target, type: localType) }
        let site = ErrorSite(range: statement.range, text: text(statement.range), operands: [name, text(value.range)])
        switch target {
        case .number(let k):
            let current = NumberOperand.register(k)
            let combined = arithmetic(binary, current, numberOperand(value), site)
            let code = combined.code
            return { f throws in
                f.numbers[k] = try code(f)
                return false
            }
        case .value(let k) where localType == .string:
            let rhs = string(value)
            let limit = limits.maxStringBytes
            return { f throws in
                guard case .string(let s) = f.values[k] else { return false }
                f.values[k] = .string(try Compiler.concatenate(s, try rhs(f), limit: limit, site: site))
                return false
            }
        case .value(let k) where binary == .add:
            // A local of unknown type: numbers add, strings join, anything else fails.
            let rhs = self.value(value)
            let limit = limits.maxStringBytes
            return { f throws in
                f.values[k] = try Compiler.dynamicAdd(f.values[k], try rhs(f), limit: limit, site: site)
                return false
            }
        case .value(let k):
            // A local of unknown type: it must hold a number now.
            let rhs = number(value)
            let apply = Compiler.operation(binary)
            return { f throws in
                guard case .number(let x) = f.values[k] else {
                    throw site.typeMismatch(expected: "a number", found: f.values[k])
                }
                f.values[k] = .number(try apply(x, try rhs(f), site))
                return false
            }
        case .boolean:
            return failing("a compound assignment to a boolean local", at: statement.range)
        }
    }

    static func operation(_ op: BinaryOperator) -> @Sendable (Double, Double, ErrorSite) throws(FormulaError) -> Double {
        switch op {
        case .add: AddOperation.apply
        case .subtract: SubtractOperation.apply
        case .multiply: MultiplyOperation.apply
        case .divide: DivideOperation.apply
        case .remainder: RemainderOperation.apply
        default: PowerOperation.apply
        }
    }

    /// `+` on two values of unknown type, as JavaScript does it for two numbers or two strings.
    static func dynamicAdd(_ a: Value, _ b: Value, limit: Int, site: ErrorSite) throws(FormulaError) -> Value {
        switch (a, b) {
        case (.number(let x), .number(let y)): return .number(try AddOperation.apply(x, y, site))
        case (.string(let x), .string(let y)): return .string(try concatenate(x, y, limit: limit, site: site))
        case (.number, _), (.string, _): throw site.typeMismatch(expected: "a \(a.typeName) (like the left side)", found: b)
        default: throw site.typeMismatch(expected: "a number or a string", found: a)
        }
    }

    static func concatenate(_ a: String, _ b: String, limit: Int, site: ErrorSite) throws(FormulaError) -> String {
        let bytes = a.utf8.count + b.utf8.count
        if bytes > limit { throw site.stringTooLong(bytes, limit: limit) }
        return a + b
    }
}
