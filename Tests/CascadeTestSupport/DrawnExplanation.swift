import CascadeJSON

/// A run explanation as a browser test saw it drawn (the `explanation` object of
/// `Browser/report_in_chromium.py`'s entity capture), checked against the explanation document
/// (`cascade scenario explain --json`, `GET /v1/scenarios/{id}/explain`). Shared by the report
/// file's and the workbench's browser tests.
package enum DrawnExplanation {
    /// What differs, one line each (empty when the page holds the explanation's numbers exactly):
    /// per contribution its source, formula, inputs in both contexts, both results, their
    /// difference and the value; then the unclamped impact, the clamp and the impact.
    package static func mismatches(_ drawn: JSONValue?, _ explanation: JSONValue) -> [String] {
        let entity = explanation["entity"] ?? .null
        /// Numbers as the page writes them in `data-value` (the JSON's text); anything else is not in a `data-value`.
        func exact(_ value: JSONValue?) -> JSONValue { value?.numberValue != nil ? .string(value!.serialized()) : .null }
        var problems: [String] = []
        func check(_ what: String, _ seen: JSONValue?, _ expected: JSONValue) {
            if (seen ?? .null) != expected { problems.append("\(what): drawn \(seen ?? .null), explained \(expected)") }
        }
        guard let drawn, drawn != .null else { return ["no explanation drawn"] }
        check("entity", drawn["entity"], entity["id"] ?? .null)
        check("fingerprint", drawn["fingerprint"], explanation["fingerprint"] ?? .null)
        let rows = drawn["rows"]?.arrayValue ?? []
        let contributions = entity["contributions"]?.arrayValue ?? []
        if rows.isEmpty || rows.count != contributions.count { problems.append("\(rows.count) rows drawn for \(contributions.count) contributions") }
        for (k, (row, c)) in zip(rows, contributions).enumerated() {
            let isShock = c["shock"] == .bool(true)
            check("row \(k) source", row["source"], isShock ? .string("shock") : c["source_id"] ?? .null)
            check("row \(k) value", row["value"], exact(c["value"]))
            if isShock { continue }
            check("row \(k) formula", row["formula"], c["formula"] ?? .null)
            check("row \(k) f(scenario)", row["scenario_result"], exact(c["scenario_result"]))
            check("row \(k) f(baseline)", row["baseline_result"], exact(c["baseline_result"]))
            check("row \(k) difference", row["difference"], exact(c["difference"]))
            check("row \(k) inputs", row["inputs"],
                  .array((c["inputs"]?.arrayValue ?? []).map { .array([$0["path"] ?? .null, exact($0["scenario"]), exact($0["baseline"])]) }))
        }
        check("unclamped impact", drawn["unclamped"], exact(entity["impact_unclamped"]))
        check("impact", drawn["impact"], exact(entity["impact"]))
        check("clamp", drawn["clamp"], .array((entity["clamp"]?.arrayValue ?? []).map(exact)))
        return problems
    }
}
