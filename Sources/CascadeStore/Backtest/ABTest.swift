import CascadeFormula
import CascadeJSON

/// Two versions of one formula measured by the same backtest: the control (the champion) and the
/// treatment (the challenger), with the improvement on the chosen metric and the verdict.
package struct FormulaComparison: Sendable {
    package enum Metric: String, CaseIterable, Sendable {
        case rmse, mae, r2
    }

    package enum Verdict: String, Sendable {
        case better, worse, within
        /// The metric could not be compared (r² undefined, or a zero error to improve on).
        case undecided
    }

    package var control: BacktestResult
    package var treatment: BacktestResult
    package var metric: Metric
    /// In percent: the least improvement that counts as better (and the least worsening that counts as worse).
    package var minImprovement: Double

    package init(control: BacktestResult, treatment: BacktestResult, metric: Metric, minImprovement: Double) {
        self.control = control
        self.treatment = treatment
        self.metric = metric
        self.minImprovement = minImprovement
    }

    /// In percent: for RMSE and MAE the relative reduction, (control − treatment) / control × 100;
    /// for r² the gain in percentage points, (treatment − control) × 100. nil when undefined.
    package var improvement: Double? {
        switch metric {
        case .rmse: Self.reduction(control.metrics.rmse, treatment.metrics.rmse)
        case .mae: Self.reduction(control.metrics.mae, treatment.metrics.mae)
        case .r2: control.metrics.rSquared.flatMap { c in treatment.metrics.rSquared.map { ($0 - c) * 100 } }
        }
    }

    static func reduction(_ control: Double, _ treatment: Double) -> Double? {
        control > 0 ? (control - treatment) / control * 100 : nil
    }

    package var verdict: Verdict {
        guard let improvement else { return .undecided }
        if improvement > minImprovement { return .better }
        if improvement < -minImprovement { return .worse }
        return .within
    }

    /// One line: "gdp_sector_impact@2 is better than @1: RMSE 1.2 → 1.1 (8.3 % better; threshold 1 %)".
    package var conclusion: String {
        let c = value(control), t = value(treatment)
        let change = improvement.map { "\(JSNumber.format((abs($0) * 100).rounded() / 100)) % \($0 >= 0 ? "better" : "worse")" } ?? "not comparable"
        let head: String
        switch verdict {
        case .better: head = "\(treatment.formula) is better than \(control.formula)"
        case .worse: head = "\(treatment.formula) is worse than \(control.formula)"
        case .within: head = "\(treatment.formula) is within the threshold of \(control.formula)"
        case .undecided: head = "\(treatment.formula) cannot be compared with \(control.formula) on \(metric.rawValue)"
        }
        return "\(head): \(metric.rawValue) \(c) → \(t) (\(change); threshold \(JSNumber.format(minImprovement)) %)"
    }

    func value(_ result: BacktestResult) -> String {
        switch metric {
        case .rmse: JSNumber.format(result.metrics.rmse)
        case .mae: JSNumber.format(result.metrics.mae)
        case .r2: result.metrics.rSquared.map(JSNumber.format) ?? "none"
        }
    }

    package var json: JSONValue {
        .object(JSONObject([
            ("control", control.summaryJSON), ("treatment", treatment.summaryJSON), ("metric", .string(metric.rawValue)),
            ("min_improvement", .number(minImprovement)), ("improvement", improvement.map(JSONValue.number) ?? .null),
            ("verdict", .string(verdict.rawValue)), ("conclusion", .string(conclusion)),
        ]))
    }
}

/// A recorded champion/challenger test (one `ab_tests` row).
package struct ABTest: Sendable, Equatable {
    package enum Status: String, Sendable {
        case running, promoted, rejected, rollback
    }

    package var id: String
    package var name: String
    package var formulaName: String
    package var controlVersion: Int
    package var treatmentVersion: Int
    package var metric: String
    package var minImprovement: Double
    package var controlMetrics: JSONValue
    package var treatmentMetrics: JSONValue
    package var improvement: Double?
    package var status: Status
    package var conclusion: String?
    package var createdBy: String
    package var createdAt: String
    package var concludedAt: String?

    static let columns = """
        id, name, formula_name, control_version, treatment_version, metric, min_improvement, control_metrics,
        treatment_metrics, improvement, status, conclusion, created_by, created_at, concluded_at
        """

    init(row: Row) throws {
        func json(_ column: String) throws -> JSONValue {
            guard let text = row.string(column) else { return .null }
            do { return try JSONValue.parse(text) } catch {
                throw StoreError(.database, "stored `\(column)` of A/B test \(row.string("id") ?? "?") is not valid JSON: \(error)")
            }
        }
        guard let status = Status(rawValue: row.string("status") ?? "") else {
            throw StoreError(.database, "A/B test \(row.string("id") ?? "?") has an unknown status `\(row.string("status") ?? "")`")
        }
        id = row.string("id") ?? ""
        name = row.string("name") ?? ""
        formulaName = row.string("formula_name") ?? ""
        controlVersion = row.int("control_version") ?? 0
        treatmentVersion = row.int("treatment_version") ?? 0
        metric = row.string("metric") ?? ""
        minImprovement = row.double("min_improvement") ?? 0
        controlMetrics = try json("control_metrics")
        treatmentMetrics = try json("treatment_metrics")
        improvement = row.double("improvement")
        self.status = status
        conclusion = row.string("conclusion")
        createdBy = row.string("created_by") ?? ""
        createdAt = row.timestamp("created_at") ?? ""
        concludedAt = row.timestamp("concluded_at")
    }

    package var control: String { "\(formulaName)@\(controlVersion)" }
    package var treatment: String { "\(formulaName)@\(treatmentVersion)" }

    package var json: JSONValue {
        .object(JSONObject([
            ("id", .string(id)), ("name", .string(name)), ("formula", .string(formulaName)),
            ("control_version", .number(Double(controlVersion))), ("treatment_version", .number(Double(treatmentVersion))),
            ("metric", .string(metric)), ("min_improvement", .number(minImprovement)),
            ("control_metrics", controlMetrics), ("treatment_metrics", treatmentMetrics),
            ("improvement", improvement.map(JSONValue.number) ?? .null), ("status", .string(status.rawValue)),
            ("conclusion", conclusion.map(JSONValue.string) ?? .null), ("created_by", .string(createdBy)),
            ("created_at", .string(createdAt)), ("concluded_at", concludedAt.map(JSONValue.string) ?? .null),
        ]))
    }
}
