@testable import CascadeEngine
import Testing

/// Names a formula reads are resolved before the run; problems name the relationship.
struct BindingTests {
    func world() -> WorldBuilder {
        var w = WorldBuilder()
        w.macro("gdp", "US GDP Growth", value: 2, unit: "%")
        w.entity("nvda", level: 3)
        w.coefficient("SEMICONDUCTOR", "gdp_elasticity", 1.8, from: "2025-01-01")
        w.world.formulas = [RegistryFormula(
            name: "gdp_sector_impact", version: 1, text: "return (gdpGrowth - baseline) * elasticity * 100;",
            parameters: ["gdpGrowth": "number", "baseline": "number", "elasticity": "number"], effectiveDate: "2025-01-01")]
        return w
    }

    func problems(_ w: WorldBuilder, _ s: Scenario = scenario(["us_gdp_growth": 0.03])) -> [EngineError.Problem] {
        do {
            _ = try Engine.prepare(s, world: w.world)
            return []
        } catch {
            return error.problems
        }
    }

    @Test func aRegistryFormulaBindsItsParameters() throws {
        var w = world()
        w.edge("gdp", "nvda", metadata: #"{"formula": "gdp_sector_impact", "bindings": {"gdpGrowth": "source.value", "baseline": "source.baseline", "elasticity": "coeff.gdp_elasticity"}}"#)
        let result = try w.run(scenario(["us_gdp_growth": 0.03]))
        let baseline: Double = 2 * 0.01
        let scenarioValue: Double = (0.03 - baseline) * 1.8 * 100
        let baselineValue: Double = (baseline - baseline) * 1.8 * 100
        // sign · damping · weight · (f(scenario) − f(baseline)), clamped to [−1, 1].
        #expect(result.entity("nvda")?.impactUnclamped == 1.0 * 1.0 * 1.0 * (scenarioValue - baselineValue))
        #expect(result.impact("nvda") == 1)
        #expect(result.inputs.formulas == ["gdp_sector_impact@1"])
    }

    @Test func anUnknownNameIsAnErrorBeforeTheRun() {
        var w = world()
        w.edge("gdp", "nvda", formula: "return gdp_growht * 2;", id: "rel-typo")
        let found = problems(w)
        #expect(found.count == 1)
        #expect(found.first?.location == "relationship rel-typo")
        #expect(found.first?.detail?.contains("unknown name `gdp_growht`") == true)
    }

    @Test func aMissingCoefficientIsAnErrorBeforeTheRun() {
        var w = world()
        w.edge("gdp", "nvda", formula: "return source.delta * coeff.gdp_elasticity;", id: "rel-old")
        #expect(problems(w, scenario(["us_gdp_growth": 0.03], asOf: "2024-06-30")).map(\.message)
                == ["no active `gdp_elasticity` coefficient for sector `SEMICONDUCTOR` as of 2024-06-30"])
    }

    @Test func anAmbiguousParameterIsAnError() {
        var w = world()
        // `baseline` is not bound explicitly and is found nowhere; `elasticity` likewise.
        w.edge("gdp", "nvda", metadata: #"{"formula": "gdp_sector_impact", "bindings": {"gdpGrowth": "source.value"}}"#)
        #expect(problems(w).first?.message.contains("has no binding") == true)
        var ambiguous = world()
        ambiguous.entity("x", level: 3, metadata: #""gdp_elasticity": 2"#)
        ambiguous.world.formulas[0].parameters = ["gdp_elasticity": "number"]
        ambiguous.world.formulas[0].text = "return gdp_elasticity;"
        ambiguous.edge("gdp", "x", metadata: #"{"formula": "gdp_sector_impact"}"#)
        #expect(problems(ambiguous).first?.message.contains("is ambiguous") == true)
    }

    @Test func anEdgeLeavingAMacroNeedsAFormula() {
        var w = world()
        w.edge("gdp", "nvda", id: "rel-bare")
        #expect(problems(w).first?.message.contains("must have a formula") == true)
    }

    @Test func everyProblemIsReportedAtOnce() {
        var w = world()
        w.edge("gdp", "nvda", formula: "return nope;", id: "rel-a")
        w.edge("gdp", "nvda", metadata: #"{"formula": "missing_formula"}"#, id: "rel-b")
        w.edge("nvda", "nvda", metadata: #"{"propagation": {"direction": "sideways"}}"#, id: "rel-c")
        let found = problems(w, scenario(["us_gdp_growth": 0.03], shocks: ["ghost": 0.1]))
        #expect(Set(found.map(\.location)) == ["relationship rel-a", "relationship rel-b", "relationship rel-c", "$.entity_shocks[\"ghost\"]"])
    }

    /// Edges that share one inline formula text are bound once, by text; an edge whose metadata
    /// also names a registry formula must still be refused, whether it comes before or after an
    /// edge that bound the text (the fast path that reuses a bound text looks at the metadata).
    @Test(arguments: [
        (["", #"{"formula": "gdp_sector_impact"}"#], ["relationship rel-2"]),
        ([#"{"note": 1}"#, #"{"formula": "gdp_sector_impact"}"#], ["relationship rel-2"]),
        ([#"{"formula": "gdp_sector_impact"}"#, ""], ["relationship rel-1"]),
        ([#"{"formula": "gdp_sector_impact"}"#, #"{"note": 1}"#, #"{"formula": "gdp_sector_impact"}"#],
         ["relationship rel-1", "relationship rel-3"]),
        ([#"{"note": 1}"#, #"{"note": 1}"#, ""], []),
    ])
    func aSharedInlineTextStillSeesEachEdgesMetadata(metadata: [String], refused: [String]) {
        var w = world()
        for (k, text) in metadata.enumerated() {
            w.edge("gdp", "nvda", formula: "return source.delta * 2;", metadata: text.isEmpty ? nil : text, id: "rel-\(k + 1)")
        }
        let found = problems(w)
        #expect(found.map(\.location) == refused)
        #expect(found.allSatisfy { $0.message == "has both impact_formula and metadata.formula; keep one" })
    }
}
