import CascadeJSON

/// The body of `POST /v1/formulas/{name}/compare`: which versions, on which backtest, by which metric.
public struct ComparisonRequest: Sendable {
    public var control: Int
    public var treatment: Int
    public var backtest: BacktestSpec
    public var metric: FormulaComparison.Metric
    public var minImprovement: Double
    /// The A/B test's name when it is recorded.
    public var name: String?

    static let keys: Set<String> = ["control", "treatment", "backtest", "metric", "min_improvement", "name"]

    /// Reads a request, collecting every problem with its JSON path.
    public static func decode(_ value: JSONValue, problems: inout [Problem]) -> ComparisonRequest? {
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
        guard problems.count == before, let control, let treatment, let backtest else { return nil }
        return ComparisonRequest(control: control, treatment: treatment, backtest: backtest, metric: metric,
                                 minImprovement: minImprovement, name: name)
    }
}
