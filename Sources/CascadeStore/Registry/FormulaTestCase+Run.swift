import CascadeFormula
import CascadeJSON

/// The one test-case runner: registration and `cascade formula test` (through `FormulaCheck`)
/// and the REPL's `:test` all run a `FormulaTestCase` here, and differ only in how they word
/// the outcome.
extension FormulaTestCase {
    /// What a case expects, in the order a document's fields are consulted: `expected_error`,
    /// then `expected_type: "undefined"`, then `expected`.
    package enum Expectation: Sendable, Equatable {
        /// A value; numbers match within `tolerance`.
        case value(JSONValue, tolerance: Double)
        /// No value: the formula falls off the end.
        case undefined
        /// An error of this kind (`runtime`) or code (`runtime.division-by-zero`).
        case error(String)
    }

    package var expectation: Expectation {
        if let expectedError { return .error(expectedError) }
        if expectedType == "undefined" { return .undefined }
        return .value(expected ?? .null, tolerance: tolerance)
    }

    /// What running a case gave.
    package enum Outcome: Sendable {
        /// An input that is not a declared parameter.
        case undeclaredInput(String)
        /// An input that has no formula value (an array, anywhere inside), with why.
        case unbindableInput(String, JSONError)
        /// A declared parameter the case gives no value (the first in name order).
        case missingInput(String)
        /// Evaluation failed.
        case failed(Diagnostic)
        /// Evaluation gave a value (`.undefined` when the formula fell off its end).
        case value(Value)
    }

    /// One case run: its outcome, and whether that is what the case expects.
    package struct Run: Sendable {
        package var outcome: Outcome
        package var isPassing: Bool
    }

    /// Binds the inputs to the declared `parameters` and evaluates `formula`.
    package func run(_ formula: CompiledFormula, parameters: [String: InputType]) -> Run {
        var bindings: [String: Value] = [:]
        for (name, json) in inputs {
            guard parameters[name] != nil else { return Run(outcome: .undeclaredInput(name), isPassing: false) }
            do {
                bindings[name] = try json.formulaValue()
            } catch {
                return Run(outcome: .unbindableInput(name, error), isPassing: false)
            }
        }
        if let missing = parameters.keys.sorted().first(where: { bindings[$0] == nil }) {
            return Run(outcome: .missingInput(missing), isPassing: false)
        }
        let outcome: Outcome
        do {
            outcome = .value(try formula.evaluate(bindings))
        } catch {
            outcome = .failed(error.diagnostic)
        }
        return Run(outcome: outcome, isPassing: Self.passes(outcome, expectation))
    }

    static func passes(_ outcome: Outcome, _ expectation: Expectation) -> Bool {
        switch (expectation, outcome) {
        case (.error(let want), .failed(let diagnostic)): diagnostic.code == want || diagnostic.kind.rawValue == want
        case (.undefined, .value(let value)): value == .undefined
        case (.value(let expected, let tolerance), .value(let value)): matches(value, expected, tolerance: tolerance)
        default: false
        }
    }

    /// Whether a value is the expected JSON: numbers within `tolerance` (both finite), booleans,
    /// strings and null exactly; a record never matches.
    static func matches(_ value: Value, _ expected: JSONValue, tolerance: Double) -> Bool {
        switch (value, expected) {
        case (.number(let x), .number(let y)):
            if x == y { return true }
            return x.isFinite && y.isFinite && abs(x - y) <= tolerance
        case (.boolean(let a), .bool(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.null, .null): return true
        default: return false
        }
    }

    /// The expectation as messages write it: `1.8`, `undefined`, `error runtime`.
    package var expectedText: String {
        switch expectation {
        case .value(let json, _): json.serialized()
        case .undefined: "undefined"
        case .error(let code): "error \(code)"
        }
    }
}
