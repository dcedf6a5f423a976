import CascadeJSON

/// The body of `POST /v1/formulas/{name}/compare`: which versions, on which backtest, by which
/// metric, and which scenarios to run under both (as `cascade formula compare --scenarios`).
package struct ComparisonRequest: Sendable {
    package var control: Int
    package var treatment: Int
    package var backtest: BacktestSpec
    package var metric: FormulaComparison.Metric
    package var minImprovement: Double
    /// The A/B test's name when it is recorded.
    package var name: String?
    /// Scenario documents (docs/formats.md) to run under each version; read by the engine, which
    /// reports their problems at `$.scenarios[i]`.
    package var scenarios: [JSONValue] = []
    /// How many of the most changed entities to list per scenario.
    package var top = 3

    /// The most scenarios one comparison may run (each is run twice).
    package static let maxScenarios = 50

    static let keys: Set<String> = ["control", "treatment", "backtest", "metric", "min_improvement", "name", "scenarios", "top"]

    /// Reads a request, collecting every problem with its JSON path.
    package static func decode(_ value: JSONValue, problems: inout [Problem]) -> ComparisonRequest? {
        guard let reader = JSONReader(value, at: .root, file: nil, what: "a comparison request", problems: &problems) else { return nil }
        let before = problems.count
        reader.rejectUnknownKeys(keys, problems: &problems)
        func version(_ key: String) -> Int? {
            guard let x = reader.number(key, required: true, problems: &problems) else { return nil }
            guard x >= 1, x.rounded() == x, x < 1e9 else {
                problems.append(reader.problem(key, "compare.version", "`\(key)` must be a version number (1, 2, 3…)"))
                return nil
            }
            return Int(x)
        }
        let control = version("control"), treatment = version("treatment")
        var backtest: BacktestSpec?
        if let raw = reader.object["backtest"] {
            backtest = BacktestSpec.decode(raw, at: JSONPath.root.appending("backtest"), embedded: true, problems: &problems)
        } else {
            problems.append(reader.problem("backtest", "json.missing", "`backtest` is required"))
        }
        var metric = FormulaComparison.Metric.rmse
        if let name = reader.string("metric", problems: &problems) {
            if let known = FormulaComparison.Metric(rawValue: name) { metric = known } else {
                problems.append(reader.problem("metric", "compare.metric", "unknown metric `\(name)`", hint: "one of rmse, mae, r2"))
            }
        }
        let minImprovement = reader.number("min_improvement", problems: &problems) ?? 1
        if minImprovement < 0 {
            problems.append(reader.problem("min_improvement", "compare.threshold", "`min_improvement` must not be negative"))
        }
        let name = reader.string("name", maxLength: 255, problems: &problems)
        let scenarios = reader.array("scenarios", problems: &problems) ?? []
        if scenarios.count > maxScenarios {
            problems.append(reader.problem("scenarios", "compare.scenarios", "\(scenarios.count) scenarios; at most \(maxScenarios) at once",
                                           hint: "compare on the stress scenarios that matter, or in several requests"))
        }
        var top = 3
        if let x = reader.number("top", problems: &problems) {
            if x >= 0, x <= 1_000, x.rounded() == x { top = Int(x) } else {
                problems.append(reader.problem("top", "compare.top", "`top` must be a whole number from 0 to 1000"))
            }
        }
        guard problems.count == before, let control, let treatment, let backtest else { return nil }
        return ComparisonRequest(control: control, treatment: treatment, backtest: backtest, metric: metric,
                                 minImprovement: minImprovement, name: name, scenarios: scenarios, top: top)
    }
}
