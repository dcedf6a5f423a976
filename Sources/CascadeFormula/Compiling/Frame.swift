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
public final class Frame {
    /// Unboxed registers: numbers, and booleans as 0/1.
    @usableFromInline let numbers: UnsafeMutablePointer<Double>
    /// Boxed registers: strings, null, and values of unknown type.
    let values: UnsafeMutablePointer<Value>
    let numberCount: Int
    let valueCount: Int
    @usableFromInline let storage: [SlotStorage]
    let inputTypes: [InputType]
    let isStringSlot: [Bool]
    let maxStringBytes: Int
    var steps = 0
    /// The returned value: a number unboxed (the common case), anything else in `result`.
    var result: Value = .undefined
    var resultNumber = 0.0
    var resultIsNumber = false

    init(numberCount: Int, valueCount: Int, storage: [SlotStorage], inputTypes: [InputType], maxStringBytes: Int) {
        self.numberCount = numberCount
        self.valueCount = valueCount
        self.storage = storage
        self.inputTypes = inputTypes
        self.isStringSlot = inputTypes.map { $0 == .string }
        self.maxStringBytes = maxStringBytes
        numbers = .allocate(capacity: max(numberCount, 1))
        numbers.initialize(repeating: 0, count: max(numberCount, 1))
        values = .allocate(capacity: max(valueCount, 1))
        values.initialize(repeating: .null, count: max(valueCount, 1))
    }

    deinit {
        numbers.deallocate()
        values.deinitialize(count: max(valueCount, 1))
        values.deallocate()
    }

    /// Sets a number input (the fast path: no checks beyond the slot's storage kind).
    @inlinable
    public func setNumber(_ x: Double, at slot: Int) {
        if case .number(let k) = storage[slot] { numbers[k] = x }
    }

    /// Sets a boolean input.
    @inlinable
    public func setBoolean(_ b: Bool, at slot: Int) {
        if case .boolean(let k) = storage[slot] { numbers[k] = b ? 1 : 0 }
    }

    /// Sets any input from a value, checking it against the slot's declared type.
    public func setValue(_ value: Value, at slot: Int) throws(FormulaError) {
        // The common case first: a string into a string slot.
        if case .string(let s) = value, isStringSlot[slot], s.utf8.count <= maxStringBytes,
           case .value(let k) = storage[slot] {
            values[k] = value
            return
        }
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
            throw FormulaError(Diagnostic(.type, "binding", "input slot \(slot) expects a \(type) but was given \(detail)",
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
