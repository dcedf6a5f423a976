/// The type the checker gives an expression.
enum StaticType: Equatable, Sendable, CustomStringConvertible {
    case number, boolean, string, null
    case record([String: InputType])
    /// Known only at run time; uses are checked when the formula runs.
    case any
    /// The `Math` namespace (only valid before `.`).
    case math
    /// A part already reported as an error; suppresses follow-on diagnostics.
    case error

    init(_ input: InputType) {
        switch input {
        case .number: self = .number
        case .boolean: self = .boolean
        case .string: self = .string
        case .null: self = .null
        case .record(let fields): self = .record(fields)
        case .any: self = .any
        }
    }

    var isScalar: Bool { [.number, .boolean, .string, .null].contains(self) }

    /// `self` can be used where `expected` is required (possibly with a run-time check).
    func fits(_ expected: StaticType) -> Bool { self == expected || self == .any || self == .error }

    var description: String {
        switch self {
        case .number: "number"
        case .boolean: "boolean"
        case .string: "string"
        case .null: "null"
        case .record: "record"
        case .any: "any"
        case .math: "the `Math` namespace"
        case .error: "error"
        }
    }

    /// "a number", "a record", … for messages.
    var withArticle: String {
        switch self {
        case .any: "a value of unknown type"
        case .math: description
        case .error: "an invalid value"
        default: "a \(description)"
        }
    }

    var inputType: InputType {
        switch self {
        case .number: .number
        case .boolean: .boolean
        case .string: .string
        case .null: .null
        case .record(let fields): .record(fields)
        default: .any
        }
    }
}

/// What a name or member chain resolved to.
enum Resolution: Sendable {
    /// An input read from slot `index` of `CheckedFormula.inputs`.
    case input(Int)
    /// A `let`/`const` local in slot `index`.
    case local(Int)
    /// A compile-time constant (`Math.PI`).
    case constant(Double)
    /// A field read at run time from a value of unknown type.
    case dynamicMember
}

/// The whitelisted `Math` functions with their arity (`nil` max means variadic).
enum MathFunction: String, CaseIterable, Sendable {
    case min, max, abs, sqrt, pow, exp, log, log10, log2, floor, ceil, round, sign, trunc

    var arity: ClosedRange<Int> {
        switch self {
        case .min, .max: 1...Int.max
        case .pow: 2...2
        default: 1...1
        }
    }

    static let constants: [String: Double] = [
        "PI": Double.pi, "E": 2.718281828459045, "LN2": 0.6931471805599453, "LN10": 2.302585092994046,
        "LOG2E": 1.4426950408889634, "LOG10E": 0.4342944819032518, "SQRT2": 1.4142135623730951,
        "SQRT1_2": 0.7071067811865476,
    ]

    /// JavaScript Math members that exist but are not available in formulas.
    static let unavailable: Set<String> = [
        "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "cbrt", "clz32", "cos", "cosh", "expm1",
        "fround", "hypot", "imul", "log1p", "sin", "sinh", "tan", "tanh",
    ]
}
