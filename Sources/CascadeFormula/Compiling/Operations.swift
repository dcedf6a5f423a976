typealias NumberCode = @Sendable (Frame) throws -> Double
typealias BoolCode = @Sendable (Frame) throws -> Bool
typealias StringCode = @Sendable (Frame) throws -> String
typealias ValueCode = @Sendable (Frame) throws -> Value
/// Runs a statement; true when it executed `return` (the value is then in `Frame.result`).
typealias StatementCode = @Sendable (Frame) throws -> Bool

/// A numeric operand, kept as a constant or a register when possible so that operations on
/// leaves compile to a single closure.
enum NumberOperand {
    case constant(Double)
    case register(Int)
    case code(NumberCode)

    var code: NumberCode {
        switch self {
        case .constant(let c): { _ in c }
        case .register(let k): { f in f.numbers[k] }
        case .code(let c): c
        }
    }
}

/// A binary numeric operation with JavaScript's result, or an error where JavaScript gives NaN or ±Infinity.
protocol NumericOperation {
    static func apply(_ a: Double, _ b: Double, _ site: ErrorSite) throws(FormulaError) -> Double
}

enum AddOperation: NumericOperation {
    @inline(__always)
    static func apply(_ a: Double, _ b: Double, _ site: ErrorSite) throws(FormulaError) -> Double {
        let r = a + b
        if r.isFinite { return r }
        throw site.nonFinite(r, [a, b])
    }
}

enum SubtractOperation: NumericOperation {
    @inline(__always)
    static func apply(_ a: Double, _ b: Double, _ site: ErrorSite) throws(FormulaError) -> Double {
        let r = a - b
        if r.isFinite { return r }
        throw site.nonFinite(r, [a, b])
    }
}

enum MultiplyOperation: NumericOperation {
    @inline(__always)
    static func apply(_ a: Double, _ b: Double, _ site: ErrorSite) throws(FormulaError) -> Double {
        let r = a * b
        if r.isFinite { return r }
        throw site.nonFinite(r, [a, b])
    }
}

enum DivideOperation: NumericOperation {
    @inline(__always)
    static func apply(_ a: Double, _ b: Double, _ site: ErrorSite) throws(FormulaError) -> Double {
        if b == 0 { throw site.divisionByZero(a, b, remainder: false) }
        let r = a / b
        if r.isFinite { return r }
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
        if r.isFinite { return r }
        throw site.nonFinite(r, [a, b])
    }
}

enum MaxOperation: NumericOperation {
    @inline(__always)
    static func apply(_ a: Double, _ b: Double, _ site: ErrorSite) throws(FormulaError) -> Double { JSMath.max(a, b) }
}

enum MinOperation: NumericOperation {
    @inline(__always)
    static func apply(_ a: Double, _ b: Double, _ site: ErrorSite) throws(FormulaError) -> Double { JSMath.min(a, b) }
}

/// A numeric comparison (operands are finite, so IEEE comparison is JavaScript's).
protocol ComparisonOperation {
    static func apply(_ a: Double, _ b: Double) -> Bool
}

enum LessOperation: ComparisonOperation { @inline(__always) static func apply(_ a: Double, _ b: Double) -> Bool { a < b } }
enum LessEqualOperation: ComparisonOperation { @inline(__always) static func apply(_ a: Double, _ b: Double) -> Bool { a <= b } }
enum GreaterOperation: ComparisonOperation { @inline(__always) static func apply(_ a: Double, _ b: Double) -> Bool { a > b } }
enum GreaterEqualOperation: ComparisonOperation { @inline(__always) static func apply(_ a: Double, _ b: Double) -> Bool { a >= b } }
enum EqualOperation: ComparisonOperation { @inline(__always) static func apply(_ a: Double, _ b: Double) -> Bool { a == b } }
enum NotEqualOperation: ComparisonOperation { @inline(__always) static func apply(_ a: Double, _ b: Double) -> Bool { a != b } }

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
