@testable import CascadeStore
import CascadeFormula
import CascadeJSON
import Testing

/// The one test-case runner (registration, `cascade formula test` and the REPL's `:test`):
/// what each kind of case gives, and whether it passes.
struct FormulaTestCaseRunTests {
    static let source = "if (s < 80) return -0.25;\nelse if (s > 120) return 0.15 / d;"

    /// (test case, passes, what the runner saw)
    static let cases: [(String, Bool, String)] = [
        (#"{"inputs": {"s": 72, "d": 1}, "expected": -0.25}"#, true, "value -0.25"),
        (#"{"inputs": {"s": 72, "d": 1}, "expected": -0.2, "tolerance": 0.1}"#, true, "value -0.25"),
        (#"{"inputs": {"s": 72, "d": 1}, "expected": -0.2}"#, false, "value -0.25"),
        (#"{"inputs": {"s": 72, "d": 1}, "expected": "-0.25"}"#, false, "value -0.25"),
        (#"{"inputs": {"s": 100, "d": 1}, "expected_type": "undefined"}"#, true, "value undefined"),
        (#"{"inputs": {"s": 130, "d": 1}, "expected_type": "undefined"}"#, false, "value 0.15"),
        (#"{"inputs": {"s": 130, "d": 0}, "expected_error": "runtime.division-by-zero"}"#, true, "failed runtime.division-by-zero"),
        (#"{"inputs": {"s": 130, "d": 0}, "expected_error": "runtime"}"#, true, "failed runtime.division-by-zero"),
        (#"{"inputs": {"s": 130, "d": 0}, "expected_error": "runtime.non-finite"}"#, false, "failed runtime.division-by-zero"),
        (#"{"inputs": {"s": 100, "d": 0}, "expected_error": "runtime"}"#, false, "value undefined"),
        (#"{"inputs": {"s": 130, "d": 0}, "expected": 1}"#, false, "failed runtime.division-by-zero"),
        (#"{"inputs": {"s": 1}, "expected": 1}"#, false, "missing d"),
        (#"{"inputs": {"s": 1, "d": 1, "h": 2}, "expected": 1}"#, false, "undeclared h"),
        (#"{"inputs": {"s": 1, "d": [1]}, "expected": 1}"#, false, "unbindable d"),
    ]

    @Test(arguments: FormulaTestCaseRunTests.cases)
    func aCaseRunsOnceTheSameWayEverywhere(_ text: String, _ passes: Bool, _ saw: String) throws {
        var problems: [Problem] = []
        let testCase = try #require(FormulaTestCase.decode(try JSONValue.parse(text), at: .root, file: nil, problems: &problems))
        let parameters: [String: InputType] = ["s": .number, "d": .number]
        let formula = try #require(Formula.compile(Self.source, inputs: parameters).formula)
        let run = testCase.run(formula, parameters: parameters)
        #expect(run.isPassing == passes)
        let description = switch run.outcome {
        case .value(let value): "value \(value == .undefined ? "undefined" : JSONValue(value).serialized())"
        case .failed(let diagnostic): "failed \(diagnostic.code)"
        case .missingInput(let name): "missing \(name)"
        case .undeclaredInput(let name): "undeclared \(name)"
        case .unbindableInput(let name, _): "unbindable \(name)"
        }
        #expect(description == saw)
    }
}
