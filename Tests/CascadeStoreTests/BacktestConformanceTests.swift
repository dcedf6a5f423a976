import CascadeFormula
import CascadeJSON
@testable import CascadeStore
import Foundation
import Testing

/// Backtests on both backends: the series a spec reads (macro, coefficient, financial, with
/// transforms), the metrics, storing them with the spec and fingerprint, the spec's errors by JSON
/// path, and a document's own backtest at registration.
@Suite("Backtests (both backends)")
struct BacktestConformanceTests {
    /// Four quarters of two macro series, a coefficient that changes mid-way, and revenue of one entity.
    static let history = """
        {"entities": [{"id": "nvda", "type": "COMPANY", "name": "NVIDIA", "category": "SEMICONDUCTOR", "ontology_level": 3}],
         "macro_data": [
           {"date": "2020-03-31", "variable_name": "gdp", "value": 100},
           {"date": "2020-06-30", "variable_name": "gdp", "value": 102},
           {"date": "2020-09-30", "variable_name": "gdp", "value": 101},
           {"date": "2020-12-31", "variable_name": "gdp", "value": 104},
           {"date": "2020-03-31", "variable_name": "invest", "value": 50},
           {"date": "2020-06-30", "variable_name": "invest", "value": 53},
           {"date": "2020-09-30", "variable_name": "invest", "value": 51},
           {"date": "2020-12-31", "variable_name": "invest", "value": 55}],
         "sector_coefficients": [
           {"sector": "SEMICONDUCTOR", "coefficient_type": "gdp_elasticity", "value": 2, "effective_date": "2020-01-01"},
           {"sector": "SEMICONDUCTOR", "coefficient_type": "gdp_elasticity", "value": 3, "effective_date": "2020-08-01"}],
         "financial_data": [
           {"entity_id": "nvda", "date": "2020-06-30", "revenue": 10},
           {"entity_id": "nvda", "date": "2020-09-30", "revenue": 12},
           {"entity_id": "nvda", "date": "2020-12-31", "revenue": 15}]}
        """

    static func spec(_ text: String) throws -> BacktestSpec {
        var problems: [Problem] = []
        let spec = BacktestSpec.decode(try JSONValue.parse(text), problems: &problems)
        return try #require(spec, "\(problems)")
    }

    static func withHistory<T>(_ backend: TestBackend, _ body: (Store) throws -> T) throws -> T {
        try backend.withStore { store in
            _ = try store.importWorld(try JSONValue.parse(history), file: "history.json")
            _ = try store.register(Fixtures.document())
            return try body(store)
        }
    }

    static let standard = """
        {"formula": "gdp_sector_impact@1", "from": "2020-01-01", "to": "2020-12-31",
         "bindings": {"gdpGrowth": {"macro": "gdp", "transform": "pct_change"}, "baseline": 0.01,
                      "elasticity": {"coefficient": "gdp_elasticity", "sector": "SEMICONDUCTOR"}},
         "observed": {"macro": "invest", "transform": "pct_change", "scale": 100}}
        """

    @Test(arguments: TestBackend.available)
    func metricsFollowTheSeriesAsOfEachDate(_ backend: TestBackend) throws {
        try Self.withHistory(backend) { store in
            let result = try store.backtest(try Self.spec(Self.standard))
            // 2020-03-31 has no previous row: the observed series has no value there.
            #expect(result.points.map(\.date) == ["2020-06-30", "2020-09-30", "2020-12-31"])
            #expect(result.skipped.map(\.date) == ["2020-03-31"])
            // The elasticity in force: 2 until 2020-08-01, then 3.
            let growth = [102.0 / 100 - 1, 101.0 / 102 - 1, 104.0 / 101 - 1]
            let expected = zip(growth, [2.0, 3, 3]).map { g, e in (g - 0.01) * e * 100 }
            #expect(result.points.map(\.predicted) == expected)
            let observed = [(53.0 / 50 - 1) * 100, (51.0 / 53 - 1) * 100, (55.0 / 51 - 1) * 100]
            #expect(result.points.map(\.observed) == observed)
            let metrics = BacktestMetrics(observed: observed, predicted: expected)
            #expect(result.metrics == metrics)
            let errors = zip(observed, expected).map { $0 - $1 }
            #expect(abs(metrics.mae - errors.map(abs).reduce(0, +) / 3) < 1e-12)
            #expect(result.fingerprint.hasPrefix("xxh3-128:"))
        }
    }

