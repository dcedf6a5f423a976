@testable import CascadeServer
import CascadeJSON
import CascadeStore
import CascadeTestSupport
import Foundation
import NIOHTTP1
import Testing

/// The calibrators' Formulas view of the workbench in headless Chromium: a backtest stored and an
/// A/B test recorded over the API in the setup are drawn with their exact numbers, Promote changes
/// the test's status, and keys that may not calibrate get no view and no control (the API refuses
/// their promote anyway).
extension WorkbenchBrowserTests {
    /// The bundled history's backtest of `gdp_sector_impact` (as in the API tests).
    static let backtestSpec = """
        {"from": "1990-01-01", "to": "2009-09-30",
         "bindings": {"gdpGrowth": {"macro": "us_real_gdp", "transform": "pct_change"}, "baseline": 0.005, "elasticity": 4.5},
         "observed": {"macro": "us_real_investment", "transform": "pct_change", "scale": 100}}
        """

    /// Stores a backtest of `gdp_sector_impact@1`, registers an inactive challenger @2 and records
    /// their comparison on MAE; returns the stored backtest and the comparison as the API gave them.
    static func recordABTest(_ server: TestServer, key: String?) async throws -> (backtest: JSONValue, comparison: JSONValue) {
        let backtest = try await server.request(.POST, "/v1/formulas/gdp_sector_impact/versions/1/backtest?store=true", key: key, body: backtestSpec)
        try #require(backtest.status == 200 && backtest.json?["stored"] == .bool(true), "\(backtest.body)")
        let challenger = """
            {"name": "gdp_sector_impact", "formula_text": "return (gdpGrowth - baseline) * elasticity * 100 + 0;",
             "parameters": {"gdpGrowth": "number", "baseline": "number", "elasticity": "number"}, "effective_date": "2025-01-01",
             "test_cases": [{"inputs": {"gdpGrowth": 0.03, "baseline": 0.02, "elasticity": 1.8}, "expected": 1.8, "tolerance": 1e-9}]}
            """
        let registered = try await server.request(.POST, "/v1/formulas?inactive=true", key: key, body: challenger)
        try #require(registered.status == 201, "\(registered.body)")
        let compared = try await server.request(.POST, "/v1/formulas/gdp_sector_impact/compare?record=true", key: key,
                                                body: #"{"control": 1, "treatment": 2, "metric": "mae", "backtest": \#(backtestSpec)}"#)
        try #require(compared.status == 201, "\(compared.body)")
        return (try #require(backtest.json), try #require(compared.json))
    }

    @Test(arguments: Backend.available) func aCalibratorSeesTheMeasuredVersionsAndPromotesAnABTest(_ backend: Backend) async throws {
        let (location, _, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("cal", .calibrator)])
        let server = try await TestServer.start(location)
        let (backtest, comparison) = try await Self.recordABTest(server, key: keys["cal"])
        let abID = try #require(comparison["ab_test"]?["id"]?.stringValue)
        let untested = """
            {"name": "workbench_untested", "formula_text": "return x * 2;", "parameters": {"x": "number"}, "effective_date": "2025-01-01"}
            """
        let registered = try await server.request(.POST, "/v1/formulas?inactive=true&allow_untested=true", key: keys["cal"], body: untested)
        try #require(registered.status == 201, "\(registered.body)")

        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let screenshot = dir.appendingPathComponent("workbench-formulas.png")
        let seen = try await Self.open(server, key: keys["cal"]!, ["--formulas", "--promote", abID, "--screenshot", screenshot.path], in: dir)
        #expect(seen["role"] == .string("calibrator"))
        #expect(seen["states"] == .array([.string("login"), .string("ready"), .string("formulas")]), "\(seen["states"] ?? .null)")
        #expect(seen["formulas_button"] == .bool(true))
        let view = try #require(seen["formulas"])
        func version(_ v: JSONValue?, _ name: String, _ number: Int) -> JSONValue? {
            v?["versions"]?.arrayValue?.first { $0["formula"] == .string(name) && $0["version"] == .number(Double(number)) }
        }
        // @1 carries the stored backtest's metrics exactly (shown rounded) and its fingerprint on hover.
        let measured = try #require(version(view, "gdp_sector_impact", 1), "\(view)")
        #expect(measured["active"] == .bool(true) && measured["untested"] == .bool(false) && measured["marks"] == .string("active"))
        for metric in ["r_squared", "mae", "rmse"] {
            let exact = try #require(backtest[metric]?.numberValue, "\(metric) measured")
            #expect(measured[metric]?["value"] == .number(exact), "\(metric): \(measured[metric] ?? .null) vs \(exact)")
            let shown = measured[metric]?["shown"]?.stringValue ?? ""
            let digits = shown.filter(\.isNumber).drop { $0 == "0" }
            #expect(digits.count <= 4 && abs((Double(shown) ?? .nan) - exact) <= abs(exact) * 1e-3, "\(metric) shown rounded: \(shown) of \(exact)")
        }
        let fingerprint = try #require(backtest["fingerprint"]?.stringValue)
        #expect(measured["backtest_hover"]?.stringValue?.contains(fingerprint) == true, "\(measured)")
        let challenger = try #require(version(view, "gdp_sector_impact", 2))
        #expect(challenger["active"] == .bool(false) && challenger["mae"] == .null && challenger["backtest_hover"] == .string("no stored backtest"))
        let marked = try #require(version(view, "workbench_untested", 1))
        #expect(marked["untested"] == .bool(true) && marked["marks"] == .string("untested"), "\(marked)")
        // The A/B test: both metric sets, the improvement exactly, Promote and Reject while running.
        let test = try #require(view["tests"]?.arrayValue?.first { $0["id"] == .string(abID) }, "\(view)")
        #expect(test["status"] == .string("running") && test["buttons"] == .array([.string("promote"), .string("reject")]))
        #expect(test["improvement"]?["value"] == comparison["improvement"], "\(test) vs \(comparison["improvement"] ?? .null)")
        #expect(test["control"]?["fingerprint"] == comparison["control"]?["fingerprint"]
                && test["treatment"]?["fingerprint"] == comparison["treatment"]?["fingerprint"], "\(test)")
        #expect(test["control"]?["text"]?.stringValue?.hasPrefix("r² ") == true && test["control"]?["text"]?.stringValue?.contains("MAE") == true)
        #expect(view["rollback"]?.arrayValue?.contains(.string("gdp_sector_impact")) == true)
        // Promote: the view is drawn again from the API with the new status and active version.
        let promoted = try #require(seen["promoted"])
        #expect(promoted["action"]?["status"] == .string("done"), "\(promoted["action"] ?? .null)")
        let after = try #require(promoted["tests"]?.arrayValue?.first { $0["id"] == .string(abID) })
        #expect(after["status"] == .string("promoted") && after["buttons"] == .array([]), "\(after)")
        #expect(version(promoted, "gdp_sector_impact", 2)?["active"] == .bool(true) && version(promoted, "gdp_sector_impact", 1)?["active"] == .bool(false))
        let listed = try await server.request(.GET, "/v1/ab-tests?formula=gdp_sector_impact", key: keys["cal"])
        #expect(listed.json?["tests"]?.arrayValue?.first?["status"] == .string("promoted"), "\(listed.body)")
        Self.expectCleanLoad(seen, server: server, key: keys["cal"]!)
        let shot = try #require(seen["screenshot"])
        #expect((shot["colours"]?.numberValue ?? 0) >= 32 && (shot["non_background"]?.numberValue ?? 0) >= 0.03, "not blank: \(shot)")
        if backend == .sqlite, ProcessInfo.processInfo.environment["CASCADE_RECORD_SCREENSHOTS"] == "1" {
            let docs = Cascade.packageRoot.appendingPathComponent("docs/workbench-formulas.png")
            try? FileManager.default.removeItem(at: docs)
            try FileManager.default.copyItem(at: screenshot, to: docs)
        }
        await server.stop()
    }

