@testable import CascadeEngine
import CascadeJSON
import CascadeStore
import CascadeTestSupport
import Testing

/// A run's numbers are finite or the run fails naming the entity, the relationship and the value
/// (the "a value or an error" rule formulas follow); feedback can run until it converges.
struct RunValidityTests {
    /// The issue's settings: damping 10 and a clamp at the edge of the double range.
    static func extreme(maxCycleRounds: Int = 100) -> LevelSettings {
        var settings = LevelSettings()
        settings.damping = 10
        settings.clamp = -1.8e308...1.8e308
        settings.maxCycleRounds = maxCycleRounds
        return settings
    }

    /// Runs and returns the run's error (failing the test when the run succeeds).
    func failure(_ w: WorldBuilder, _ s: Scenario, sourceLocation: SourceLocation = #_sourceLocation) throws -> EngineError? {
        do {
            let result = try w.run(s)
            Issue.record("the run succeeded; impacts: \(result.entities.map { "\($0.id)=\($0.impact)" })", sourceLocation: sourceLocation)
            return nil
        } catch let error as EngineError {
            return error
        }
    }

    /// (what the world does, the entity and relationship the error must name, text it must hold)
    static let nonFiniteCases: [(String, String, String, String)] = [
        ("a contribution overflows (10 · 2.5e307)", "a", "rel-0001", "Infinity"),
        ("two finite contributions overflow in their sum", "b", "rel-0002", "overflow"),
        ("a same-level cycle's iterate grows without bound", "c", "rel-0004", "round"),
        ("a non-binding bottleneck input overflows", "d", "rel-0006", "Infinity"),
    ]

    static func nonFiniteWorld(_ name: String) -> (WorldBuilder, Scenario) {
        var w = WorldBuilder()
        w.macro("oil", "Oil Price", value: 75, unit: "index", variable: "oil_price")
        let oil = ["oil_price": 100.0]  // source.delta = 25
        switch name {
        case nonFiniteCases[0].0:
            w.entity("a", level: 1)
            w.edge("oil", "a", formula: "return source.delta * 1e306;")
            return (w, scenario(oil, levels: [1: extreme()]))
        case nonFiniteCases[1].0:
            w.entity("b", level: 1)
            w.edge("oil", "b", formula: "return source.delta * 6e306;")
            w.edge("oil", "b", formula: "return source.delta * 7e306;")
            return (w, scenario(oil))
        case nonFiniteCases[2].0:
            w.entity("a", level: 1)
            w.entity("c", level: 2)
            w.entity("e", level: 2)
            w.edge("oil", "a", formula: "return source.delta / 100;")
            w.edge("a", "c")
            w.edge("e", "c", id: "rel-0004")
            w.edge("c", "e", id: "rel-0005")
            return (w, scenario(oil, levels: [2: extreme(maxCycleRounds: 10_000)]))
        default:
            w.entity("d", level: 1)
            let bottleneck = #"{"propagation": {"channel": "bottleneck"}}"#
            w.edge("oil", "d", formula: "return -source.delta;", metadata: bottleneck, id: "rel-0005")
            w.edge("oil", "d", formula: "return source.delta * 1e306;", metadata: bottleneck, id: "rel-0006")
            return (w, scenario(oil, levels: [1: extreme()]))
        }
    }

    @Test(arguments: nonFiniteCases)
    func aNonFiniteValueFailsTheRunNamingEntityEdgeAndValue(_ name: String, _ entity: String, _ relationship: String, _ text: String) throws {
        let (w, s) = Self.nonFiniteWorld(name)
        let error = try #require(try failure(w, s))
        let problem = try #require(error.problems.first)
        #expect(problem.location == "entity \(entity)", "\(error)")
        #expect(problem.message.contains("`\(relationship)`"), "\(error)")
        #expect(problem.message.contains(text), "\(error)")
        #expect(error.storeError.problems.first?.code == "engine.non-finite", "\(error.storeError)")
    }

    @Test func theIssuesLevelSettingsFailInsteadOfStoringNullImpacts() throws {
        // Every level at damping 10 and ±1.8e308 on a chain that doubles its impact each level.
        var w = WorldBuilder()
        w.macro("oil", "Oil Price", value: 75, unit: "index", variable: "oil_price")
        for level in 1...9 { w.entity("e\(level)", level: level) }
        w.edge("oil", "e1", formula: "return source.delta * 1e300;")
        for level in 2...9 {
            w.edge("e\(level - 1)", "e\(level)")
            w.edge("e\(level - 1)", "e\(level)")
        }
        let levels = Dictionary(uniqueKeysWithValues: (0...9).map { ($0, Self.extreme()) })
        let error = try #require(try failure(w, scenario(["oil_price": 100], levels: levels)))
        #expect(error.description.contains("entity e"), "\(error)")
    }

