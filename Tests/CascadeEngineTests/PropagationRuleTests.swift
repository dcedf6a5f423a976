@testable import CascadeEngine
import Testing

/// Each rule of the propagation brief on a small graph whose answer is computed by hand.
struct PropagationRuleTests {
    /// Fed Funds Rate (5.25 %, level 0) → bank (level 3) with `source.delta * 10`.
    func rateWorld() -> WorldBuilder {
        var w = WorldBuilder()
        w.macro("fed", "Fed Funds Rate", value: 5.25, unit: "%")
        w.entity("bank", level: 3, sector: "BANKING", currentValue: 200)
        w.edge("fed", "bank", weight: 0.5, formula: "return source.delta * 10;")
        return w
    }

    @Test func unitsAreNormalisedToDecimals() throws {
        let result = try rateWorld().run(scenario(["fed_funds_rate": 0.025]))
        let fed = try #require(result.macros.first)
        #expect(fed.variable == "fed_funds_rate")
        #expect(fed.baseline == 5.25 * 0.01)
        #expect(fed.value == 0.025)
        let expected = 1 * 1 * 0.5 * ((0.025 - 5.25 * 0.01) * 10 - 0)
        #expect(result.impact("bank") == expected)
        #expect(result.entity("bank")?.projectedValue == 200 * (1 + expected))
    }

    @Test func aScenarioEqualToTheBaselineMovesNothing() throws {
        var w = rateWorld()
        w.macro("hbm", "HBM Supply", value: 70, unit: "index", variable: "hbm_supply")
        w.entity("gpu", level: 4)
        // The threshold formula is already "on" at the baseline (70 < 80): it must contribute 0.
        w.edge("hbm", "gpu", formula: "if (hbm_supply < 80) return -0.25; else if (hbm_supply > 120) return 0.15;")
        w.edge("bank", "gpu")
        let result = try w.run(scenario(["fed_funds_rate": 0.0525, "hbm_supply": 70]))
        #expect(result.entities.allSatisfy { $0.impact == 0 })
    }

    @Test func aFormulaWithNoValueContributesZeroAndIsRecorded() throws {
        var w = WorldBuilder()
        w.macro("hbm", "HBM Supply", value: 100, unit: "index", variable: "hbm_supply")
        w.entity("gpu", level: 4)
        w.edge("hbm", "gpu", formula: "if (hbm_supply < 80) return -0.25; else if (hbm_supply > 120) return 0.15;")
        let inBand = try w.run(scenario(["hbm_supply": 90]))
        #expect(inBand.impact("gpu") == 0)
        #expect(inBand.entity("gpu")?.contributions.first?.note == "no_value")
        let short = try w.run(scenario(["hbm_supply": 72]))
        #expect(short.impact("gpu") == -0.25)  // f(72) − f(100) with no value at the baseline counting 0
    }

    @Test func coefficientsResolveAsOfTheScenarioDate() throws {
        var w = WorldBuilder()
        w.macro("gdp", "US GDP Growth", value: 2, unit: "%")
        w.entity("nvda", level: 3)
        w.coefficient("SEMICONDUCTOR", "gdp_elasticity", 1.5, from: "2024-01-01")
        w.coefficient("SEMICONDUCTOR", "gdp_elasticity", 1.8, from: "2025-01-01")
        w.coefficient("SEMICONDUCTOR", "gdp_elasticity", 9.9, from: "2025-03-01", active: false)
        w.coefficient("SEMICONDUCTOR", "gdp_elasticity", 7.7, from: "2026-01-01")
        w.edge("gdp", "nvda", formula: "return source.delta * coeff.gdp_elasticity;")
        let delta = 0.03 - 2 * 0.01
        #expect(try w.run(scenario(["us_gdp_growth": 0.03], asOf: "2024-06-30")).impact("nvda") == delta * 1.5)
        let later = try w.run(scenario(["us_gdp_growth": 0.03], asOf: "2025-06-30"))
        #expect(later.impact("nvda") == delta * 1.8)
        #expect(later.inputs.coefficients.map(\.value) == [1.8])
    }

    @Test func dampingScalesContributionsIntoALevel() throws {
        var settings = LevelSettings()
        settings.damping = 0.5
        let result = try rateWorld().run(scenario(["fed_funds_rate": 0.025], levels: [3: settings]))
        #expect(result.impact("bank") == 1 * 0.5 * 0.5 * ((0.025 - 5.25 * 0.01) * 10 - 0))
    }

    @Test func aDisabledLevelIsAFirewall() throws {
        var w = rateWorld()
        w.entity("borrower", level: 5)
        w.edge("bank", "borrower", weight: 0.8)
        var off = LevelSettings()
        off.isEnabled = false
        let result = try w.run(scenario(["fed_funds_rate": 0.025], levels: [3: off]))
        #expect(result.entity("bank")?.status == .disabled)
        #expect(result.impact("bank") == 0)
        #expect(result.impact("borrower") == 0)
        #expect(result.entity("borrower")?.contributions.first?.note == "blocked")
    }

    @Test func clampingScalesTheAttribution() throws {
        var w = WorldBuilder()
        w.macro("oil", "Oil Price", value: 80, unit: "USD/bbl")
        w.entity("a", level: 3)
        w.entity("b", level: 4)
        w.edge("oil", "b", formula: "return source.delta / 10;")
        w.edge("a", "b")
        let result = try w.run(scenario(["oil_price": 100], shocks: ["a": 0.9]))
        let b = try #require(result.entity("b"))
        #expect(b.impactUnclamped == 2.0 + 0.9)
        #expect(b.impact == 1)
        #expect(b.isClamped)
        let shares = Dictionary(uniqueKeysWithValues: b.attribution.map { ($0.key, $0.value) })
        #expect(abs((shares["macro:oil_price"] ?? 0) - 2.0 / 2.9) < 1e-15)
        #expect(abs((shares["shock:a"] ?? 0) - 0.9 / 2.9) < 1e-15)
        #expect(abs(b.attribution.reduce(0) { $0 + $1.value } - 1) < 1e-15)
    }