    @Test(arguments: Backend.available) func keysThatMayNotCalibrateGetNoFormulasControlsAndTheServerRefusesThem(_ backend: Backend) async throws {
        let (location, _, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("cal", .calibrator), ("vic", .viewer), ("alice", .author)])
        let server = try await TestServer.start(location)
        let (_, comparison) = try await Self.recordABTest(server, key: keys["cal"])
        let abID = try #require(comparison["ab_test"]?["id"]?.stringValue)

        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        for user in ["vic", "alice"] {
            let seen = try await Self.open(server, key: keys[user]!, ["--formulas"], in: dir)
            #expect(seen["formulas_button"] == .bool(false) && seen["formulas"] == nil, "\(user)")
            #expect(seen["formulas_write"] == .array([]), "\(user): \(seen["formulas_write"] ?? .null)")
            let html = seen["html"]?.stringValue ?? ""
            #expect(!html.contains("formulas-view") && !html.contains(#"data-write="promote""#), "\(user)")
            Self.expectCleanLoad(seen, server: server, key: keys[user]!)
            // The page only hides what the API refuses anyway.
            for action in ["/v1/ab-tests/\(abID)/promote", "/v1/ab-tests/\(abID)/reject", "/v1/formulas/gdp_sector_impact/rollback"] {
                let refused = try await server.request(.POST, action, key: keys[user])
                #expect(refused.status == 403, "\(user) \(action): \(refused.body)")
            }
        }
        let listed = try await server.request(.GET, "/v1/ab-tests?formula=gdp_sector_impact", key: keys["vic"])
        #expect(listed.json?["tests"]?.arrayValue?.first?["status"] == .string("running"), "\(listed.body)")
        await server.stop()
    }
}
