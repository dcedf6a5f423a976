import CascadeFormula
import CascadeJSON

/// A formula version document: what `cascade formula register FILE.json` reads, what a world
/// file's `formulas` array holds, and what the registry stores (docs/formats.md).
package struct FormulaDocument: Sendable, Equatable {
    package var name: String
    package var formulaType: String?
    package var formulaText: String
    /// Parameter names and declared type names, in document order.
    package var parameters: JSONObject
    package var effectiveDate: String
    package var rSquared: Double?
    package var mae: Double?
    package var rmse: Double?
    package var description: String?
    package var createdBy: String?
    package var testCases: [FormulaTestCase]
    /// The raw `test_cases` array, stored as written.
    package var testCasesJSON: JSONValue
    /// How registration measures the version's fit (its r², MAE and RMSE) on stored history.
    package var backtest: BacktestSpec? = nil

    package static let keys: Set<String> = [
        "name", "formula_type", "formula_text", "parameters", "effective_date", "r_squared", "mae",
        "rmse", "description", "created_by", "test_cases", "version", "is_active", "backtest",
    ]

    /// The parameters serialised with sorted keys: the canonical form the content hash covers.
    package var canonicalParameters: String { JSONValue.object(parameters).serialized(sortedKeys: true) }

    /// XXH3-128 of the text and canonical parameters.
    package var contentHash: String { ContentHash.formula(text: formulaText, canonicalParameters: canonicalParameters) }

    /// Reads a document, collecting every problem with its JSON path (prefixed by `file`).
    package static func decode(
        _ value: JSONValue, at path: JSONPath = .root, file: String? = nil, problems: inout [Problem]
    ) -> FormulaDocument? {
        guard let reader = JSONReader(value, at: path, file: file, what: "a formula version document", problems: &problems) else {
            return nil
        }
        let before = problems.count
        reader.rejectUnknownKeys(keys, problems: &problems)
        let name = reader.string("name", required: true, maxLength: 255, problems: &problems)
        if let name, name.contains("@") {
            problems.append(reader.problem("name", "formula.name", "a formula name cannot contain `@`",
                                           hint: "`@` separates the name from a version, as in `gdp_sector_impact@2`"))
        }
        if let name, name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            problems.append(reader.problem("name", "formula.name", "a formula name cannot contain control characters"))
        }
        let formulaType = reader.string("formula_type", maxLength: 50, problems: &problems)
        let text = reader.string("formula_text", required: true, problems: &problems)
        let parameters = reader.object("parameters", problems: &problems) ?? JSONObject()
        for (key, typeValue) in parameters {
            let place = JSONReader.place(file, path.appending("parameters").appending(key))
            guard case .string(let typeName) = typeValue, InputType(declared: typeName) != nil else {
                problems.append(Problem(path: place, code: "formula.parameter-type",
                                        message: "parameter `\(key)` has no known type (\(typeValue.serialized()))",
                                        hint: "use one of \"number\", \"boolean\", \"string\", \"null\", \"any\""))
                continue
            }
        }
        let effectiveDate = reader.date("effective_date", required: true, problems: &problems)
        let rSquared = reader.number("r_squared", problems: &problems)
        if let r = rSquared, !(0...1).contains(r) {
            problems.append(reader.problem("r_squared", "formula.r-squared", "`r_squared` is \(JSNumber.format(r)); it must lie in 0…1"))
        }
        let mae = reader.number("mae", problems: &problems)
        let rmse = reader.number("rmse", problems: &problems)
        let description = reader.string("description", problems: &problems)
        let createdBy = reader.string("created_by", maxLength: 100, problems: &problems)
        _ = reader.bool("is_active", problems: &problems)
        var testCases: [FormulaTestCase] = []
        let rawCases = reader.array("test_cases", problems: &problems) ?? []
        for (index, raw) in rawCases.enumerated() {
            if let testCase = FormulaTestCase.decode(raw, at: path.appending("test_cases").appending(index), file: file, problems: &problems) {
                testCases.append(testCase)
            }
        }
        var backtest: BacktestSpec?
        if let raw = reader.object["backtest"], raw != .null {
            backtest = BacktestSpec.decode(raw, at: path.appending("backtest"), file: file, embedded: true, problems: &problems)
            if let named = backtest?.formula, named.name != name || named.version != nil {
                problems.append(Problem(path: JSONReader.place(file, path.appending("backtest").appending("formula")), code: "backtest.formula",
                                        message: "a document's backtest evaluates the document itself",
                                        hint: "leave `formula` out of an embedded backtest spec"))
            }
        }
        guard problems.count == before, let name, let text, let effectiveDate else { return nil }
        return FormulaDocument(
            name: name, formulaType: formulaType, formulaText: text, parameters: parameters,
            effectiveDate: effectiveDate, rSquared: rSquared, mae: mae, rmse: rmse,
            description: description, createdBy: createdBy, testCases: testCases,
            testCasesJSON: .array(rawCases), backtest: backtest)
    }

    /// The document as JSON, in the interface's field order.
    package var json: JSONValue {
        var o = JSONObject()
        o["name"] = .string(name)
        o["formula_type"] = formulaType.map(JSONValue.string) ?? .null
        o["formula_text"] = .string(formulaText)
        o["parameters"] = .object(parameters)
        o["effective_date"] = .string(effectiveDate)
        o["r_squared"] = rSquared.map(JSONValue.number) ?? .null
        o["mae"] = mae.map(JSONValue.number) ?? .null
        o["rmse"] = rmse.map(JSONValue.number) ?? .null
        o["description"] = description.map(JSONValue.string) ?? .null
        o["created_by"] = createdBy.map(JSONValue.string) ?? .null
        o["test_cases"] = testCasesJSON
        if let backtest { o["backtest"] = backtest.json }
        return .object(o)
    }
}
