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
        #expect(output.contains("Ran 7 tests"), "\(output)")
        #expect(output.contains("\nOK"), "\(output)")
        #expect(output.contains("registered gdp_sector_impact@2 (inactive); tests pass"), "\(output)")
        #expect(output.contains("sec-semiconductor: impact before -"), "\(output)")
        // What the example wrote went through the API as the calibrator.
        let store = try Store(location)
        #expect(try store.macroData(variables: ["calibration_gdp_growth"]).count == 60)
        #expect(try store.auditLog(table: "formulas", limit: 100, newestFirst: true).contains { $0.actor == "cal" })
    }
}
