@testable import CascadeEngine
import CascadeTestSupport
import Foundation
import Testing

/// Every sensitivity, bit for bit, as the engine computed it before the sensitivity phase was
/// restructured (it then differentiated every edge in a second full propagation; it now reuses
/// the plain run's values and differentiates only edges a direction can reach): the golden file
/// `Fixtures/sensitivity-rows.txt` was recorded at 95deca0 and must not change. Each line is an
/// entity's non-zero derivatives (Swift's shortest round-trip decimal, so equal text is equal
/// bits) and its undefined keys. `CASCADE_RECORD=1 swift test --filter SensitivityRowsTests`
/// rewrites it.
struct SensitivityRowsTests {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/sensitivity-rows.txt")

    /// The random worlds of `PropertyTests` under three scenarios each: the property tests' own
    /// (0–2 feedback rounds), five shocks with a tight clamp and damping on two levels and one
    /// level disabled, and feedback until convergence.
    static func randomCases() -> [(String, EngineWorld, Scenario)] {
        var cases: [(String, EngineWorld, Scenario)] = []
        for seed in PropertyTests.seeds {
            let world = PropertyTests.world(seed: seed).world
            let shocked = PropertyTests.shocked(seed)
            cases.append(("seed \(seed) shocked (feedback \(shocked.feedbackRounds))", world, shocked))
            var g = PropertyTests.Generator(state: seed &* 13)
            var many = shocked
            many.feedbackRounds = 0
            for i in [3, 7, 11, 19, 31] { many.entityShocks["e\(i)"] = g.unit() - 0.5 }
            var tight = LevelSettings()
            tight.clamp = -0.05...0.05
            tight.damping = 0.7
            var off = LevelSettings()
            off.isEnabled = false
            many.levelSettings[g.int(1...9)] = tight
            many.levelSettings[g.int(1...9)] = tight
            many.levelSettings[g.int(1...9)] = off
            cases.append(("seed \(seed) five shocks, clamps, a level disabled", world, many))
            var converging = shocked
            converging.feedbackRounds = Scenario.feedbackRoundsLimit
            converging.feedbackConvergence = FeedbackConvergence()
            cases.append(("seed \(seed) feedback to convergence", world, converging))
        }
        return cases
    }

    static let sampleScenarios = ["fed-rate-cut-2025.json", "financial-crisis-2008.json", "covid-crash-2020.json", "oil-up-5.json"]

    /// One case's rows: a header line, then one line per entity that has a derivative or an
    /// undefined key.
    static func rows(_ name: String, _ world: EngineWorld, _ scenario: Scenario) throws -> String {
        let result = try Engine.prepare(scenario, world: world).propagate(sensitivities: true)
        var text = "# \(name)\n"
        for entity in result.entities.sorted(by: { $0.id < $1.id }) {
            let values = (entity.sensitivities ?? []).map { "\($0.key)=\($0.value)" }
            let undefined = (entity.sensitivitiesUndefined ?? []).map { "\($0)=undefined" }
            guard !values.isEmpty || !undefined.isEmpty else { continue }
            text += entity.id + " " + (values + undefined).joined(separator: " ") + "\n"
        }
        return text
    }

    static func allRows() throws -> String {
        var text = ""
        for (name, world, scenario) in randomCases() { text += try rows(name, world, scenario) }
        try ScenarioServiceTests.Backend.sqlite.withSampleStore { store in
            let world = try EngineWorld.load(from: store)
            for file in sampleScenarios {
                let scenario = try Scenario.parse(try ScenarioServiceTests.scenarioFile(file), defaultAsOf: "2025-06-30")
                text += try rows("sample world, \(file)", world, scenario)
            }
        }
        return text
    }

    @Test func everySensitivityIsTheRecordedOneBitForBit() throws {
        let actual = try Self.allRows()
        guard let expected = try GoldenFile.check(actual, against: Self.file) else { return }
        // The file is not trivially small: directions of every kind reach entities, some undefined.
        #expect(expected.split(separator: "\n").count > 1000)
        #expect(expected.contains("=undefined") && expected.contains("shock:") && expected.contains("macro:"))
    }
}
