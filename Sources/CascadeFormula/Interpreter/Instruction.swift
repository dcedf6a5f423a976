/// One operation of the register program (see `Program`).
@usableFromInline
enum Opcode: UInt8 {
    // Numbers: n[d] = n[a] op n[b], each with JavaScript's result or a located error.
    case add, subtract, multiply, divide, remainder, power, square, max, min, negate, move
    case abs, sqrt, exp, log, log10, log2, floor, ceil, round, sign, trunc
    /// n[d] = the fused sum of terms a..<a+b (see `Program.linearTerms`).
    case linear
    /// pc = d.
    case jump
    /// Booleans in registers: jump to d when n[a] != 0 (or == 0).
    case jumpIfTrue, jumpIfFalse
    /// Compare-and-branch: jump to d when n[a] op n[b] holds (If) or does not hold (Unless).
    case jumpIfLess, jumpUnlessLess, jumpIfLessEqual, jumpUnlessLessEqual, jumpIfEqual, jumpUnlessEqual
    /// Jump to d when the string in values[a] has (or has not) the code units of strings[b].
    case jumpIfStringEqual, jumpUnlessStringEqual
    /// Branch-free `?:` on leaves: n[d] = n[a] op n[b] ? n[x] : n[y], with x and y the `d` and
    /// `a` of the next instruction (a `data` word, skipped).
    case selectLess, selectLessEqual, selectEqual
    /// Operands of the instruction before; never dispatched.
    case data
    /// Strings in value registers: v[d] = v[a]; v[d] = v[a] + v[b] (two strings, within the
    /// string limit); return v[a].
    case moveValue, concatenate, returnString
    /// The step meter: steps += a (for a cost too large for `Instruction.cost`).
    case meter
    /// Traced programs only: record n[a] as a number (or as a boolean), or values[a], as the value
    /// of trace node b (see `Program.traceNodes`).
    case traceNumber, traceBoolean, traceValue
    case returnNumber, returnTrue, returnFalse, returnUndefined
    /// An operation whose result is returned at once (`return a * b;`): `add` then `returnNumber`.
    case addReturn, subtractReturn, multiplyReturn, linearReturn
    /// Values in value registers (`null`, values of unknown type, records): v[d] = n[a] as a
    /// number (or as a boolean); n[d] = v[a], which must be a number (or a boolean: 1 or 0);
    /// v[a] must be a string. Each fails with a located type error otherwise, never coerces.
    case boxNumber, boxBoolean, unboxNumber, unboxBoolean, checkString
    /// A dynamic member read: v[d] = the field named strings[b] of the record in v[a].
    case member
    /// `+` on two values of unknown type: v[d] = v[a] + v[b] (two numbers add, two strings join).
    case dynamicAdd
    /// Equality: n[d] = 1 when v[a] and v[b] are equal, else 0: `===` of two scalars, `==` of
    /// two scalars of the same type, `===` of two strings.
    case strictEqualValues, looseEqualValues, equalStrings
    /// Returns v[a], which must be a scalar (a record is not returnable).
    case returnValue
    /// Throws failures[a]: a tree shape the compiler has no code for (see `InternalErrors`).
    case fail
}

@usableFromInline
struct Instruction {
    @usableFromInline var op: Opcode
    /// Steps metered when this instruction runs: the cost of the blocks that start here.
    @usableFromInline var cost: UInt16 = 0
    @usableFromInline var d: Int32
    @usableFromInline var a: Int32
    @usableFromInline var b: Int32

    init(_ op: Opcode, _ d: Int32 = 0, _ a: Int32 = 0, _ b: Int32 = 0) {
        self.op = op
        self.d = d
        self.a = a
        self.b = b
    }
}

/// What a program left in the frame.
@usableFromInline
enum ResultKind {
    case number, boolean, undefined, value
}

/// A string literal compared with `===`: its UTF-8 code units, for a comparison without Unicode
/// normalisation (JavaScript compares code units; equal UTF-8 is equal UTF-16).
struct StringConstant {
    var string: String
    var bytes: UnsafeMutablePointer<UInt8>
    var count: Int
}