    @Test(arguments: TestBackend.available)
    func storingWritesTheSeedColumnsTheFingerprintAndTheAuditLog(_ backend: TestBackend) throws {
        try Self.withHistory(backend) { store in
            let result = try store.backtest(try Self.spec(Self.standard))
            try store.recordBacktest(result)
            let version = try store.formula(FormulaReference("gdp_sector_impact@1")!)
            #expect(version.document.rSquared == result.metrics.rSquared)
            #expect(version.document.mae == result.metrics.mae)
            #expect(version.document.rmse == result.metrics.rmse)
            #expect(version.backtestFingerprint == result.fingerprint)
            #expect(version.document.backtest?.json.serialized(sortedKeys: true) == result.spec.json.serialized(sortedKeys: true))  // jsonb reorders keys
            let audit = try #require(try store.auditLog(table: "formulas").last)
            #expect(audit.action == "backtest" && audit.rowID == "gdp_sector_impact@1")
            #expect(audit.before?["r_squared"] == .number(0.82))
            #expect(audit.after?["fingerprint"] == .string(result.fingerprint))
            // The order the spec writes its bindings in is not part of the history read (and
            // PostgreSQL's JSONB does not keep it): the fingerprint is the same.
            let reordered = Self.standard.replacingOccurrences(of: #""gdpGrowth": {"macro": "gdp", "transform": "pct_change"}, "baseline": 0.01,"#,
                                                               with: #""baseline": 0.01,"#)
                .replacingOccurrences(of: #""sector": "SEMICONDUCTOR"}},"#,
                                      with: #""sector": "SEMICONDUCTOR"}, "gdpGrowth": {"macro": "gdp", "transform": "pct_change"}},"#)
            #expect(reordered != Self.standard)
            #expect(try store.backtest(try Self.spec(reordered)).fingerprint == result.fingerprint)
            // The same history gives the same fingerprint; changing a row it read changes it.
            #expect(try store.backtest(try Self.spec(Self.standard)).fingerprint == result.fingerprint)
            _ = try store.importWorld(try JSONValue.parse(#"{"macro_data": [{"date": "2020-09-30", "variable_name": "gdp", "value": 101.5}]}"#), file: "fix.json")
            #expect(try store.backtest(try Self.spec(Self.standard)).fingerprint != result.fingerprint)
        }
    }

    @Test(arguments: TestBackend.available)
    func aFinancialSeriesCanBeObserved(_ backend: TestBackend) throws {
        try Self.withHistory(backend) { store in
            let result = try store.backtest(try Self.spec("""
                {"formula": "gdp_sector_impact", "from": "2020-01-01", "to": "2020-12-31",
                 "bindings": {"gdpGrowth": {"macro": "gdp", "transform": "change", "scale": 0.01}, "baseline": 0, "elasticity": 1},
                 "observed": {"financial": {"entity": "nvda", "metric": "revenue"}, "transform": "change"}}
                """))
            #expect(result.points.map(\.observed) == [2, 3])
            #expect(result.points.map(\.predicted) == [-1.0 * 0.01 * 1 * 100, 3.0 * 0.01 * 1 * 100])
        }
    }

    /// (spec, the path of the problem, a part of its message).
    static let errors: [(String, String, String)] = [
        (#"{"formula": "gdp_sector_impact@1", "from": "2020-01-01", "to": "2020-12-31", "bindings": {"gdpGrowth": {"macro": "gpd"}, "baseline": 0, "elasticity": 1}, "observed": {"macro": "invest"}}"#,
         "$.bindings.gdpGrowth.macro", "no macro_data series `gpd`"),
        (#"{"formula": "gdp_sector_impact@1", "from": "1990-01-01", "to": "1990-12-31", "bindings": {"gdpGrowth": 0, "baseline": 0, "elasticity": 1}, "observed": {"macro": "invest"}}"#,
         "$.observed", "has no dates between 1990-01-01 and 1990-12-31"),
        (#"{"formula": "gdp_sector_impact@1", "from": "2020-01-01", "to": "2020-12-31", "bindings": {"growth": 0, "gdpGrowth": 0, "baseline": 0, "elasticity": 1}, "observed": {"macro": "invest"}}"#,
         "$.bindings.growth", "`growth` is not a parameter of gdp_sector_impact@1"),
        (#"{"formula": "gdp_sector_impact@1", "from": "2020-01-01", "to": "2020-12-31", "bindings": {"baseline": 0, "elasticity": 1}, "observed": {"macro": "invest"}}"#,
         "$.bindings", "parameter `gdpGrowth` of gdp_sector_impact@1 has no binding"),
        (#"{"formula": "gdp_sector_impact@9", "from": "2020-01-01", "to": "2020-12-31", "bindings": {"gdpGrowth": 0, "baseline": 0, "elasticity": 1}, "observed": {"macro": "invest"}}"#,
         "$.formula", "no formula `gdp_sector_impact@9`"),
        (#"{"formula": "gdp_sector_impact@1", "from": "2020-01-01", "to": "2020-12-31", "bindings": {"gdpGrowth": {"coefficient": "beta", "sector": "SEMICONDUCTOR"}, "baseline": 0, "elasticity": 1}, "observed": {"macro": "invest"}}"#,
         "$.bindings.gdpGrowth.coefficient", "no active coefficient `beta` for sector `SEMICONDUCTOR`"),
    ]

    @Test(arguments: TestBackend.available.flatMap { backend in errors.map { (backend, $0.0, $0.1, $0.2) } })
    func specErrorsAreReportedByJSONPath(_ backend: TestBackend, _ text: String, _ path: String, _ message: String) throws {
        try Self.withHistory(backend) { store in
            let error = try #require(throws: StoreError.self) { try store.backtest(try Self.spec(text)) }
            #expect(error.problems.contains { $0.path == path && $0.message.contains(message) }, "\(error.problems)")
        }
    }

    /// (spec, the path of the problem, a part of its message): found when the spec is read.
    static let readErrors: [(String, String, String)] = [
        (#"{"formula": "f", "from": "2020-01-01", "to": "2020-12-31", "bindings": {}, "observed": {"macro": "x", "transform": "log"}}"#,
         "$.observed.transform", "unknown transform `log`"),
        (#"{"formula": "f", "from": "2020-01-01", "to": "2019-12-31", "bindings": {}, "observed": {"macro": "x"}}"#,
         "$.to", "is before `from`"),
        (#"{"formula": "f", "from": "2020-01-01", "to": "2020-12-31", "bindings": {"a": {"macro": "x", "coefficient": "y"}}, "observed": {"macro": "x"}}"#,
         "$.bindings.a", "a series reads one source"),
        (#"{"formula": "f", "from": "2020-01-01", "to": "2020-12-31", "bindings": {}, "observed": {"financial": {"entity": "e", "metric": "profit"}}}"#,
         "$.observed.financial.metric", "`profit` is not a financial_data column"),
        (#"{"formula": "f", "from": "2020-01-01", "to": "2020-12-31", "bindings": {}, "observed": {"macro": "x"}, "window": 3}"#,
         "$.window", "unknown key `window`"),
    ]

    @Test(arguments: readErrors)
    func malformedSpecsAreRefusedByJSONPath(_ text: String, _ path: String, _ message: String) throws {
        var problems: [Problem] = []
        #expect(BacktestSpec.decode(try JSONValue.parse(text), problems: &problems) == nil)
        #expect(problems.contains { $0.path == path && $0.message.contains(message) }, "\(problems)")
    }

    static func document(claim: String) throws -> FormulaDocument {
        let text = """
            {"name": "gdp_sector_impact", "formula_text": "return (gdpGrowth - baseline) * elasticity * 100 + 0;",
             "parameters": {"gdpGrowth": "number", "baseline": "number", "elasticity": "number"},
             "effective_date": "2025-01-01", \(claim)
             "test_cases": [{"inputs": {"gdpGrowth": 0.03, "baseline": 0.02, "elasticity": 1.8}, "expected": 1.8, "tolerance": 1e-9}],
             "backtest": {"from": "2020-01-01", "to": "2020-12-31",
                          "bindings": {"gdpGrowth": {"macro": "gdp", "transform": "pct_change"}, "baseline": 0.01,
                                       "elasticity": {"coefficient": "gdp_elasticity", "sector": "SEMICONDUCTOR"}},
                          "observed": {"macro": "invest", "transform": "pct_change", "scale": 100}}}
            """
        var problems: [Problem] = []
        return try #require(FormulaDocument.decode(try JSONValue.parse(text), problems: &problems), "\(problems)")
    }

    @Test(arguments: TestBackend.available)
    func registrationMeasuresADocumentsOwnBacktestAndRefusesAWrongClaim(_ backend: TestBackend) throws {
        try Self.withHistory(backend) { store in
            let measured = try store.backtest(try Self.spec(Self.standard)).metrics

            let refused = try #require(throws: StoreError.self) { try store.register(try Self.document(claim: #""r_squared": 0.82,"#)) }
            #expect(refused.problems.contains { $0.path == "$.r_squared" && $0.code == "backtest.claim-differs" }, "\(refused.problems)")
            #expect(try store.history(named: "gdp_sector_impact").count == 1)

            let trusted = try store.register(try Self.document(claim: #""r_squared": 0.82,"#), trustClaimed: true)
            let kept = try store.formula(FormulaReference(name: "gdp_sector_impact", version: trusted.version))
            #expect(kept.document.rSquared == 0.82)
            #expect(kept.document.mae == measured.mae)
            #expect(kept.backtestFingerprint != nil)
            #expect(trusted.warnings.contains { $0.code == "backtest.claim-differs" })
        }
    }

    @Test(arguments: TestBackend.available)
    func registrationStoresTheMeasuredNumbersWhenNothingIsClaimed(_ backend: TestBackend) throws {
        try Self.withHistory(backend) { store in
            let measured = try store.backtest(try Self.spec(Self.standard))
            let registered = try store.register(try Self.document(claim: ""))
            let version = try store.formula(FormulaReference(name: "gdp_sector_impact", version: registered.version))
            #expect(version.document.rSquared == measured.metrics.rSquared)
            #expect(version.document.rmse == measured.metrics.rmse)
            #expect(version.backtestFingerprint == measured.fingerprint)
            let audit = try #require(try store.auditLog(table: "formulas").last)
            #expect(audit.after?["backtest"]?["fingerprint"] == .string(measured.fingerprint))
        }
    }
}
