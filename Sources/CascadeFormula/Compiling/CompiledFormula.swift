/// A checked formula compiled to a register program: evaluate it as often as you like, from any thread,
/// each thread with its own `Frame`.
public final class CompiledFormula: Sendable {
    /// The formula's source text.
    public let source: String
    /// The checked tree it was compiled from (kept for explanations and `:ast`).
    package let checked: CheckedFormula
    let storage: [SlotStorage]
    let valueCount: Int
    let limits: Limits
    @usableFromInline let program: Program
    let slotIndex: [String: Int]
    /// The tree shapes the compiler could not handle (see `InternalErrors`); a formula with any is
    /// never returned by `Formula.compile`.
    let internalErrors: [Diagnostic]

    init(checked: CheckedFormula, limits: Limits, isTrapping: Bool = true) {
        let compiler = Compiler(checked, limits: limits, isTrapping: isTrapping)
        self.source = checked.tree.source
        self.checked = checked
        self.limits = limits
        self.program = Emitter.program(compiler)
        self.storage = compiler.inputStorage
        self.valueCount = compiler.valueCount
        self.slotIndex = Dictionary(uniqueKeysWithValues: checked.inputs.map { ($0.path, $0.index) })
        self.internalErrors = compiler.internalErrors.diagnostics
    }

    /// The inputs the formula reads, in slot order.
    package var inputs: [InputSlot] { checked.inputs }
    /// The exact static cost bound.
    package var costBound: Int { checked.costBound }
    /// Warnings found when checking (e.g. paths that return no value).
    public var warnings: [Diagnostic] { checked.diagnostics.filter { !$0.isError } }
    /// Whether the formula is a single bare expression (rather than a function body).
    package var isExpression: Bool {
        if case .expression = checked.tree.form { true } else { false }
    }

    /// The slot of an input path such as `"x"` or `"source.value"`, if the formula reads it.
    package func slot(_ path: String) -> Int? { slotIndex[path] }

    /// The register program, one instruction a line (for debugging).
    package var listing: String { program.description }

    /// A fresh frame of registers for this formula.
    package func makeFrame() -> Frame {
        Frame(program: program, valueCount: valueCount, storage: storage,
              inputTypes: checked.inputs.map(\.type), inputPaths: checked.inputs.map(\.path), maxStringBytes: limits.maxStringBytes)
    }

    /// Evaluates with the inputs already set in `frame`. Returns `.undefined` when the formula
    /// falls off the end; throws a located `runtime`/`type`/`limit` error where JavaScript would
    /// give NaN or ±Infinity or would coerce a type.
    @inlinable
    package func evaluate(_ frame: Frame) throws(FormulaError) -> Value {
        switch try program.run(frame) {
        case .number: return .number(frame.resultNumber)
        case .boolean: return .boolean(frame.resultNumber != 0)
        case .undefined: return .undefined
        case .value: return frame.result
        }
    }

    /// Binds inputs by name (records by nesting) and evaluates. Convenient, not the fast path.
    public func evaluate(_ bindings: [String: Value]) throws(FormulaError) -> Value {
        let frame = makeFrame()
        try bind(bindings, into: frame)
        return try evaluate(frame)
    }

    /// Evaluates with a trace of every subexpression's value (see `Explanation`). The trace comes
    /// from a traced build of the same register program, made for this call: the fast program
    /// that `evaluate` runs has no trace instructions and pays nothing for this.
    package func explain(_ bindings: [String: Value]) -> Explanation {
        let compiler = Compiler(checked, limits: limits)
        let program = Emitter.program(compiler, isTraced: true)
        let frame = Frame(program: program, valueCount: valueCount, storage: storage,
                          inputTypes: checked.inputs.map(\.type), inputPaths: checked.inputs.map(\.path),
                          maxStringBytes: limits.maxStringBytes)
        let result: Result<Value, FormulaError>
        do throws(FormulaError) {
            try bind(bindings, into: frame)
            result = .success(try CompiledFormula.value(of: program.run(frame), in: frame))
        } catch {
            result = .failure(error)
        }
        let bytes = Array(source.utf8)
        var seen = Set<SourceRange>()
        var entries: [TraceEntry] = []
        for (node, value) in frame.trace {
            let traced = program.traceNodes[node]
            guard seen.insert(traced.range).inserted else { continue }
            let text = String(decoding: bytes[min(traced.range.start, bytes.count)..<min(traced.range.end, bytes.count)],
                              as: UTF8.self)
            entries.append(TraceEntry(range: traced.range, text: text, value: value, isCondition: traced.isCondition))
        }
        // Source order; an enclosing expression before its parts.
        entries.sort { ($0.range.start, -$0.range.end) < ($1.range.start, -$1.range.end) }
        return Explanation(result: result, trace: entries)
    }

    static func value(of kind: ResultKind, in frame: Frame) -> Value {
        switch kind {
        case .number: .number(frame.resultNumber)
        case .boolean: .boolean(frame.resultNumber != 0)
        case .undefined: .undefined
        case .value: frame.result
        }
    }

    /// Binds inputs by name (records by nesting).
    func bind(_ bindings: [String: Value], into frame: Frame) throws(FormulaError) {
        for input in inputs {
            var components = input.path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            var value = bindings[components.removeFirst()]
            for component in components {
                if case .record(let fields)? = value { value = fields[component] } else { value = nil }
            }
            guard let value else {
                throw FormulaError(Diagnostic(.name, "unbound", "no value is bound to `\(input.path)`",
                                              at: SourceRange(0, 0), hint: "add it to the bindings"))
            }
            try frame.setValue(value, at: input.index)
        }
    }
}
