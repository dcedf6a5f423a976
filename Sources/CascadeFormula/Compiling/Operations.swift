/// A binary numeric operation with JavaScript's result, or an error where JavaScript gives NaN or
/// ±Infinity: what the compiler folds constants with and finds a fused sum's failing operation
/// with. The dispatch loop performs the same operations inline (`Program.run`), with the same
/// finite check (`isFiniteNumber`).
protocol NumericOperation {
    static func apply(_ a: Double, _ b: Double, _ site: ErrorSite) throws(FormulaError) -> Double
}

enum AddOperation: NumericOperation {
    @inline(__always)
    static func apply(_ a: Double, _ b: Double, _ site: ErrorSite) throws(FormulaError) -> Double {
        let r = a + b
        if r.isFiniteNumber { return r }
        throw site.nonFinite(r, [a, b])
    }
}

enum SubtractOperation: NumericOperation {
    @inline(__always)
    static func apply(_ a: Double, _ b: Double, _ site: ErrorSite) throws(FormulaError) -> Double {
        let r = a - b
        if r.isFiniteNumber { return r }
        throw site.nonFinite(r, [a, b])
    }
}

enum MultiplyOperation: NumericOperation {
    @inline(__always)
    static func apply(_ a: Double, _ b: Double, _ site: ErrorSite) throws(FormulaError) -> Double {
        let r = a * b
        if r.isFiniteNumber { return r }
        throw site.nonFinite(r, [a, b])
    }
}

enum DivideOperation: NumericOperation {
    @inline(__always)
    static func apply(_ a: Double, _ b: Double, _ site: ErrorSite) throws(FormulaError) -> Double {
        if b == 0 { throw site.divisionByZero(a, b, remainder: false) }
        let r = a / b
        if r.isFiniteNumber { return r }
        throw site.nonFinite(r, [a, b])
    }
}

enum RemainderOperation: NumericOperation {
    /// JavaScript's `%` is C's `fmod`: the sign follows the dividend; exact for finite operands.
    @inline(__always)
    static func apply(_ a: Double, _ b: Double, _ site: ErrorSite) throws(FormulaError) -> Double {
        if b == 0 { throw site.divisionByZero(a, b, remainder: true) }
        return a.truncatingRemainder(dividingBy: b)
    }
}

enum PowerOperation: NumericOperation {
    @inline(__always)
    static func apply(_ a: Double, _ b: Double, _ site: ErrorSite) throws(FormulaError) -> Double {
        let r = JSMath.pow(a, b)
        if r.isFiniteNumber { return r }
        throw site.nonFinite(r, [a, b])
    }
}

/// A one-argument Math function.
protocol MathOperation {
    static func apply(_ x: Double) -> Double
    /// False when a finite argument always gives a finite result (no check needed).
    static var canFail: Bool { get }
}

enum AbsOperation: MathOperation { static func apply(_ x: Double) -> Double { JSMath.abs(x) }; static var canFail: Bool { false } }
enum FloorOperation: MathOperation { static func apply(_ x: Double) -> Double { JSMath.floor(x) }; static var canFail: Bool { false } }
enum CeilOperation: MathOperation { static func apply(_ x: Double) -> Double { JSMath.ceil(x) }; static var canFail: Bool { false } }
enum RoundOperation: MathOperation { static func apply(_ x: Double) -> Double { JSMath.round(x) }; static var canFail: Bool { false } }
enum TruncOperation: MathOperation { static func apply(_ x: Double) -> Double { JSMath.trunc(x) }; static var canFail: Bool { false } }
enum SignOperation: MathOperation { static func apply(_ x: Double) -> Double { JSMath.sign(x) }; static var canFail: Bool { false } }
enum SqrtOperation: MathOperation { static func apply(_ x: Double) -> Double { JSMath.sqrt(x) }; static var canFail: Bool { true } }
enum ExpOperation: MathOperation { static func apply(_ x: Double) -> Double { JSMath.exp(x) }; static var canFail: Bool { true } }
enum LogOperation: MathOperation { static func apply(_ x: Double) -> Double { JSMath.log(x) }; static var canFail: Bool { true } }
enum Log10Operation: MathOperation { static func apply(_ x: Double) -> Double { JSMath.log10(x) }; static var canFail: Bool { true } }
enum Log2Operation: MathOperation { static func apply(_ x: Double) -> Double { JSMath.log2(x) }; static var canFail: Bool { true } }

/// JavaScript's `===` on two strings: equal code units (not Swift's canonical equivalence).
@inline(__always)
func jsStringEquals(_ a: String, _ b: String) -> Bool {
    // Swift's `==` (canonical equivalence) is never false when the code units are equal, so a
    // `false` is final; a `true` is confirmed byte by byte.
    a == b && a.utf8.elementsEqual(b.utf8)
}

/// JavaScript's `===` on two scalar values.
func jsStrictEquals(_ a: Value, _ b: Value) -> Bool {
    switch (a, b) {
    case (.number(let x), .number(let y)): x == y
    case (.boolean(let x), .boolean(let y)): x == y
    case (.string(let x), .string(let y)): jsStringEquals(x, y)
    case (.null, .null): true
    default: false
    }
}
