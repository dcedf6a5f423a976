@testable import CascadeEngine
import CascadeJSON
import Testing

/// The sensitivity phase's work is proportional to what a direction reaches: only the formula
/// edges downstream of a shock (or reading a variable themselves) are differentiated, each once
/// per pass — not every edge of the graph, and not once per round of a cycle.
/// `stats.sensitivity_edges` counts the differentiations.
struct SensitivityWorkTests {
    static let roots = 12

    /// A forest: roots `r0…r11` (level 1), each with 4 children (level 2, formula edges), each
    /// child with 3 grandchildren (level 3: one linear edge, two formula edges) of which the
    /// two with formulas form a same-level cycle (two formula edges). 20 formula edges per root.
    /// A macro (`oil_price`, at its baseline: a direction all the same) reads into `r5c0` only,
    /// whose subtree has 4 formula edges: 5 edges a run differentiates whatever its shocks.
    static func forest() -> WorldBuilder {
        var w = WorldBuilder()
        w.macro("m-oil", "Oil Price", value: 80, unit: "USD/bbl")
        for r in 0..<roots {
            w.entity("r\(r)", level: 1)
            for c in 0..<4 {
                let child = "r\(r)c\(c)"
                w.entity(child, level: 2)
                w.edge("r\(r)", child, formula: "return source.impact * 0.5;")
                for g in 0..<3 {
                    w.entity("\(child)g\(g)", level: 3)
                    w.edge(child, "\(child)g\(g)", weight: 0.8, formula: g == 0 ? nil : "Math.max(-0.5, source.impact)")
                }
                w.edge("\(child)g1", "\(child)g2", formula: "return source.impact * 0.1;")
                w.edge("\(child)g2", "\(child)g1", formula: "return source.impact * 0.2;")
            }
        }
        w.edge("m-oil", "r5c0", formula: "return (oil_price - 80) * 0.001;")
        return w
    }

    @Test(arguments: [
        (["r0"], 0, 20 + 5),
        (["r0", "r3"], 0, 40 + 5),
        (["r5"], 0, 20 + 5 - 4),  // r5c0's subtree is downstream of both: once each
        ([], 0, 5),
        (["r0"], 1, 2 * (20 + 5)),  // with feedback, each pass differentiates what it reaches
    ])
    func onlyTheEdgesADirectionReachesAreDifferentiated(shocked: [String], feedbackRounds: Int, expected: Int) throws {
        let world = Self.forest()
        var shocks: [String: Double] = [:]
        for (k, id) in shocked.enumerated() { shocks[id] = -0.1 * Double(k + 1) }
        let result = try world.run(scenario([:], shocks: shocks, feedbackRounds: feedbackRounds), sensitivities: true)
        #expect(result.stats.edges == Self.roots * 24 + 1)
        #expect(result.stats.sensitivityEdges == expected)
        let stats = try #require(result.json(includeEntities: false).objectValue?["stats"]?.objectValue)
        #expect(stats["sensitivity_edges"]?.numberValue == Double(expected))
        // What was skipped was 0: every shocked subtree moves, no other.
        for r in 0..<Self.roots {
            let moved = try #require(result.entity("r\(r)c1g2")).sensitivities ?? []
            #expect(moved.map(\.key) == (shocked.contains("r\(r)") ? ["shock:r\(r)"] : []), "r\(r)c1g2: \(moved)")
        }
        let oil = try #require(result.entity("r5c0g1")).sensitivities?.first { $0.key == "macro:oil_price" }?.value
        #expect(oil != nil && oil != 0)
    }

    /// A run without feedback looks only at the entities a direction reaches — never at the
    /// incoming edges of the others: 17 per shocked root's subtree, plus `r5c0`, which reads the
    /// macro, and its 3 children. (Before, the pass visited every entity of its levels: 204.)
    @Test(arguments: [
        (["r0"], 17 + 4),
        (["r0", "r3"], 2 * 17 + 4),
        (["r5"], 17),
        ([], 4),
    ])
    func onlyTheEntitiesADirectionReachesAreVisited(shocked: [String], expected: Int) throws {
        var shocks: [String: Double] = [:]
        for (k, id) in shocked.enumerated() { shocks[id] = -0.1 * Double(k + 1) }
        let prepared = try Engine.prepare(scenario([:], shocks: shocks), world: Self.forest().world)
        let propagator = Propagator(prepared.run)
        propagator.propagate()
        let tracker = SensitivityPropagation(propagator)
        tracker.differentiateFinishedPass()
        #expect(prepared.run.ids.count == 1 + Self.roots * 17)
        #expect(tracker.entitiesVisited == expected)
    }

    /// The forward push reads each entity's targets from the prepared graph (built once with the
    /// incoming grouping, not in every run with sensitivities): every edge exactly once, under
    /// its source, in edge order — on random worlds with cycles, bottlenecks and feedback edges.
    @Test(arguments: PropertyTests.seeds.prefix(12))
    func thePreparedGraphListsEachEntitysTargets(_ seed: UInt64) throws {
        let run = try Engine.prepare(PropertyTests.shocked(seed), world: PropertyTests.world(seed: seed).world).run
        let n = run.ids.count
        #expect(run.targetStart.count == n + 1)
        #expect(run.targetStart.first == 0 && run.targetStart.last.map(Int.init) == run.edgeSource.count)
        #expect(run.targetsBySource.count == run.edgeSource.count)
        for i in 0..<n where run.targetStart.count == n + 1 {
            let listed = Array(run.targetsBySource[Int(run.targetStart[i])..<Int(run.targetStart[i + 1])])
            let expected = run.edgeSource.indices.filter { Int(run.edgeSource[$0]) == i }.map { run.edgeTarget[$0] }
            #expect(listed == expected, "entity \(run.ids[i])")
        }
    }

    /// A plain run differentiates nothing and says nothing about it.
    @Test func aPlainRunHasNoSensitivityEdges() throws {
        let result = try Self.forest().run(scenario([:], shocks: ["r0": -0.1]))
        #expect(result.stats.sensitivityEdges == nil)
        let stats = try #require(result.json(includeEntities: false).objectValue?["stats"]?.objectValue)
        #expect(stats["sensitivity_edges"] == nil)
    }
}
