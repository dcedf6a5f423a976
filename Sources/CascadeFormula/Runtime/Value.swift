/// A formula value: what bindings supply and what evaluation returns.
public enum Value: Hashable, Sendable, CustomStringConvertible {
    case number(Double)
    case boolean(Bool)
    case string(String)
    case null
    /// A read-only record (`source`, `coeff`, a JSON object binding). Records are inputs only.
    case record([String: Value])
    /// No value: the formula fell off the end without `return` (JavaScript `undefined`).
    case undefined

    /// The name of the value's type as `eval --json` prints it.
    public var typeName: String {
        switch self {
        case .number: "number"
        case .boolean: "boolean"
        case .string: "string"
        case .null: "null"
        case .record: "record"
        case .undefined: "undefined"
        }
    }

    /// JavaScript's `String(value)` for scalars; records print as `{…}` with their keys.
    public var description: String {
        switch self {
        case .number(let x): JSNumber.format(x)
        case .boolean(let b): b ? "true" : "false"
        case .string(let s): JSNumber.quoted(s)
        case .null: "null"
        case .record(let fields): "{" + fields.keys.sorted().joined(separator: ", ") + "}"
        case .undefined: "undefined"
        }
    }

    /// The input type this value has when bound as a formula input.
    public var inputType: InputType {
        switch self {
        case .number: .number
        case .boolean: .boolean
        case .string: .string
        case .null: .null
        case .record(let fields): .record(fields.mapValues(\.inputType))
        case .undefined: .any
        }
    }
}

/// The declared type of a formula input: a parameter, a context record, or a binding.
public indirect enum InputType: Hashable, Sendable, CustomStringConvertible {
    case number
    case boolean
    case string
    case null
    /// A read-only record whose fields are known when the formula is compiled.
    case record([String: InputType])
    /// A value whose type is only known at run time (e.g. free-form entity metadata);
    /// every use is checked when the formula runs.
    case any

    /// Parses a declared parameter type as written in a formula version's `parameters`
    /// (`"number"`, `"boolean"`, `"string"`, `"null"`, `"any"`, `"record"`).
    public init?(declared name: String) {
        switch name {
        case "number": self = .number
        case "boolean": self = .boolean
        case "string": self = .string
        case "null": self = .null
        case "any", "record", "object": self = .any
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .number: "number"
        case .boolean: "boolean"
        case .string: "string"
        case .null: "null"
        case .record(let fields):
            "{" + fields.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        case .any: "any"
        }
    }
}
