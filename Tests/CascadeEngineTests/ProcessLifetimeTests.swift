@testable import CascadeEngine
import CascadeStore
import Testing

/// A service that `keepsRunsUntilExit` (`cascade run`) hands a run's world, prepared graph and
/// result to `ProcessLifetime` instead of freeing them; by default nothing is kept.
struct ProcessLifetimeTests {
    typealias Backend = ScenarioServiceTests.Backend

    @Test func aOneShotServiceKeepsItsRunUntilExitAndOthersDoNot() throws {
        try Backend.sqlite.withSampleStore { store in
            var service = ScenarioService(store: store, snapshots: .off)
            let id = try service.submit(try ScenarioServiceTests.scenarioFile("fed-rate-cut-2025.json"), today: "2025-06-30").id
            let before = ProcessLifetime.count
            _ = try service.run(id, force: true)
            #expect(ProcessLifetime.count == before)
            service.keepsRunsUntilExit = true
            _ = try service.run(id, force: true)
            #expect(ProcessLifetime.count == before + 3)
        }
    }
}
