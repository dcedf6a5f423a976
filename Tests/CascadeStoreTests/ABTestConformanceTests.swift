import CascadeJSON
@testable import CascadeStore
import Foundation
import Testing

/// Champion and challenger on both backends: compare on one backtest, record, promote, roll back,
/// reject — every step in the audit log with the state before and after.
@Suite("A/B tests (both backends)")
struct ABTestConformanceTests {
    /// Version 2 halves the elasticity's effect: closer to the history's small moves.
    static func versions(_ store: Store) throws {
        _ = try store.importWorld(try JSONValue.parse(BacktestConformanceTests.history), file: "history.json")
        _ = try store.register(Fixtures.document())
        _ = try store.register(Fixtures.document(text: "return (gdpGrowth - baseline) * elasticity * 50;", expected: 0.9), isActive: false)
    }

    static func comparison(_ store: Store, metric: FormulaComparison.Metric = .rmse) throws -> FormulaComparison {
        var spec = try BacktestConformanceTests.spec(BacktestConformanceTests.standard)
        let control = try store.backtest(spec)
        spec.formula = FormulaReference("gdp_sector_impact@2")
        let treatment = try store.backtest(spec)
        return FormulaComparison(control: control, treatment: treatment, metric: metric, minImprovement: 1)
    }

    @Test(arguments: TestBackend.available)
    func compareRecordPromoteRollbackLeavesACompleteAuditTrail(_ backend: TestBackend) throws {
        try backend.withStore { store in
            try Self.versions(store)
            let comparison = try Self.comparison(store)
            let expected = (comparison.control.metrics.rmse - comparison.treatment.metrics.rmse) / comparison.control.metrics.rmse * 100
            #expect(comparison.improvement == expected)
            #expect(comparison.verdict == (expected > 1 ? .better : expected < -1 ? .worse : .within))

            let test = try store.recordABTest(comparison, name: "halved")
            #expect(test.status == .running && test.control == "gdp_sector_impact@1" && test.treatment == "gdp_sector_impact@2")
            #expect(try store.abTests(formula: "gdp_sector_impact").map(\.id) == [test.id])

            let promoted = try store.conclude(test.id, .promoted)
            #expect(promoted.status == .promoted && promoted.concludedAt != nil)
            #expect(try store.history(named: "gdp_sector_impact").map(\.isActive) == [false, true])
            #expect(throws: StoreError.self) { try store.conclude(test.id, .rejected) }

            let rolledBack = try store.rollback(formula: "gdp_sector_impact")
            #expect(rolledBack.status == .rollback)
            #expect(try store.history(named: "gdp_sector_impact").map(\.isActive) == [true, false])
            let nothingLeft = try #require(throws: StoreError.self) { try store.rollback(formula: "gdp_sector_impact") }
            #expect(nothingLeft.message.contains("no promotion to roll back"))

            let trail = try store.auditLog().filter { $0.table == "ab_tests" || ($0.table == "formulas" && $0.action != "register") }
            #expect(trail.map { "\($0.table) \($0.action) \($0.rowID ?? "")" } == [
                "ab_tests create \(test.id)",
                "formulas promote gdp_sector_impact@2", "formulas promote gdp_sector_impact@1", "ab_tests promote \(test.id)",
                "formulas rollback gdp_sector_impact@1", "formulas rollback gdp_sector_impact@2", "ab_tests rollback \(test.id)",
            ])
            #expect(trail[1].before?["is_active"] == .bool(false) && trail[1].after?["is_active"] == .bool(true))
            #expect(trail[1].after?["ab_test"] == .string(test.id))
            #expect(trail[3].before?["status"] == .string("running") && trail[3].after?["status"] == .string("promoted"))
            #expect(trail.allSatisfy { $0.actor == "tester" })
        }
    }

    @Test(arguments: TestBackend.available)
    func rejectingChangesNoVersion(_ backend: TestBackend) throws {
        try backend.withStore { store in
            try Self.versions(store)
            let test = try store.recordABTest(try Self.comparison(store, metric: .mae), name: "halved")
            #expect(try store.conclude(test.id, .rejected).status == .rejected)
            #expect(try store.history(named: "gdp_sector_impact").map(\.isActive) == [true, false])
            #expect(throws: StoreError.self) { try store.abTest("not-a-test") }
        }
    }

    /// (control, treatment, metric, threshold, improvement, verdict).
    static let verdicts: [(Double, Double, FormulaComparison.Metric, Double, Double?, FormulaComparison.Verdict)] = [
        (2, 1, .rmse, 1, 50, .better),
        (1, 2, .mae, 1, -100, .worse),
        (1, 1.005, .rmse, 1, -0.49999999999998934, .within),
        (0.5, 0.6, .r2, 5, 9.999999999999998, .better),
        (0, 1, .rmse, 1, nil, .undecided),
    ]

    @Test(arguments: verdicts)
    func improvementAndVerdict(_ c: Double, _ t: Double, _ metric: FormulaComparison.Metric, _ threshold: Double,
                               _ improvement: Double?, _ verdict: FormulaComparison.Verdict) throws {
        func result(_ x: Double, _ label: String) throws -> BacktestResult {
            var metrics = BacktestMetrics(observed: [0, 1], predicted: [0, 1])
            (metrics.rmse, metrics.mae, metrics.rSquared) = (x, x, x)
            return BacktestResult(formula: label, spec: try BacktestConformanceTests.spec(BacktestConformanceTests.standard),
                                  metrics: metrics, points: [], skipped: [], fingerprint: "")
        }
        let comparison = FormulaComparison(control: try result(c, "f@1"), treatment: try result(t, "f@2"), metric: metric, minImprovement: threshold)
        #expect(comparison.improvement == improvement)
        #expect(comparison.verdict == verdict)
    }
}
