import CascadeFormula
import CascadeJSON
import CascadeStore

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
    /// The one model of a test case (`FormulaTestCase`), run by the one runner.
    var testCases: [FormulaTestCase]

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
        var cases: [FormulaTestCase] = []
        var problems: [Problem] = []
        for (index, raw) in (document["test_cases"]?.arrayValue ?? []).enumerated() {
            if let testCase = FormulaTestCase.decode(raw, at: JSONPath.root.appending("test_cases").appending(index), file: nil, problems: &problems) {
                cases.append(testCase)
            }
        }
        if !problems.isEmpty {
            throw fail("`\(name)`: " + problems.map(\.description).joined(separator: "; "))
        }
        self.init(name: name, version: version, text: text, parameters: parameters,
                  description: document["description"]?.stringValue, testCases: cases)
    }
}
