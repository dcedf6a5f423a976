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
    /// Reads a formula version document (docs/formats.md) with the one reader, as registration
    /// reads it (`FormulaDocument.decode`): its keys are the document's keys, so a misspelt one is
    /// refused with what was meant; every missing or mistyped member and every bad test case is a
    /// `Problem` with its JSON path, all collected. Two things are left to `:load` instead:
    /// `effective_date` may be absent, and a parameter may name a type the checker does not know
    /// (`:load` says which). Returns the formula and whether the document gave its `version`
    /// (nil, with the problems, when it cannot be read).
    static func decode(_ value: JSONValue, at path: JSONPath = .root, file: String? = nil,
                       problems: inout [Problem]) -> (formula: LoadedFormula, hasVersion: Bool)? {
        guard let reader = JSONReader(value, at: path, file: file, what: "a formula version document", problems: &problems) else {
            return nil
        }
        let before = problems.count
        reader.rejectUnknownKeys(FormulaDocument.keys, problems: &problems)
        let name = reader.string("name", required: true, problems: &problems)
        let text = reader.string("formula_text", required: true, problems: &problems)
        let version = reader.integer("version", in: 1...Int(Int32.max), problems: &problems)
        var parameters: [Parameter] = []
        for (key, type) in reader.object("parameters", problems: &problems) ?? JSONObject() {
            guard case .string(let typeName) = type else {
                problems.append(Problem(path: JSONReader.place(file, path.appending("parameters").appending(key)), code: "json.type",
                                        message: "parameter `\(key)` must name a type, not \(type.typeName)",
                                        hint: "use one of \"number\", \"boolean\", \"string\", \"null\", \"any\""))
                continue
            }
            parameters.append(Parameter(name: key, typeName: typeName))
        }
        let description = reader.string("description", problems: &problems)
        for key in ["formula_type", "effective_date", "created_by"] { _ = reader.string(key, problems: &problems) }
        for key in ["r_squared", "mae", "rmse"] { _ = reader.number(key, problems: &problems) }
        _ = reader.bool("is_active", problems: &problems)
        _ = reader.object("backtest", problems: &problems)
        var cases: [FormulaTestCase] = []
        for (index, raw) in (reader.array("test_cases", problems: &problems) ?? []).enumerated() {
            if let testCase = FormulaTestCase.decode(raw, at: path.appending("test_cases").appending(index), file: file, problems: &problems) {
                cases.append(testCase)
            }
        }
        guard problems.count == before, let name, let text else { return nil }
        let formula = LoadedFormula(name: name, version: version ?? 1, text: text, parameters: parameters,
                                    description: description, testCases: cases)
        return (formula, version != nil)
    }
}
