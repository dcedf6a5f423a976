import CascadeFormula
import CascadeJSON

/// A registered formula version as the REPL works with it: text, declared parameters and test cases.
struct LoadedFormula: Sendable, Equatable {
    struct Parameter: Sendable, Equatable {
        var name: String
        /// The declared type name (`number`, `boolean`, `string`, `null`, `any`).
        var typeName: String
    }

    var name: String
    var version: Int
    var text: String
    /// In the document's order.
    var parameters: [Parameter]
    var description: String?
    var testCases: [LoadedTestCase]

    /// `name@version`.
    var reference: String { "\(name)@\(version)" }

    /// The declared parameters as checker inputs; unknown type names are listed in `unknown`.
    func inputs() -> (types: [String: InputType], unknown: [Parameter]) {
        var types: [String: InputType] = [:]
        var unknown: [Parameter] = []
        for parameter in parameters {
            if let type = InputType(declared: parameter.typeName) { types[parameter.name] = type } else { unknown.append(parameter) }
        }
        return (types, unknown)
    }
}

/// One stored example of a formula version: inputs, and what the formula must give for them.
struct LoadedTestCase: Sendable, Equatable {
    enum Expectation: Sendable, Equatable {
        /// A value; numbers match within `tolerance`.
        case value(JSONValue, tolerance: Double)
        /// No value: the formula falls off the end.
        case undefined
        /// An error of this kind (`runtime`) or code (`runtime.division-by-zero`).
        case error(String)
    }

    var name: String?
    var inputs: JSONObject
    var expectation: Expectation
}

extension LoadedFormula {
    /// Reads a formula version document: `name`, `formula_text`, `parameters`, `description`, `test_cases`.
    init(document: JSONValue, version: Int) throws {
        func fail(_ message: String) -> FormulaLibraryError { FormulaLibraryError(message: "formula document: \(message)") }
        guard case .string(let name)? = document["name"] else { throw fail("`name` must be a string") }
        guard case .string(let text)? = document["formula_text"] else { throw fail("`formula_text` of `\(name)` must be a string") }
        var parameters: [Parameter] = []
        for (key, type) in document["parameters"]?.objectValue ?? JSONObject() {
            guard case .string(let typeName) = type else { throw fail("parameter `\(key)` of `\(name)` must name a type") }
            parameters.append(Parameter(name: key, typeName: typeName))
        }
        var cases: [LoadedTestCase] = []
        for (index, raw) in (document["test_cases"]?.arrayValue ?? []).enumerated() {
            guard let inputs = raw["inputs"]?.objectValue else { throw fail("test case \(index) of `\(name)` needs `inputs`") }
            let expectation: LoadedTestCase.Expectation
            if case .string(let code)? = raw["expected_error"] {
                expectation = .error(code)
            } else if raw["expected_type"]?.stringValue == "undefined" {
                expectation = .undefined
            } else if let expected = raw["expected"] {
                expectation = .value(expected, tolerance: raw["tolerance"]?.numberValue ?? 1e-9)
            } else {
                throw fail("test case \(index) of `\(name)` needs `expected`")
            }
            cases.append(LoadedTestCase(name: raw["name"]?.stringValue, inputs: inputs, expectation: expectation))
        }
        self.init(name: name, version: version, text: text, parameters: parameters,
                  description: document["description"]?.stringValue, testCases: cases)
    }
}
