@testable import CascadeEngine
import Testing

/// An edge formula's baseline `f(baseline)` is evaluated once per target sector when the formula
/// reads only variables, `source.impact` and coefficients, per edge when it reads anything else,
/// and its scenario value is not evaluated at all when it reads nothing shocked — with every
/// contribution exactly the one evaluated per edge, `w · (f(scenario) − f(baseline))`.
struct BaselineTableTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let formula: String
        /// The formula by hand, of (source.impact, coeff.k, weight, target.baseline); nil for no value.
        let reference: @Sendable (Double, Double, Double, Double) -> Double?
        /// Formula evaluations of the run: 6 edges, 2 target sectors.
        let evaluations: Int
        var testDescription: String { formula }
    }

    static let cases: [Case] = [
        // One baseline per (formula, sector): 6 scenario evaluations + 2 baselines (was 12).
        Case(formula: "source.impact * coeff.k", reference: { i, k, _, _ in i * k }, evaluations: 8),
        Case(formula: "return (source.impact - 0.05) * coeff.k;", reference: { i, k, _, _ in (i - 0.05) * k }, evaluations: 8),
        Case(formula: "if (source.impact > 0.15) return source.impact;", reference: { i, _, _, _ in i > 0.15 ? i : nil }, evaluations: 8),
        // Baselines that differ between edges of a sector: per edge.
        Case(formula: "source.impact * weight", reference: { i, _, w, _ in i * w }, evaluations: 12),
        Case(formula: "source.impact + target.baseline", reference: { i, _, _, b in i + b }, evaluations: 12),
        // Nothing shocked: the baseline once per sector, and no scenario evaluation (was 12).
        Case(formula: "coeff.k * 3", reference: { _, k, _, _ in k * 3 }, evaluations: 2),
    ]

    static let shocks = ["s1": 0.1, "s2": -0.2, "s3": 0.3]
    static let k = ["A": 0.5, "B": 2.0]
    static let weight = ["ta": 0.5, "tb": 0.25]
    static let baseline = ["ta": 100.0, "tb": 50.0]

    /// Three shocked sources, each with an edge into `ta` (sector A) and one into `tb` (sector B).
    func world(_ formula: String) -> WorldBuilder {
        var w = WorldBuilder()
        for (sector, value) in Self.k { w.coefficient(sector, "k", value, from: "2024-01-01") }
        w.entity("ta", level: 2, sector: "A", currentValue: Self.baseline["ta"])
        w.entity("tb", level: 2, sector: "B", currentValue: Self.baseline["tb"])
        for s in ["s1", "s2", "s3"] {
            w.entity(s, level: 1, currentValue: 10)
            w.edge(s, "ta", weight: Self.weight["ta"], formula: formula)
            w.edge(s, "tb", weight: Self.weight["tb"], formula: formula)
        }
        return w
    }

    @Test(arguments: cases)
    func contributionsAreThoseOfEachEdge(_ c: Case) throws {
        let result = try world(c.formula).run(scenario([:], shocks: Self.shocks))
        #expect(result.stats.formulaEvaluations == c.evaluations)
        for (target, sector) in [("ta", "A"), ("tb", "B")] {
            let entity = try #require(result.entity(target))
            let (k, w, b) = (Self.k[sector]!, Self.weight[target]!, Self.baseline[target]!)
            var sum = 0.0
            for (contribution, source) in zip(entity.contributions, ["s1", "s2", "s3"]) {
                let scenarioValue = c.reference(Self.shocks[source]!, k, w, b), baselineValue = c.reference(0, k, w, b)
                let expected = 1 * w * ((scenarioValue ?? 0) - (baselineValue ?? 0))
                #expect(contribution.sourceID == source)
                #expect(contribution.value.bitPattern == expected.bitPattern, "\(target) ← \(source)")
                #expect(contribution.note == (scenarioValue == nil || baselineValue == nil ? "no_value" : "counted"))
                sum += expected
            }
            #expect(entity.impactUnclamped.bitPattern == (sum + 0).bitPattern)
        }
    }

    /// A baseline that fails fails every edge that shares it, with the same error; an edge whose
    /// scenario value fails first reports that one.
    @Test func aFailedBaselineFailsEveryEdgeThatSharesIt() throws {
        let result = try world("return Math.log(source.impact) * coeff.k;").run(scenario([:], shocks: Self.shocks))
        // Per sector: three scenario evaluations (s2's fails: log of a negative) and one baseline (log 0).
        #expect(result.stats.formulaEvaluations == 8)
        for target in ["ta", "tb"] {
            let entity = try #require(result.entity(target))
            #expect(entity.status == .error)
            #expect(entity.contributions.map(\.note) == ["failed", "failed", "failed"])
            let errors = entity.contributions.map { $0.error ?? "" }
            #expect(errors[0] == errors[2] && errors[0] != errors[1] && !errors[0].isEmpty, "\(errors)")
        }
    }

    /// An edge from a MACRO entity keeps its baseline per edge.
    @Test func anEdgeFromAMacroEntityKeepsItsOwnBaseline() throws {
        var w = WorldBuilder()
        w.macro("gdp", "US GDP Growth", value: 2, unit: "%")
        w.coefficient("A", "k", 0.5, from: "2024-01-01")
        for target in ["t1", "t2"] {
            w.entity(target, level: 3, sector: "A")
            w.edge("gdp", target, formula: "source.impact * coeff.k")
        }
        let result = try w.run(scenario(["us_gdp_growth": 0.03]))
        #expect(result.stats.formulaEvaluations == 4)
        let delta: Double = 0.03 - 2 * 0.01
        let expected: Double = 1 * 1 * (delta * 0.5 - 0)
        #expect(result.impact("t1") == expected)
    }
}
