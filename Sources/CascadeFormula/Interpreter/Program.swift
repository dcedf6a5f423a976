/// A compiled formula as a flat register program: typed instructions over a frame's unboxed
/// registers, run by one dispatch loop. Numbers and booleans (as 0/1) live in `Frame.numbers`;
/// constants are preloaded there when a frame is made; every temporary has its own register
/// (there are no loops, so a program never needs more registers than it has operations).
///
/// Every other value — strings, `null`, values of unknown type and the records they may hold —
/// lives in value registers (`Frame.values`), with instructions of its own (`concatenate`,
/// `member`, `dynamicAdd`, `strictEqualValues`, the `box`/`unbox` pair between the two kinds of
/// register). The program is the only evaluator: there is no other code that evaluates a formula.
@usableFromInline
final class Program: @unchecked Sendable {  // immutable after init; frames are per thread
    let code: UnsafeMutablePointer<Instruction>
    let codeCount: Int
    /// Fused sums: coefficient and register per term (a subtracted term has its coefficient
    /// negated, a bare register has coefficient 1, a constant is its value times a register of 1).
    let termCoefficients: UnsafeMutablePointer<Double>
    let termRegisters: UnsafeMutablePointer<Int32>
    let termCount: Int
    /// Per term, the operations it stands for and where they are, to find which one failed
    /// when a fused sum is not finite (see `checkedSum`).
    let linearTerms: [Compiler.LinearTerm]
    /// String literals compared with `===`, and the names of dynamic member reads.
    let strings: UnsafeMutablePointer<StringConstant>
    let stringCount: Int
    /// Per instruction that can fail: where.
    let sites: [ErrorSite?]
    /// The internal errors `fail` throws (empty in a formula `Formula.compile` returns).
    let failures: [FormulaError]
    let maxSteps: Int
    /// Registers the frame needs (inputs, locals, constants, temporaries), and the constants.
    let registerCount: Int
    let constants: [(register: Int, value: Double)]
    /// A traced program's trace nodes (empty in the fast program).
    let traceNodes: [TraceNode]
    /// Value registers the frame needs (slots, constants, temporaries), and the constants
    /// (strings, `null`, boxed numbers) preloaded there.
    let valueRegisterCount: Int
    let valueConstants: [(register: Int, value: Value)]
    let maxStringBytes: Int

    init(code: [Instruction], terms: [(Double, Int32)], linearTerms: [Compiler.LinearTerm], strings: [String],
         sites: [ErrorSite?], failures: [FormulaError], maxSteps: Int, registerCount: Int,
         constants: [(register: Int, value: Double)],
         traceNodes: [TraceNode] = [], valueRegisterCount: Int = 0, valueConstants: [(register: Int, value: Value)] = [],
         maxStringBytes: Int = Limits().maxStringBytes) {
        self.code = .allocate(capacity: max(code.count, 1))
        self.code.initialize(from: code, count: code.count)
        codeCount = code.count
        termCoefficients = .allocate(capacity: max(terms.count, 1))
        termRegisters = .allocate(capacity: max(terms.count, 1))
        for (k, term) in terms.enumerated() {
            (termCoefficients + k).initialize(to: term.0)
            (termRegisters + k).initialize(to: term.1)
        }
        termCount = terms.count
        self.linearTerms = linearTerms
        self.strings = .allocate(capacity: max(strings.count, 1))
        for (k, s) in strings.enumerated() {
            let utf8 = Array(s.utf8)
            let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: max(utf8.count, 1))
            bytes.initialize(from: utf8, count: utf8.count)
            (self.strings + k).initialize(to: StringConstant(string: s, bytes: bytes, count: utf8.count))
        }
        stringCount = strings.count
        self.sites = sites
        self.failures = failures
        self.maxSteps = maxSteps
        self.registerCount = registerCount
        self.constants = constants
        self.traceNodes = traceNodes
        self.valueRegisterCount = valueRegisterCount
        self.valueConstants = valueConstants
        self.maxStringBytes = maxStringBytes
    }

    deinit {
        code.deinitialize(count: codeCount).deallocate()
        termCoefficients.deinitialize(count: termCount).deallocate()
        termRegisters.deinitialize(count: termCount).deallocate()
        for k in 0..<stringCount { strings[k].bytes.deallocate() }
        strings.deinitialize(count: stringCount).deallocate()
    }
}

/// A subexpression a traced program records: its range, and whether it is the condition of an
/// `if` or `?:`.
struct TraceNode {
    var range: SourceRange
    var isCondition: Bool
}

extension Program: CustomStringConvertible {
    /// One line per instruction (for debugging).
    @usableFromInline var description: String {
        (0..<codeCount).map { k in
            let i = code[k]
            return "\(k): \(i.op) d=\(i.d) a=\(i.a) b=\(i.b)" + (i.cost == 0 ? "" : " cost=\(i.cost)")
        }.joined(separator: "\n")
    }
}
