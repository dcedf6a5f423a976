/// Where one slot (an input or a local) lives in a frame: the unboxed number/boolean registers,
/// or the boxed value registers (strings, null, values of unknown type).
@usableFromInline
enum SlotStorage: Sendable, Equatable {
    case number(Int)
    case boolean(Int)
    case value(Int)
}

/// The registers of one evaluation. Make one per thread with `CompiledFormula.makeFrame()`, set the
/// inputs, and evaluate as often as you like; a frame must not be shared between threads.
@usableFromInline package final class Frame {
    /// Unboxed registers: numbers, and booleans as 0/1 (inputs at fixed registers — slot i's number
    /// at i, its boolean at `slotCount + i` — then locals, constants, temporaries, and one last
    /// spare register, where `DerivativeFrame` finds the result of a fused `…Return`).
    @usableFromInline let numbers: UnsafeMutablePointer<Double>
    /// Boxed registers: strings, null, and values of unknown type.
    @usableFromInline let values: UnsafeMutablePointer<Value>
    let registerCount: Int
    let valueCount: Int
    /// Per input slot: its value register when it holds strings, else -1.
    @usableFromInline let stringSlots: UnsafeMutablePointer<Int>
    @usableFromInline let slotCount: Int
    @usableFromInline let storage: [SlotStorage]
    let inputTypes: [InputType]
    /// Per input slot: the path it is bound from (`x`, `source.value`), for error messages.
    let inputPaths: [String]
    @usableFromInline let maxStringBytes: Int
    /// The returned value: numbers and booleans (0/1) unboxed, anything else in `result`.
    @usableFromInline var result: Value = .undefined
    @usableFromInline var resultNumber = 0.0
    /// What a traced program recorded: (trace node, value) in evaluation order. Always empty
    /// for the fast program.
    var trace: [(node: Int, value: Value)] = []

    init(program: Program, valueCount: Int, storage: [SlotStorage], inputTypes: [InputType], inputPaths: [String],
         maxStringBytes: Int) {
        registerCount = program.registerCount + 1
        self.valueCount = max(valueCount, program.valueRegisterCount)
        self.storage = storage
        self.inputTypes = inputTypes
        self.inputPaths = inputPaths
        self.maxStringBytes = maxStringBytes
        numbers = .allocate(capacity: registerCount)
        numbers.initialize(repeating: 0, count: registerCount)
        for (k, x) in program.constants { numbers[k] = x }
        values = .allocate(capacity: max(self.valueCount, 1))
        values.initialize(repeating: .null, count: max(self.valueCount, 1))
        for (k, value) in program.valueConstants { values[k] = value }
        slotCount = storage.count
        stringSlots = .allocate(capacity: max(slotCount, 1))
        precondition(registerCount >= 2 * slotCount)
        for (slot, place) in storage.enumerated() {
            // The compiler's fixed input registers (see `Compiler.init`), which the setters rely on.
            switch place {
            case .number(let k): precondition(k == slot, "input slot \(slot) is not at its number register")
            case .boolean(let k): precondition(k == slotCount + slot, "input slot \(slot) is not at its boolean register")
            case .value: break
            }
            var string = -1
            if case .value(let k) = place, inputTypes[slot] == .string { string = k }
            (stringSlots + slot).initialize(to: string)
        }
    }

    deinit {
        numbers.deallocate()
        values.deinitialize(count: max(self.valueCount, 1))
        values.deallocate()
        stringSlots.deallocate()
    }

    /// The inputs as last set, in slot order: each slot's path (`x`, `source.value`) and value
    /// (for explanations, which show what a formula read; not used while evaluating).
    package var inputValues: [(path: String, value: Value)] {
        inputPaths.indices.map { slot in
            let value: Value = switch storage[slot] {
            case .number(let k): .number(numbers[k])
            case .boolean(let k): .boolean(numbers[k] != 0)
            case .value(let k): values[k]
            }
            return (inputPaths[slot], value)
        }
    }

    /// Sets a number input (the fast path: one store, no checks beyond the slot's range; a slot of
    /// another kind ignores it). Slot i's number lives in register i (see `Compiler.init`).
    @inlinable
    package func setNumber(_ x: Double, at slot: Int) {
        precondition(UInt(bitPattern: slot) < UInt(bitPattern: slotCount))
        numbers[slot] = x
    }

    /// Sets the number inputs of slots `0..<count` from `count` consecutive doubles: one copy,
    /// the same as `setNumber(values[k], at: k)` for each k (a slot of another kind ignores its
    /// double, so a row may hold anything there).
    @inlinable
    package func setNumbers(_ values: UnsafePointer<Double>, count: Int) {
        precondition(count >= 0 && count <= slotCount)
        switch count {  // a few stores beat a call to memmove
        case 0: break
        case 1: numbers[0] = values[0]
        case 2: numbers[0] = values[0]; numbers[1] = values[1]
        case 3: numbers[0] = values[0]; numbers[1] = values[1]; numbers[2] = values[2]
        default: numbers.update(from: values, count: count)
        }
    }

    /// Sets a boolean input (a slot of another kind ignores it). Slot i's boolean lives in
    /// register `slotCount + i`.
    @inlinable
    package func setBoolean(_ b: Bool, at slot: Int) {
        precondition(UInt(bitPattern: slot) < UInt(bitPattern: slotCount))
        numbers[slotCount &+ slot] = b ? 1 : 0
    }

    /// Sets any input from a value, checking it against the slot's declared type.
    @inlinable
    package func setValue(_ value: Value, at slot: Int) throws(FormulaError) {
        // The common case first: a string into a string slot.
        if case .string(let s) = value, UInt(bitPattern: slot) < UInt(bitPattern: slotCount) {
            let k = stringSlots[slot]
            if k >= 0 && s.utf8.count <= maxStringBytes {
                values[k] = value
                return
            }
        }
        try setAnyValue(value, at: slot)
    }

    @usableFromInline
    func setAnyValue(_ value: Value, at slot: Int) throws(FormulaError) {
        let type = inputTypes[slot]
        switch (storage[slot], value) {
        case (.number(let k), .number(let x)) where x.isFinite:
            numbers[k] = x
        case (.boolean(let k), .boolean(let b)):
            numbers[k] = b ? 1 : 0
        case (.value(let k), _):
            if case .string(let s) = value, s.utf8.count > maxStringBytes {
                throw FormulaError(Diagnostic(.limit, "string-length",
                                              "a bound string is \(s.utf8.count) bytes; the limit is \(maxStringBytes)",
                                              at: SourceRange(0, 0)))
            }
            guard Frame.conforms(value, to: type) else { fallthrough }
            values[k] = value
        default:
            let detail = if case .number(let x) = value, !x.isFinite { "a non-finite number (\(JSNumber.format(x)))" }
                         else { "a \(value.typeName)" }
            throw FormulaError(Diagnostic(.type, "binding", "input slot \(slot) (`\(inputPaths[slot])`) expects a \(type) but was given \(detail)",
                                          at: SourceRange(0, 0)))
        }
    }

    static func conforms(_ value: Value, to type: InputType) -> Bool {
        switch (type, value) {
        case (.any, .undefined): false
        case (.any, _): true
        case (.number, .number(let x)): x.isFinite
        case (.boolean, .boolean), (.string, .string), (.null, .null): true
        case (.record(let fields), .record(let given)):
            fields.allSatisfy { name, fieldType in given[name].map { conforms($0, to: fieldType) } ?? false }
        default: false
        }
    }
}
