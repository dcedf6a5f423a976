/// What the register program's emitter (`Emitter`) needs to know about a checked tree: where its
/// inputs and locals live in a frame (unboxed number registers for numbers and booleans, value
/// registers for everything else), the source text and error site of each node, the cost each
/// statement meters, and which `+`/`-` chains fuse (`Compiler+LinearSums`). A tree shape with no
/// code is an internal error (`InternalErrors`), never a default value.
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
        // Inputs sit at fixed registers, so that setting one is a single store (`Frame.setNumber`):
        // slot i's number at register i and its boolean at register n + i; the register of the
        // other kind is never read (it absorbs a value set into a slot of another kind).
        let n = checked.inputs.count
        numberCount = 2 * n
        inputStorage = checked.inputs.enumerated().map { i, input in
            switch StaticType(input.type) {
            case .number: .number(i)
            case .boolean: .boolean(n + i)
            case let type: allocate(type)
            }
        }
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

    // MARK: - Statements

    static func stepLimit(_ maxSteps: Int) -> FormulaError {
        FormulaError(Diagnostic(.limit, "steps", "the evaluation took more than \(maxSteps) steps", at: SourceRange(0, 0)))
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

    /// The operation of a binary arithmetic operator (for constant folding); nil for any other.
    static func operation(_ op: BinaryOperator) -> (@Sendable (Double, Double, ErrorSite) throws(FormulaError) -> Double)? {
        switch op {
        case .add: AddOperation.apply
        case .subtract: SubtractOperation.apply
        case .multiply: MultiplyOperation.apply
        case .divide: DivideOperation.apply
        case .remainder: RemainderOperation.apply
        case .power: PowerOperation.apply
        default: nil
        }
    }
}
