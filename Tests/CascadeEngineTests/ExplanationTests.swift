@testable import CascadeEngine
import CascadeJSON
import CascadeStore
import Testing

/// `PreparedScenario.explain`: every number on the page is the run's — contributions equal the
/// result's and add up (in the run's order) to the unclamped impact; the clamp, a bottleneck input
/// that does not bind and a cycle are said as such; the inputs a formula read are shown on both sides.
struct ExplanationTests {
    /// fed (macro) → bank (formula, sign −1 via weight) → gpu (pass-through), a two-cycle a ⇄ b
    /// fed by gpu, a bottleneck pair into boards, and a clamp on level 5.
    func world() -> WorldBuilder {
        var w = WorldBuilder()
        w.macro("fed", "Fed Funds Rate", value: 5.25, unit: "%")
        w.entity("bank", level: 3, sector: "BANKING", currentValue: 200)
        w.edge("fed", "bank", weight: 0.5, formula: "return source.delta * 10;", metadata: #"{"propagation": {"sign": -1}}"#)
        w.entity("gpu", level: 4)
        w.edge("bank", "gpu", weight: 0.8)
        w.entity("a", level: 5)
        w.entity("b", level: 5)
        w.edge("gpu", "a", weight: 1)
        w.edge("b", "a", type: "SUPPLIES", weight: 0.5)
        w.edge("a", "b", type: "SUPPLIES", weight: 0.4)
        w.entity("hbm", level: 6)
        w.entity("cowos", level: 6)
        w.entity("boards", level: 7)
        let bottleneck = #"{"propagation": {"channel": "bottleneck"}}"#
        w.edge("hbm", "boards", type: "REQUIRES", weight: 1, metadata: bottleneck)
        w.edge("cowos", "boards", type: "REQUIRES", weight: 1, metadata: bottleneck)
        w.edge("a", "hbm", weight: 1)
        return w
    }

    func explain(_ entity: String, depth: Int = 3) throws -> (RunExplanation, RunResult) {
        let w = world()
        var clamp = LevelSettings()
        clamp.clamp = -0.02...0.02
        let s = scenario(["fed_funds_rate": 0.045], levels: [5: clamp], shocks: ["cowos": -0.3])
        let prepared = try Engine.prepare(s, world: w.world)
        return (try prepared.explain(entity, depth: depth, scenarioName: "test"), try Engine.prepare(s, world: w.world).propagate())
    }

    /// Every explained node, depth first.
    func nodes(_ node: RunExplanation.Node) -> [RunExplanation.Node] { [node] + node.sources.flatMap(nodes) }

    @Test(arguments: ["boards", "a", "b", "gpu", "bank", "hbm"])
    func theContributionsAreTheRunsAndAddUpToTheUnclampedImpact(_ id: String) throws {
        let (explanation, result) = try explain(id, depth: 10)
        for node in nodes(explanation.root) where !node.isMacro && !node.isExplainedAbove {
            let entity = try #require(result.entity(node.id))
            #expect(node.impact == entity.impact && node.impactUnclamped == entity.impactUnclamped, "\(node.id)")
            #expect(node.sum == entity.impactUnclamped, "\(node.id): \(node.sum) ≠ \(entity.impactUnclamped)")
            #expect(node.contributions.map(\.value) == entity.contributions.map(\.value), "\(node.id)")
            #expect(node.contributions.map(\.note) == entity.contributions.map(\.note), "\(node.id)")
        }
    }

    @Test func aFormulaEdgeShowsItsInputsResultsAndSettings() throws {
        let (explanation, _) = try explain("bank", depth: 2)
        let edge = try #require(explanation.root.contributions.first)
        #expect(edge.formula == "return source.delta * 10;" && edge.isInline)
        #expect(edge.sign == -1 && edge.weight == 0.5 && edge.damping == 1)
        #expect(edge.inputs == [RunExplanation.Input(path: "source.delta", scenario: .number(0.045 - 0.0525), baseline: .number(0))])
        let (scenario, baseline) = (try #require(edge.scenarioResult), try #require(edge.baselineResult))
        #expect(scenario == (0.045 - 0.0525) * 10 && baseline == 0)
        #expect(edge.value == -1 * 1 * 0.5 * (scenario - baseline))
        // Each result with its trace: every subexpression's value in that context, from the one evaluator.
        #expect(edge.scenarioTrace.map(\.text) == ["source.delta * 10", "source.delta"])
        #expect(edge.scenarioTrace.map(\.value) == [.number(scenario), .number(0.045 - 0.0525)])
        #expect(edge.baselineTrace.map(\.value) == [.number(0), .number(0)])
        #expect(RunExplanation.json(explanation.root)["contributions"]?.arrayValue?.first?["scenario_trace"]?.arrayValue?.count == 2)
        // The source is a macro variable: the explanation ends there, with its values.
        let fed = try #require(explanation.root.sources.first)
        #expect(fed.isMacro && fed.variable == "fed_funds_rate" && fed.value == 0.045 && fed.baseline == 0.0525 && fed.unit == "%")
    }

    @Test func theClampABottleneckAndACycleAreSaidAsSuch() throws {
        let (clamped, _) = try explain("a", depth: 1)
        #expect(clamped.root.clamp == -0.02...0.02)
        #expect(clamped.root.impact == 0.02 && clamped.root.impactUnclamped > 0.02)
        #expect(clamped.root.cycle?.hasPrefix("cycle member, converged in ") == true, "\(clamped.root.cycle ?? "nil")")
        #expect(clamped.root.sources.isEmpty)  // depth 1: its own contributions only

        let (boards, _) = try explain("boards", depth: 2)
        #expect(boards.root.contributions.map(\.note) == ["not_binding", "counted"])
        #expect(boards.root.contributions.map(\.sourceID) == ["hbm", "cowos"])
        // Sources largest first: cowos (binding, −0.3); hbm counted 0 is not explained further.
        #expect(boards.root.sources.map(\.id) == ["cowos"])
        #expect(boards.root.sources.first?.contributions.contains { $0.isShock && $0.value == -0.3 } == true)

        let json = boards.json
        #expect(json["entity"]?["contributions"]?[0]?["note"] == .string("not_binding"))
    }

    @Test func anEntityIsNamedByIdOrNameAndAnUnknownOneGetsTheNearest() throws {
        #expect(try explain("GPU").0.root.id == "gpu")  // WorldBuilder names an entity by its id in capitals
        let error = #expect(throws: StoreError.self) { try explain("gpv") }
        #expect(error?.message == "no entity `gpv` in the scenario's graph", "\(error?.message ?? "")")
        #expect(error?.hint?.hasPrefix("did you mean `gpu`?") == true, "\(error?.hint ?? "")")
    }
}

private extension JSONValue {
    subscript(index: Int) -> JSONValue? { arrayValue.flatMap { index < $0.count ? $0[index] : nil } }
}