    @Test(arguments: ScenarioServiceTests.Backend.available)
    func aFailedRunIsLoggedAsFailedAndNothingIsCached(_ backend: ScenarioServiceTests.Backend) throws {
        try backend.withStore { store in
            let world = #"""
            {"entities": [
              {"id": "oil", "type": "MACRO", "name": "Oil Price", "category": "COMMODITY", "ontology_level": 0,
               "metadata": {"variable": "oil_price", "unit": "index", "current_value": 75}},
              {"id": "a", "type": "COMPANY", "name": "A", "category": "ENERGY", "ontology_level": 1, "metadata": {}}],
             "relationships": [
              {"id": "rel-1", "source_entity_id": "oil", "target_entity_id": "a", "type": "IMPACTS", "weight": 1,
               "impact_formula": "return source.delta * 1e306;"}]}
            """#
            _ = try store.importWorld(try JSONValue.parse(world), file: "world.json")
            let service = ScenarioService(store: store)
            let document = try JSONValue.parse(#"""
                {"name": "overflow", "author": "tests", "macro_variables": {"oil_price": 100},
                 "level_settings": {"1": {"damping": 10}}}
                """#)
            let (id, _) = try service.submit(document, today: "2025-06-30")
            do {
                _ = try service.run(id, includeEntities: true)
                Issue.record("the run succeeded")
            } catch let error as EngineError {
                #expect(error.description.contains("entity a") && error.description.contains("`rel-1`")
                        && error.description.contains("Infinity"), "\(error)")
            }
            let run = try #require(try store.runs().first)
            #expect(run.status == .failed)
            #expect(run.error?.contains("Infinity") == true, "\(run.error ?? "no error")")
            #expect(try store.result(scenarioID: id, includeEntities: true) == nil)
            #expect(try store.scenario(id)?.resultFingerprint == nil)
        }
    }

    // MARK: Feedback rounds

    /// sector (level 2) → firm (level 3) with weight 1; firm → sector (feedback) with 0.5; a shock
    /// of 0.1 on the sector. Feedback rounds approach the fixed point s = 0.1 + 0.5 s = 0.2,
    /// halving the gap each round (about 40 rounds to 1e-12).
    static func feedbackWorld() -> WorldBuilder {
        var w = WorldBuilder()
        w.entity("sector", level: 2, type: "SECTOR")
        w.entity("firm", level: 3)
        w.edge("sector", "firm", weight: 1)
        w.edge("firm", "sector", weight: 0.5)
        return w
    }

    static func feedbackScenario(_ extra: String) throws -> Scenario {
        try Scenario.parse(try JSONValue.parse(#"{"name": "f", "author": "tests", "macro_variables": {}, "entity_shocks": {"sector": 0.1}, "as_of": "2025-06-30", "#
                                               + extra + "}"), defaultAsOf: "2025-06-30")
    }

    @Test func feedbackRoundsConvergeAndReportTheRoundsUsed() throws {
        let s = try Self.feedbackScenario(#""feedback_rounds": "converge""#)
        let result = try Self.feedbackWorld().run(s)
        #expect(abs(result.impact("sector") - 0.2) <= 1e-11)
        #expect(result.stats.feedbackConverged == true)
        #expect((30...60).contains(result.stats.feedbackRounds), "\(result.stats.feedbackRounds) rounds")
        let stats = result.summaryJSON()["stats"]
        #expect(stats?["feedback_converged"] == .bool(true))
        #expect(stats?["feedback_rounds"] == .number(Double(result.stats.feedbackRounds)))
        #expect(!result.warnings.contains { $0.contains("feedback did not converge") })

        // A looser tolerance stops sooner.
        let loose = try Self.feedbackWorld().run(Self.feedbackScenario(#""feedback_rounds": "converge", "feedback_tolerance": 1e-3"#))
        #expect(loose.stats.feedbackConverged == true)
        #expect(loose.stats.feedbackRounds < result.stats.feedbackRounds)
    }

    @Test func feedbackThatDoesNotConvergeWithinItsMaximumIsReported() throws {
        let s = try Self.feedbackScenario(#""feedback_rounds": "converge", "feedback_max_rounds": 5"#)
        let result = try Self.feedbackWorld().run(s)
        #expect(result.stats.feedbackRounds == 5)
        #expect(result.stats.feedbackConverged == false)
        #expect(result.summaryJSON()["stats"]?["feedback_converged"] == .bool(false))
        #expect(result.warnings.contains { $0.contains("feedback did not converge within 5 rounds") }, "\(result.warnings)")
    }

    @Test func aFixedNumberOfFeedbackRoundsMayExceedTen() throws {
        let s = try Self.feedbackScenario(#""feedback_rounds": 1000"#)
        #expect(s.feedbackRounds == 1000)
        let result = try Self.feedbackWorld().run(s)
        #expect(result.stats.feedbackRounds == 1000)
        #expect(result.stats.feedbackConverged == nil)
        #expect(result.summaryJSON()["stats"]?["feedback_converged"] == .null)
        #expect(abs(result.impact("sector") - 0.2) <= 1e-15)
    }

    @Test func theConvergeSettingsRoundTripThroughTheCanonicalDocument() throws {
        let s = try Self.feedbackScenario(#""feedback_rounds": "converge", "feedback_tolerance": 1e-9, "feedback_max_rounds": 200"#)
        #expect(s.feedbackRounds == 200 && s.feedbackConvergence?.tolerance == 1e-9)
        #expect(s.json["feedback_rounds"] == .string("converge"))
        #expect(try Scenario.parse(s.json, defaultAsOf: "2025-06-30") == s)
        // A fixed count keeps its old canonical form (so stored documents still deduplicate).
        let fixed = try Self.feedbackScenario(#""feedback_rounds": 3"#)
        #expect(fixed.json["feedback_tolerance"] == nil && fixed.json["feedback_rounds"] == .number(3))
    }
}
