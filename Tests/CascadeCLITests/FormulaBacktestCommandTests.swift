import CascadeJSON
import CascadeTestSupport
import Foundation
import Testing

/// `cascade formula backtest` on the bundled sample history, checked against numpy computing the
/// same metrics from the same rows of `Scenarios/world/macro-history.json`.
@Suite("cascade formula backtest (end to end)")
struct FormulaBacktestCommandTests {
    static let spec = StoreCLI.packageRoot.appendingPathComponent("Backtests/gdp_sector_impact.json").path
    static let history = StoreCLI.packageRoot.appendingPathComponent("Scenarios/world/macro-history.json").path

    /// The shipped spec recomputed with numpy: the pct_change of real GDP and real investment
    /// (× 100), gdp_sector_impact with baseline 0.005 and elasticity 4.5, 1990-01-01 … 2009-09-30.
    static let numpy = """
        import json, sys
        import numpy as np
        rows = json.load(open(sys.argv[1]))["macro_data"]
        def series(name):
            points = sorted((r["date"], r["value"]) for r in rows if r["variable_name"] == name)
            return np.array([p[0] for p in points]), np.array([p[1] for p in points])
        gdp_dates, gdp = series("us_real_gdp")
        inv_dates, inv = series("us_real_investment")
        assert (gdp_dates == inv_dates).all()
        dates = inv_dates[1:]
        observed = (inv[1:] / inv[:-1] - 1) * 100
        growth = gdp[1:] / gdp[:-1] - 1
        window = (dates >= "1990-01-01") & (dates <= "2009-09-30")
        y = observed[window]
        p = (growth[window] - 0.005) * 4.5 * 100
        e = y - p
        print(json.dumps({"n": int(window.sum()), "r_squared": float(1 - np.sum(e ** 2) / np.sum((y - y.mean()) ** 2)),
                          "mae": float(np.mean(np.abs(e))), "rmse": float(np.sqrt(np.mean(e ** 2))),
                          "bias": float(np.mean(p - y)), "first": str(dates[window][0]), "last": str(dates[window][-1])}))
        """

    @Test(arguments: CLIBackend.available)
    func metricsEqualNumpysOnTheBundledHistoryAndAreStoredWithTheirFingerprint(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.sampleStore(backend)
        defer { cleanup() }
        let reference = try PackageExecutables.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", Self.numpy, Self.history], in: dir)
        try #require(reference.status == 0, "numpy (scripts/setup.sh installs it): \(reference.stderr)")
        let expected = try #require(try? JSONValue.parse(reference.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))

        let run = try StoreCLI.run(["formula", "backtest", Self.spec, "--json", "--db", db], in: dir)
        try #require(run.status == 0, "\(run.stderr)")
        let measured = try #require(run.json)
        #expect(measured["n"] == expected["n"])
        #expect(measured["n"] == .number(79))
        for key in ["r_squared", "mae", "rmse", "bias"] {
            let ours = try #require(measured[key]?.numberValue), theirs = try #require(expected[key]?.numberValue)
            #expect(abs(ours - theirs) <= 1e-9, "\(key): cascade \(ours), numpy \(theirs)")
        }
        let points = measured["points"]?.arrayValue ?? []
        #expect(points.first?["date"] == expected["first"] && points.last?["date"] == expected["last"])
        #expect(measured["stored"] == .bool(false))

        // Human output: n, r², MAE, RMSE, bias and the worst dates.
        let text = try StoreCLI.run(["formula", "backtest", Self.spec, "--db", db], in: dir)
        for part in ["gdp_sector_impact@1 against macro `us_real_investment` (pct_change)", "r²", "MAE", "RMSE", "bias", "worst dates:", "2009-03-31"] {
            #expect(text.stdout.contains(part), "\(part) in \(text.stdout)")
        }

        // --store writes the measured numbers and the fingerprint into the version.
        let stored = try StoreCLI.run(["formula", "backtest", Self.spec, "--store", "--json", "--db", db], in: dir)
        #expect(stored.status == 0, "\(stored.stderr)")
        let shown = try #require(try StoreCLI.run(["formula", "show", "gdp_sector_impact@1", "--json", "--db", db], in: dir).json)
        #expect(shown["r_squared"] == measured["r_squared"])
        #expect(shown["mae"] == measured["mae"])
        #expect(shown["rmse"] == measured["rmse"])
        #expect(shown["backtest_fingerprint"] == measured["fingerprint"])
        #expect(measured["fingerprint"]?.stringValue?.hasPrefix("xxh3-128:") == true)
    }

    @Test(arguments: CLIBackend.available)
    func aSpecWithErrorsListsEachByPathAndRunsNothing(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.sampleStore(backend)
        defer { cleanup() }
        let spec = try StoreCLI.write("""
            {"formula": "gdp_sector_impact@1", "from": "1990-01-01", "to": "2009-09-30",
             "bindings": {"gdpGrowth": {"macro": "us_real_gpd"}, "baseline": 0, "elasticity": 1, "growth": 2},
             "observed": {"macro": "us_real_investment"}}
            """, to: "bad.json", in: dir)
        let run = try StoreCLI.run(["formula", "backtest", spec, "--json", "--db", db], in: dir)
        #expect(run.status != 0)
        let problems = run.json?["error"]?["problems"]?.arrayValue ?? []
        #expect(problems.contains { $0["path"]?.stringValue?.hasSuffix("bad.json: $.bindings.gdpGrowth.macro") == true && $0["hint"]?.stringValue?.contains("us_real_gdp") == true }, "\(run.stdout)")
        #expect(problems.contains { $0["path"]?.stringValue?.hasSuffix("bad.json: $.bindings.growth") == true }, "\(run.stdout)")
        #expect(run.stderr.contains("the backtest spec has 2 problems"), "\(run.stderr)")
    }
}
