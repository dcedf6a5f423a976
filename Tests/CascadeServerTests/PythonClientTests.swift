@testable import CascadeServer
import CascadeStore
import CascadeTestSupport
import Foundation
import Testing

/// The Python client (`clients/python`) and its calibration example against a real server: its
/// unittest suite runs with `PYTHONPATH=clients/python` (no install, no network) and keys of each
/// role in its environment. numpy comes from scripts/setup.sh.
@Suite("Python client", .serialized)
struct PythonClientTests {
    @Test(arguments: Backend.available) func clientAndExampleWorkAgainstAServer(_ backend: Backend) async throws {
        let (location, _, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("cal", .calibrator), ("alice", .author), ("vic", .viewer)])
        let server = try await TestServer.start(location)
        let python = Cascade.packageRoot.appendingPathComponent("clients/python")
        let environment = ["PYTHONPATH": python.path, "PYTHONDONTWRITEBYTECODE": "1", "CASCADE_URL": server.base,
                           "CASCADE_CALIBRATOR_KEY": keys["cal"]!, "CASCADE_AUTHOR_KEY": keys["alice"]!, "CASCADE_VIEWER_KEY": keys["vic"]!]
        let result = try await PackageExecutables.runOnOwnThread(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-m", "unittest", "discover", "-v", "-s", "tests", "-t", "."], in: python,
            environment: environment)
        await server.stop()
        let output = result.stdout + result.stderr
        #expect(result.status == 0, "\(output)")
        #expect(output.contains("Ran 9 tests"), "\(output)")
        #expect(output.contains("\nOK"), "\(output)")
        // The example's two runs: the outcome the sample history gives, then the other.
        #expect(output.contains("rejected: gdp_sector_impact@1 stays active, @2 inactive (A/B test rejected)"), "\(output)")
        #expect(output.contains("promoted: gdp_sector_impact@2 is active, @1 inactive (A/B test promoted)"), "\(output)")
        // What the example did went through the API as the calibrator, and the audit log has every
        // step: the registration, both recorded comparisons, the rejection, the promotion and the
        // activation it made.
        let store = try Store(location)
        #expect(try store.formula(FormulaReference(name: "gdp_sector_impact", version: 2)).isActive)
        let audit = try store.auditLog(limit: 10_000).filter { $0.actor == "cal" }
        func steps(_ table: String, _ action: String) -> [String] {
            audit.filter { $0.table == table && $0.action == action }.compactMap(\.rowID)
        }
        #expect(steps("formulas", "register").contains("gdp_sector_impact@2"), "\(audit.map { "\($0.table) \($0.action) \($0.rowID ?? "")" })")
        let recorded = audit.filter { $0.table == "ab_tests" && $0.action == "create" && $0.after?["treatment_version"] == .number(2) }
        #expect(recorded.count == 2, "\(audit.map { "\($0.table) \($0.action) \($0.rowID ?? "")" })")
        let tests = Set(recorded.compactMap(\.rowID))
        #expect(tests.intersection(steps("ab_tests", "reject")).count == 1 && tests.intersection(steps("ab_tests", "promote")).count == 1)
        #expect(audit.contains { $0.table == "formulas" && $0.rowID == "gdp_sector_impact@2" && $0.after?["is_active"] == .bool(true) })
        #expect(audit.contains { $0.table == "formulas" && $0.rowID == "gdp_sector_impact@1" && $0.after?["is_active"] == .bool(false) })
    }
}