    @Test func onlyTheScarcestBottleneckInputBinds() throws {
        var w = WorldBuilder()
        for id in ["hbm", "cowos", "gpu"] { w.entity(id, level: id == "gpu" ? 4 : 5) }
        w.entity("boards", level: 3)
        let bottleneck = #"{"propagation": {"direction": "reverse", "channel": "bottleneck"}}"#
        w.edge("gpu", "hbm", type: "REQUIRES", weight: 1, metadata: bottleneck)
        w.edge("gpu", "cowos", type: "REQUIRES", weight: 1, metadata: bottleneck)
        // hbm and cowos are at level 5 and flow up into the gpu at level 4: feedback edges.
        let result = try w.run(scenario([:], shocks: ["hbm": -0.2, "cowos": -0.5], feedbackRounds: 1))
        let gpu = try #require(result.entity("gpu"))
        #expect(gpu.impact == -0.5)
        #expect(gpu.contributions.map(\.note) == ["not_binding", "counted"])
        #expect(gpu.contributions.map(\.value) == [0, -0.5])
    }

    @Test func aConvergentTwoCycleReachesTheLinearSolution() throws {
        var w = WorldBuilder()
        w.entity("a", level: 3)
        w.entity("b", level: 3)
        w.edge("b", "a", type: "SUPPLIES", weight: 0.5)
        w.edge("a", "b", type: "SUPPLIES", weight: 0.4)
        let result = try w.run(scenario([:], shocks: ["a": 0.1]))
        // x = (I − W)⁻¹ b with W = [[0, 0.5], [0.4, 0]], b = (0.1, 0): x = (0.125, 0.05).
        #expect(abs(result.impact("a") - 0.125) < 1e-12)
        #expect(abs(result.impact("b") - 0.05) < 1e-12)
        #expect(result.entity("a")?.status == .ok)
        #expect(result.stats.cycles == 1)
    }

    @Test func aNonConvergingCycleIsCappedAndReported() throws {
        var w = WorldBuilder()
        w.entity("a", level: 3)
        w.entity("b", level: 3)
        w.edge("b", "a", type: "SUPPLIES", weight: 1, metadata: #"{"propagation": {"sign": -1}}"#)
        w.edge("a", "b", type: "SUPPLIES", weight: 1)
        var capped = LevelSettings()
        capped.maxCycleRounds = 50
        let result = try w.run(scenario([:], levels: [3: capped], shocks: ["a": 0.1]))
        #expect(result.entity("a")?.status == .notConverged)
        #expect(result.entity("a")?.cycleRounds == 50)
        #expect(result.stats.unconvergedCycles == 1)
        #expect(result.warnings.contains { $0.contains("did not converge") })

        // Relaxation damps the oscillation into the fixed point a = 0.1 − b, b = a.
        var relaxed = capped
        relaxed.relaxation = 0.5
        relaxed.maxCycleRounds = 1000
        let damped = try w.run(scenario([:], levels: [3: relaxed], shocks: ["a": 0.1]))
        #expect(damped.entity("a")?.status == .ok)
        #expect(abs(damped.impact("a") - 0.05) < 1e-11)
        #expect(abs(damped.impact("b") - 0.05) < 1e-11)
    }

    @Test func feedbackEdgesApplyOnlyInFeedbackRounds() throws {
        var w = WorldBuilder()
        w.entity("sector", level: 2, type: "SECTOR")
        w.entity("bank", level: 8, type: "COMPANY", sector: "BANKING")
        w.entity("firm", level: 3)
        w.edge("sector", "firm", weight: 1)
        let feedback = w.edge("bank", "sector", type: "IMPACTS", weight: 0.5)
        let none = try w.run(scenario([:], shocks: ["bank": -0.4]))
        #expect(none.impact("sector") == 0)
        #expect(none.entity("sector")?.contributions.first?.note == "skipped")
        #expect(none.warnings.contains { $0.contains(feedback) })
        let one = try w.run(scenario([:], shocks: ["bank": -0.4], feedbackRounds: 1))
        #expect(one.impact("sector") == -0.2)
        #expect(one.impact("firm") == -0.2)
    }

    @Test func ownershipFlowsToTheOwner() throws {
        var w = WorldBuilder()
        w.entity("fund", level: 2, type: "SHAREHOLDER")
        w.entity("nvda", level: 3)
        w.edge("fund", "nvda", type: "OWNS", weight: 0.08)
        let result = try w.run(scenario([:], levels: [:], shocks: ["nvda": -0.3], feedbackRounds: 1))
        #expect(result.impact("fund") == 0.08 * -0.3)
    }

    @Test func contributionsAreListedInRelationshipOrderAndSumToTheUnclampedImpact() throws {
        var w = WorldBuilder()
        for id in ["a", "b", "c"] { w.entity(id, level: 2) }
        w.entity("t", level: 3)
        w.edge("c", "t", weight: 0.3, id: "rel-3")
        w.edge("a", "t", weight: 0.1, id: "rel-1")
        w.edge("b", "t", weight: 0.7, id: "rel-2")
        let result = try w.run(scenario([:], shocks: ["a": 0.11, "b": -0.23, "c": 0.37, "t": 0.05]))
        let t = try #require(result.entity("t"))
        #expect(t.contributions.map(\.relationshipID) == ["rel-1", "rel-2", "rel-3", ""])
        #expect(t.contributions.reduce(0) { $0 + $1.value } == t.impactUnclamped)
    }
}
