@testable import CascadeEngine
import CascadeJSON
import CascadeStore
import Testing

/// A re-run after a coefficient row or a formula version changed recomputes only what is
/// downstream of the change (`RecomputePlan`) and stores exactly what a full run stores: the same
/// fingerprint and the same result columns, byte for byte.
struct IncrementalRecomputeTests {
    enum Edit: CaseIterable { case coefficient, formula, both, neither }

    /// `AttributionReferenceTests.world` (cycles, bottlenecks, formulas reading `coeff.beta` and
    /// moving variables, direct shocks; no feedback rounds) plus 150 edges through the registry
    /// formula `amp@1`, which reads `coeff.beta` too.
    static func world(seed: UInt64) -> (WorldBuilder, Scenario) {
        var (w, s) = AttributionReferenceTests.world(seed: seed, shocks: 40)
        s.feedbackRounds = 0
        for k in w.world.coefficients.indices { w.world.coefficients[k].id = "beta-\(k)" }  // rows are known by id
        w.world.formulas = [RegistryFormula(name: "amp", version: 1, text: "return x * b * 2;",
                                            parameters: ["x": "number", "b": "number"], effectiveDate: "2024-01-01")]
        var g = PropertyTests.Generator(state: seed &* 31)
        for _ in 0..<150 {
            let source = g.int(0...1_700)
            w.edge("e\(source)", "e\(source + g.int(230...299))", weight: 0.2,
                   metadata: #"{"formula": "amp", "bindings": {"x": "source.impact", "b": "coeff.beta"}}"#)
        }
        return (w, s)
    }

    /// Applies `edit` to the world: a newer `beta` row for one sector, and/or `amp@2`.
    static func apply(_ edit: Edit, to w: inout WorldBuilder, seed: UInt64) {
        var g = PropertyTests.Generator(state: seed &* 77)
        if edit == .coefficient || edit == .both {
            let sector = ["SEMICONDUCTOR", "BANKING", "ENERGY"][g.int(0...2)]
            w.coefficient(sector, "beta", 0.1 + g.unit(), from: "2025-0\(g.int(1...6))-01")
            w.world.coefficients[w.world.coefficients.count - 1].id = "beta-\(sector)-2"
        }
        if edit == .formula || edit == .both {
            w.world.formulas.append(RegistryFormula(name: "amp", version: 2, text: "return x * b * 3 - 0.001;",
                                                    parameters: ["x": "number", "b": "number"], effectiveDate: "2025-03-01"))
        }
    }

    static func previous(_ result: RunResult, registry: [RegistryFormula]) throws -> PreviousResult {
        try #require(PreviousResult(summary: result.summaryJSON(), table: result.entities.table, registry: registry))
    }

    static func columns(_ result: RunResult) throws -> [UInt8] {
        let encoded = ResultColumns.encode(try #require(result.entities.table), positions: result.entities.positions)
        return encoded.world.bytes + encoded.run
    }

    /// The summary a store keeps, without what describes the run itself (`stats`).
    static func stored(_ result: RunResult) -> JSONValue {
        var summary = result.summaryJSON().objectValue!
        summary["stats"] = nil
        return .object(summary)
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8], Edit.allCases)
    func anIncrementalRunStoresExactlyWhatAFullRunStores(_ seed: UInt64, _ edit: Edit) throws {
        var (w, s) = Self.world(seed: seed)
        let before = try Engine.prepare(s, world: w.world).propagate(previous: nil)
        #expect(before.stats.recompute == RunStats.Recompute(isIncremental: false, entities: 2_000, reason: "no previous result"))
        let previous = try Self.previous(before, registry: w.world.formulas)
        Self.apply(edit, to: &w, seed: seed)
        let full = try Engine.prepare(s, world: w.world).propagate(previous: nil)
        let incremental = try Engine.prepare(s, world: w.world).propagate(previous: previous)
        let recompute = try #require(incremental.stats.recompute)
        #expect(recompute.isIncremental, "\(recompute)")
        if edit == .neither { #expect(recompute.entities == 0) }
        if edit != .neither { #expect(full.fingerprint != before.fingerprint) }
        #expect(incremental.fingerprint == full.fingerprint)
        let sameColumns = try Self.columns(incremental) == Self.columns(full)
        #expect(sameColumns, "the stored columns differ")
        let sameSummary = Self.stored(incremental) == Self.stored(full)
        #expect(sameSummary, "the stored summaries differ")
        #expect(incremental.stats.cycles == full.stats.cycles && incremental.stats.unconvergedCycles == full.stats.unconvergedCycles)
        #expect(incremental.stats.edgesEvaluated == full.stats.edgesEvaluated)
        #expect(incremental.stats.formulaEvaluations <= full.stats.formulaEvaluations)
    }

    /// Two sectors on two independent chains: changing one sector's row recomputes only the
    /// entities of that sector's chain that are downstream of the edge reading it.
    @Test func onlyTheEntitiesDownstreamOfTheChangeAreRecomputed() throws {
        var w = WorldBuilder()
        w.macro("m", "Oil Price", value: 80)
        w.coefficient("ENERGY", "beta", 0.5, from: "2024-01-01")
        w.coefficient("BANKING", "beta", 0.7, from: "2024-01-01")
        w.world.coefficients[0].id = "beta-energy"
        w.world.coefficients[1].id = "beta-banking"
        for (sector, prefix) in [("ENERGY", "a"), ("BANKING", "b")] {
            for k in 1...5 { w.entity("\(prefix)\(k)", level: k, sector: sector) }
            w.edge("m", "\(prefix)1", formula: "return (oil_price - 80) / 100;")
            w.edge("\(prefix)1", "\(prefix)2")
            w.edge("\(prefix)2", "\(prefix)3", formula: "return source.impact * coeff.beta;")
            w.edge("\(prefix)3", "\(prefix)4")
            w.edge("\(prefix)4", "\(prefix)5")
        }
        let s = scenario(["oil_price": 60])
        let before = try Engine.prepare(s, world: w.world).propagate(previous: nil)
        let previous = try Self.previous(before, registry: [])
        w.world.coefficients[0].value = 0.25  // ENERGY's row, changed in place
        let incremental = try Engine.prepare(s, world: w.world).propagate(previous: previous)
        let full = try Engine.prepare(s, world: w.world).propagate(previous: nil)
        #expect(incremental.stats.recompute == RunStats.Recompute(isIncremental: true, entities: 3, reason: nil))  // a3, a4, a5
        #expect(incremental.stats.formulaEvaluations == 2)  // a3's edge, both contexts
        #expect(try Self.columns(incremental) == Self.columns(full))
        #expect(incremental.impact("a5") == 0.5 * full.impact("a2") * 0.5 && incremental.impact("a5") != before.impact("a5"))
    }

    /// What the plan cannot vouch for runs in full, and says why.
    @Test(arguments: [
        ("entity", "more than coefficient rows and formula versions changed"),
        ("macro", "more than coefficient rows and formula versions changed"),
        ("feedback", "feedback rounds read the previous pass"),
        ("sensitivities", "sensitivities are computed over the whole graph"),
        ("fingerprint", "more than coefficient rows and formula versions changed"),
        ("gone formula", "a formula version the previous result used is gone"),
        ("no columns", "the previous result is stored whole (small results run in full)"),
        ("other graph", "the previous result's columns do not match the graph or hold formula failures"),
        ("other causes", "the previous result's attribution keys are not this run's"),
    ])
    func whatCannotBeReusedRunsInFull(_ change: String, _ reason: String) throws {
        var (w, s) = Self.world(seed: 11)
        let before = try Engine.prepare(s, world: w.world).propagate(previous: nil)
        var summary = before.summaryJSON().objectValue!
        var table = before.entities.table
        var registry = w.world.formulas
        Self.apply(.coefficient, to: &w, seed: 11)
        switch change {
        case "entity": w.world.entities[10].name = "renamed"
        case "macro": s.macroVariables["oil_price"]! += 1
        case "feedback": s.feedbackRounds = 1
        case "sensitivities": s.sensitivities = true
        case "fingerprint": summary["fingerprint"] = .string("0123456789abcdef0123456789abcdef")
        case "gone formula": registry = []
        case "no columns": table = nil
        case "other graph": table = try Engine.prepare(Self.world(seed: 12).1, world: Self.world(seed: 12).0.world).propagate().entities.table
        case "other causes":  // columns of the same graph, from a scenario shocking one more entity
            var other = s
            let unshocked = try #require((0..<2_000).map { "e\($0)" }.first { s.entityShocks[$0] == nil })
            other.entityShocks[unshocked] = 0.5
            table = try Engine.prepare(other, world: w.world).propagate().entities.table
        default: Issue.record("unknown change \(change)")
        }
        let previous = try #require(PreviousResult(summary: .object(summary), table: table, registry: registry))
        let run = try Engine.prepare(s, world: w.world).propagate(previous: previous)
        #expect(run.stats.recompute?.isIncremental == false)
        #expect(run.stats.recompute?.reason == reason)
        let full = try Engine.prepare(s, world: w.world).propagate(previous: nil)
        let sameColumns = try Self.columns(run) == Self.columns(full)
        #expect(sameColumns, "the stored columns differ")
    }
}
