@testable import CascadeEngine
import Testing

/// Invariants of propagation on random graphs (deterministic seeds).
struct PropertyTests {
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
        mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    }

    static let formulas = [
        "return source.delta * coeff.beta * 10;",
        "if (oil_price > 90) return -0.1; else if (oil_price < 70) return 0.05;",
        "const x = source.impact * 2; return Math.max(-0.5, Math.min(0.5, x));",
        "return (fed_funds_rate - source.baseline) * weight * 3;",
        "return source.impact * coeff.beta + (gdp_growth - 0.02) * 5;",
    ]

    /// A random world: 3 macro variables, ~40 entities over levels 1–9, ~120 edges of every class.
    static func world(seed: UInt64) -> WorldBuilder {
        var g = Generator(state: seed)
        var w = WorldBuilder()
        w.macro("m-fed", "Fed Funds Rate", level: 0, value: 5.25, unit: "%")
        w.macro("m-oil", "Oil Price", level: 0, value: 80, unit: "USD/bbl")
        w.macro("m-gdp", "GDP Growth", level: 0, value: 2, unit: "%")
        let sectors = ["SEMICONDUCTOR", "BANKING", "ENERGY"]
        for sector in sectors { w.coefficient(sector, "beta", 0.5 + g.unit(), from: "2024-01-01") }
        var ids: [(String, Int)] = []
        for i in 0..<40 {
            let level = g.int(1...9)
            let id = "e\(i)"
            w.entity(id, level: level, sector: sectors[g.int(0...2)], currentValue: g.int(0...1) == 0 ? 100 + g.unit() * 900 : nil)
            ids.append((id, level))
        }
        for _ in 0..<120 {
            let (source, _) = ids[g.int(0...ids.count - 1)]
            let (target, _) = ids[g.int(0...ids.count - 1)]
            var metadata: String?
            switch g.int(0...9) {
            case 0: metadata = #"{"propagation": {"channel": "bottleneck"}}"#
            case 1: metadata = #"{"propagation": {"sign": -1}}"#
            default: break
            }
            let formula = g.int(0...3) == 0 ? formulas[g.int(0...formulas.count - 1)] : nil
            w.edge(source, target, type: ["SUPPLIES", "IMPACTS", "OWNS", "FINANCES"][g.int(0...3)],
                   weight: (g.unit() * 0.6 * 10_000).rounded() / 10_000, formula: formula, metadata: metadata)
        }
        for (id, _) in ids.prefix(6) {
            let macro = ["m-fed", "m-oil", "m-gdp"][g.int(0...2)]
            w.edge(macro, id, formula: formulas[[0, 1, 3, 4][g.int(0...3)]])
        }
        return w
    }

    static let seeds: [UInt64] = Array(1...40)

    static func shocked(_ seed: UInt64) -> Scenario {
        var g = Generator(state: seed &* 7)
        return scenario(["fed_funds_rate": 0.02 + g.unit() * 0.05, "oil_price": 60 + g.unit() * 50, "gdp_growth": g.unit() * 0.05],
                        shocks: ["e3": g.unit() - 0.5], feedbackRounds: g.int(0...2))
    }

    @Test(arguments: seeds)
    func aBaselineScenarioGivesExactlyZero(_ seed: UInt64) throws {
        let w = PropertyTests.world(seed: seed)
        let result = try w.run(scenario(["fed_funds_rate": 0.0525, "oil_price": 80, "gdp_growth": 0.02], feedbackRounds: 2))
        for entity in result.entities {
            #expect(entity.impact == 0 && entity.impactUnclamped == 0, "\(entity.id): \(entity.impact)")
            #expect(entity.contributions.allSatisfy { $0.value == 0 })
        }
    }

    @Test(arguments: seeds)
    func contributionsSumToTheUnclampedImpactAndAttributionsToTheImpact(_ seed: UInt64) throws {
        let result = try PropertyTests.world(seed: seed).run(PropertyTests.shocked(seed))
        var moved = 0
        for entity in result.entities where entity.status != .notConverged {
            // Summed in the listed order, exactly as the engine sums them.
            #expect(entity.contributions.reduce(0) { $0 + $1.value } == entity.impactUnclamped, "\(entity.id)")
            let attributed = entity.attribution.reduce(0) { $0 + $1.value }
            #expect(abs(attributed - entity.impact) <= 1e-12 * max(1, abs(entity.impact)), "\(entity.id): \(attributed) vs \(entity.impact)")
            if entity.impact != 0 { moved += 1 }
        }
        #expect(moved > 0)
    }

    @Test(arguments: seeds.prefix(10))
    func theSameInputsGiveBitIdenticalResults(_ seed: UInt64) throws {
        let w = PropertyTests.world(seed: seed)
        let a = try w.run(PropertyTests.shocked(seed))
        var shuffled = w
        shuffled.world.entities.reverse()
        shuffled.world.relationships.reverse()
        shuffled.world.coefficients.reverse()
        let b = try shuffled.run(PropertyTests.shocked(seed))
        #expect(a.fingerprint == b.fingerprint)
        #expect(a.entities.count == b.entities.count)
        for (x, y) in zip(a.entities, b.entities) {
            #expect(x.id == y.id && x.impact.bitPattern == y.impact.bitPattern && x.impactUnclamped.bitPattern == y.impactUnclamped.bitPattern)
            #expect(x.attribution.map(\.value.bitPattern) == y.attribution.map(\.value.bitPattern))
        }
    }
}
