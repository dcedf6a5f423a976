import CascadeFormula
import CascadeJSON

// The registry's results as JSON, shared by `cascade formula … --json` and the HTTP API.

extension Registration {
    /// `{"ok", "name", "version", "new", "content_hash", "warnings"}`.
    package var json: JSONValue {
        .object(JSONObject([
            ("ok", .bool(true)), ("name", .string(name)), ("version", .number(Double(version))),
            ("new", .bool(isNew)), ("content_hash", .string(contentHash)), ("warnings", .array(warnings.map(\.json))),
        ]))
    }
}

extension FormulaSummary {
    /// `{"name", "latest_version", "versions", "active_version", "formula_type"}`.
    package var json: JSONValue {
        .object(JSONObject([
            ("name", .string(name)), ("latest_version", .number(Double(latestVersion))),
            ("versions", .number(Double(versionCount))),
            ("active_version", activeVersion.map { .number(Double($0)) } ?? .null),
            ("formula_type", formulaType.map(JSONValue.string) ?? .null),
        ]))
    }
}

extension FormulaCheck {
    /// The outcome of re-running `version`'s test cases: `{"ok", "formula", "results", "problems"}`.
    package func json(for version: FormulaVersion) -> JSONValue {
        .object(JSONObject([
            ("ok", .bool(isPassing)), ("formula", .string(version.reference)),
            ("results", .array(results.map { r in
                .object(JSONObject([("index", .number(Double(r.index))), ("name", r.name.map(JSONValue.string) ?? .null),
                                    ("passed", .bool(r.passed)), ("expected", .string(r.expected)), ("actual", .string(r.actual))]))
            })),
            ("problems", .array(problems.map(\.json))),
        ]))
    }
}

extension TestCoverage {
    /// `{"conditions", "regions", "findings"}`: each condition with the cases that took each
    /// outcome, each region of a compared input with its cases and whether it returns no value.
    package var json: JSONValue {
        func indexes(_ list: [Int]) -> JSONValue { .array(list.map { .number(Double($0)) }) }
        return .object(JSONObject([
            ("conditions", .array(conditions.map { c in
                .object(JSONObject([("text", .string(c.text)), ("analysed", .bool(c.isAnalysed)),
                                    ("true_cases", indexes(c.trueCases)), ("false_cases", indexes(c.falseCases))]))
            })),
            ("regions", .array(regions.map { r in
                .object(JSONObject([("input", .string(r.input)), ("region", .string(r.description)),
                                    ("lower", r.lower.map(JSONValue.number) ?? .null), ("upper", r.upper.map(JSONValue.number) ?? .null),
                                    ("includes_lower", .bool(r.includesLower)), ("includes_upper", .bool(r.includesUpper)),
                                    ("returns_no_value", .bool(r.returnsNoValue)), ("cases", indexes(r.cases))]))
            })),
            ("findings", .array(findings.map(JSONValue.string))),
        ]))
    }

    /// `json` with the version it describes: `{"formula", "cases", "conditions", "regions", "findings"}`
    /// (`cascade formula coverage --json` and `GET /v1/formulas/{name}/versions/{version}/coverage`).
    package func json(for version: FormulaVersion) -> JSONValue {
        guard case .object(let object) = json else { preconditionFailure("a coverage is a JSON object") }
        return .object(JSONObject([("formula", .string(version.reference)), ("cases", .number(Double(version.document.testCases.count)))]
                                  + object.pairs.map { ($0.key, $0.value) }))
    }
}
