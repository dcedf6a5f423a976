/// A compiled formula as a flat register program: typed instructions over a frame's unboxed
/// registers, run by one dispatch loop. Numbers and booleans (as 0/1) live in `Frame.numbers`;
/// constants are preloaded there when a frame is made; every temporary has its own register
/// (there are no loops, so a program never needs more registers than it has operations).
///
/// Strings made of literals, string inputs and locals, `+` and `?:` live in value registers
/// (`Frame.values`). What the loop does not do itself (`null`, values of unknown type, records,
/// `===` between two computed strings) it hands to closures built by `Compiler`, which own those
/// semantics.
@usableFromInline
final class Program: @unchecked Sendable {  // immutable after init; frames are per thread
    let code: UnsafeMutablePointer<Instruction>
    let codeCount: Int
    /// Fused sums: coefficient and register per term (a subtracted term has its coefficient
    /// negated, a bare register has coefficient 1, a constant is its value times a register of 1).
    let termCoefficients: UnsafeMutablePointer<Double>
    let termRegisters: UnsafeMutablePointer<Int32>
    let termCount: Int
    let strings: UnsafeMutablePointer<StringConstant>
    let stringCount: Int
    let numberCode: [NumberCode]
    let booleanCode: [BoolCode]
    let statementCode: [StatementCode]
    /// Per instruction that can fail: where, and (for fused sums) the checked closure that finds
    /// which operation failed.
    let sites: [ErrorSite?]
    let checkedSums: [Int: NumberCode]
    let maxSteps: Int
    /// Registers the frame needs (inputs, locals, constants, temporaries), and the constants.
    let registerCount: Int
    let constants: [(register: Int, value: Double)]
    /// A traced program's trace nodes (empty in the fast program).
    let traceNodes: [TraceNode]
    /// Value registers the frame needs (slots, string constants, string temporaries), and the
    /// string constants preloaded there.
    let valueRegisterCount: Int
    let valueConstants: [(register: Int, value: Value)]
    let maxStringBytes: Int
    /// The `numberCode` closures whose result has no derivative (reads of non-number inputs).
    let inputReadCode: Set<Int>

    init(code: [Instruction], terms: [(Double, Int32)], strings: [String], numberCode: [NumberCode],
         booleanCode: [BoolCode], statementCode: [StatementCode], sites: [ErrorSite?],
         checkedSums: [Int: NumberCode], maxSteps: Int, registerCount: Int, constants: [(register: Int, value: Double)],
         traceNodes: [TraceNode] = [], valueRegisterCount: Int = 0, valueConstants: [(register: Int, value: Value)] = [],
         maxStringBytes: Int = Limits().maxStringBytes, inputReadCode: Set<Int> = []) {
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
        self.strings = .allocate(capacity: max(strings.count, 1))
        for (k, s) in strings.enumerated() {
            let utf8 = Array(s.utf8)
            let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: max(utf8.count, 1))
            bytes.initialize(from: utf8, count: utf8.count)
            (self.strings + k).initialize(to: StringConstant(string: s, bytes: bytes, count: utf8.count))
        }
        stringCount = strings.count
        self.numberCode = numberCode
        self.booleanCode = booleanCode
        self.statementCode = statementCode
        self.sites = sites
        self.checkedSums = checkedSums
        self.maxSteps = maxSteps
        self.registerCount = registerCount
        self.constants = constants
        self.traceNodes = traceNodes
        self.valueRegisterCount = valueRegisterCount
        self.valueConstants = valueConstants
        self.maxStringBytes = maxStringBytes
        self.inputReadCode = inputReadCode
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
