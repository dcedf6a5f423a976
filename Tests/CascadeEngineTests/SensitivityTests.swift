@testable import CascadeEngine
import CascadeJSON
import CascadeStore
import CascadeTestSupport
import Foundation
import Testing

/// Exact sensitivities (forward mode through formulas and propagation) against central finite
/// differences of the whole run: bump one variable or shock by ±h, run again, (up − down) / 2h.
///
/// Agreement: |exact − difference| ≤ 1e-5 · max(|exact|, |difference|) + 1e-6. The absolute floor
/// 1e-6 is the noise of the difference itself: a cycle's fixed point and a converging feedback
/// loop stop within a tolerance of 1e-12, which a bump of 1e-6 turns into up to ~1e-6 of
/// error in the quotient. A pair is compared only where the derivative exists (not flagged) and
/// no threshold lies within the bump (the difference at h and at h/8 agree).
struct SensitivityTests {
    struct Comparison {
        var compared = 0
        var flagged = 0
        var nearThreshold = 0
        var failures: [String] = []
        /// Directions for variables the scenario leaves at their baseline.
        var unwrittenVariables = 0
    }

    static func run(_ world: EngineWorld, _ scenario: Scenario, sensitivities: Bool = false) throws -> RunResult {
        try Engine.prepare(scenario, world: world).propagate(sensitivities: sensitivities)
    }

    static func impacts(_ world: EngineWorld, _ scenario: Scenario) throws -> [String: Double] {
        var impacts: [String: Double] = [:]
        for entity in try run(world, scenario).entities { impacts[entity.id] = entity.impact }
        return impacts
    }

    /// The scenario with one key (`macro:x` or `shock:id`) moved by `delta`; a variable the
    /// scenario leaves at its baseline is written as its baseline moved by `delta`.
    static func bumped(_ scenario: Scenario, _ key: String, by delta: Double, world: EngineWorld) throws -> Scenario {
        var s = scenario
        if key.hasPrefix("macro:") {
            let name = String(key.dropFirst(6))
            s.macroVariables[name] = try value(of: key, in: scenario, world: world) + delta
        } else {
            let id = String(key.dropFirst(6))
            s.entityShocks[id]! += delta
        }
        return s
    }

    static func value(of key: String, in scenario: Scenario, world: EngineWorld) throws -> Double {
        guard key.hasPrefix("macro:") else { return scenario.entityShocks[String(key.dropFirst(6))]! }
        let name = String(key.dropFirst(6))
        if let value = scenario.macroVariables[name] { return value }
        let run = try Engine.prepare(scenario, world: world).run
        return run.variableBaselines[try #require(run.variableNames.firstIndex(of: name))]
    }

    static func difference(_ world: EngineWorld, _ scenario: Scenario, _ key: String, _ h: Double) throws -> [String: Double] {
        let up = try impacts(world, bumped(scenario, key, by: h, world: world))
        let down = try impacts(world, bumped(scenario, key, by: -h, world: world))
        return up.reduce(into: [:]) { out, entry in out[entry.key] = (entry.value - (down[entry.key] ?? 0)) / (2 * h) }
    }

    static func compare(_ world: EngineWorld, _ scenario: Scenario) throws -> Comparison {
        let result = try run(world, scenario, sensitivities: true)
        var comparison = Comparison()
        // Every variable a MACRO entity binds has a direction, written by the scenario or not.
        let run = try Engine.prepare(scenario, world: world).run
        let variables = Set(scenario.macroVariables.keys).union(run.variableNames.indices.filter { run.variableIsBound[$0] }
                                                                    .map { run.variableNames[$0] })
        let keys = variables.sorted().map { "macro:" + $0 } + scenario.entityShocks.keys.sorted().map { "shock:" + $0 }
        comparison.unwrittenVariables = variables.subtracting(scenario.macroVariables.keys).count
        for key in keys {
            let h = 1e-6 * max(1, abs(try value(of: key, in: scenario, world: world)))
            let wide = try difference(world, scenario, key, h), narrow = try difference(world, scenario, key, h / 8)
            for entity in result.entities {
                let undefined = entity.sensitivitiesUndefined ?? []
                if undefined.contains(key) {
                    comparison.flagged += 1
                    continue
                }
                let exact = entity.sensitivities?.first { $0.key == key }?.value ?? 0
                let d = wide[entity.id] ?? 0, d8 = narrow[entity.id] ?? 0
                guard abs(d - d8) <= 1e-4 * max(abs(d), abs(d8)) + 1e-5 else {
                    comparison.nearThreshold += 1
                    continue
                }
                comparison.compared += 1
                if abs(exact - d) > 1e-5 * max(abs(exact), abs(d)) + 1e-6 {
                    comparison.failures.append("\(entity.id) ∂/∂\(key): exact \(exact), difference \(d)")
                }
            }
        }
        return comparison
    }

    /// Random graphs with cycles, bottlenecks, clamps, thresholds (`oil_price > 90`,
    /// `Math.max/min`) and feedback (0–2 rounds, or "converge").
    @Test(arguments: Array(PropertyTests.seeds.prefix(24)))
    func randomGraphsMatchFiniteDifferences(_ seed: UInt64) throws {
        let world = PropertyTests.world(seed: seed).world
        var scenario = PropertyTests.shocked(seed)
        if seed % 4 == 0 {
            scenario.feedbackRounds = Scenario.feedbackRoundsLimit
            scenario.feedbackConvergence = FeedbackConvergence()
        }
        let comparison = try Self.compare(world, scenario)
        #expect(comparison.failures.isEmpty, "\(comparison.failures.prefix(10))")
        #expect(comparison.compared > 10, "\(comparison)")
        #expect(comparison.nearThreshold <= comparison.compared / 20, "\(comparison)")
    }

    /// The bundled sample world and scenarios (with shocks in the 2008 and 2020 ones).
    @Test(arguments: ["fed-rate-cut-2025.json", "financial-crisis-2008.json", "covid-crash-2020.json", "oil-up-5.json"])
    func theSampleWorldMatchesFiniteDifferences(_ file: String) throws {
        try ScenarioServiceTests.Backend.sqlite.withSampleStore { store in
            let world = try EngineWorld.load(from: store)
            let scenario = try Scenario.parse(try ScenarioServiceTests.scenarioFile(file), defaultAsOf: "2025-06-30")
            let comparison = try Self.compare(world, scenario)
            #expect(comparison.failures.isEmpty, "\(comparison.failures.prefix(10))")
            #expect(comparison.compared > 100)
            #expect(comparison.unwrittenVariables > 0, "\(file): every variable is written; nothing left at its baseline is checked")
            let result = try Self.run(world, scenario, sensitivities: true)
            #expect(result.entities.contains { !($0.sensitivities ?? []).isEmpty })
        }
    }

    /// Sensitivities change nothing else: every entity's JSON without the two new fields is the
    /// plain run's, byte for byte, and the run records a `sensitivities` phase.
    @Test(arguments: Array(PropertyTests.seeds.prefix(6)))
    func theRunIsThePlainRun(_ seed: UInt64) throws {
        let world = PropertyTests.world(seed: seed).world
        let scenario = PropertyTests.shocked(seed)
        let plain = try Self.run(world, scenario), differentiated = try Self.run(world, scenario, sensitivities: true)
        #expect(plain.entities.count == differentiated.entities.count)
        for k in plain.entities.indices {
            var object = differentiated.entities[k].json.objectValue!
            #expect(object["sensitivities"] != nil)
            object["sensitivities"] = nil
            object["sensitivities_undefined"] = nil
            #expect(JSONValue.object(object).withSortedKeys().serialized() == plain.entities.jsonText(at: k))
            #expect(differentiated.entities[k].json.withSortedKeys().serialized() == differentiated.entities.jsonText(at: k))
        }
        #expect(differentiated.stats.timings.map(\.phase).contains("sensitivities"))
        #expect(!plain.stats.timings.map(\.phase).contains("sensitivities"))
        #expect(plain.entities.first?.sensitivities == nil)
    }

    /// A large result's binary columns (`ResultColumns`) keep the sensitivities: every entity
    /// reads back byte for byte.
    @Test func sensitivitiesSurviveTheBinaryColumns() throws {
        let result = try Self.run(PropertyTests.world(seed: 3).world, PropertyTests.shocked(3), sensitivities: true)
        let table = try #require(result.entities.table)
        let encoded = ResultColumns.encode(table, positions: result.entities.positions)
        let decoded = try ResultColumns.decode(encoded.run, world: encoded.world.bytes)
        #expect(decoded.count == result.entities.count)
        for k in result.entities.indices { #expect(decoded.jsonText(at: k) == result.entities.jsonText(at: k)) }
        #expect(decoded.indices.contains { decoded.jsonText(at: $0).contains("\"sensitivities\":{\"") })
    }

    /// A small world where each case sits exactly on a point without a derivative.
    static func edgeWorld() -> WorldBuilder {
        var w = WorldBuilder()
        w.macro("m-oil", "Oil Price", value: 80, unit: "USD/bbl")
        w.macro("m-fed", "Fed Funds Rate", value: 0.05)
        w.entity("kinked", level: 1)
        w.entity("downstream", level: 2)
        w.entity("smooth", level: 1)
        w.entity("a", level: 1)
        w.entity("b", level: 1)
        w.entity("neck", level: 2)
        w.edge("m-oil", "kinked", formula: "return oil_price < 90 ? 0 : (oil_price - 90) * 0.01;")
        w.edge("kinked", "downstream", weight: 0.5)
        w.edge("m-fed", "smooth", formula: "return Math.abs(source.delta) * 10 + source.delta;")
        w.edge("a", "neck", metadata: #"{"propagation": {"channel": "bottleneck"}}"#)
        w.edge("b", "neck", metadata: #"{"propagation": {"channel": "bottleneck"}}"#)
        return w
    }

    @Test(arguments: [
        // oil exactly on the threshold: undefined there and downstream; fed elsewhere is fine.
        (["oil_price": 90.0, "fed_funds_rate": 0.04], ["a": -0.1, "b": -0.2], "kinked", "macro:oil_price", true),
        (["oil_price": 90.0, "fed_funds_rate": 0.04], ["a": -0.1, "b": -0.2], "downstream", "macro:oil_price", true),
        (["oil_price": 90.0, "fed_funds_rate": 0.04], ["a": -0.1, "b": -0.2], "smooth", "macro:fed_funds_rate", false),
        // Math.abs at 0: the fed rate at its baseline.
        (["oil_price": 95.0, "fed_funds_rate": 0.05], ["a": -0.1, "b": -0.2], "smooth", "macro:fed_funds_rate", true),
        (["oil_price": 95.0, "fed_funds_rate": 0.05], ["a": -0.1, "b": -0.2], "kinked", "macro:oil_price", false),
        // A bottleneck tie: both inputs at −0.1, each moved by its own shock.
        (["oil_price": 95.0, "fed_funds_rate": 0.04], ["a": -0.1, "b": -0.1], "neck", "shock:a", true),
        (["oil_price": 95.0, "fed_funds_rate": 0.04], ["a": -0.1, "b": -0.1], "neck", "shock:b", true),
        (["oil_price": 95.0, "fed_funds_rate": 0.04], ["a": -0.1, "b": -0.2], "neck", "shock:b", false),
        // An impact exactly on its clamp (−1).
        (["oil_price": 95.0, "fed_funds_rate": 0.04], ["a": -1.0, "b": -0.2], "a", "shock:a", true),
        (["oil_price": 95.0, "fed_funds_rate": 0.04], ["a": -0.99, "b": -0.2], "a", "shock:a", false),
    ])
    func pointsWithoutADerivativeAreReported(variables: [String: Double], shocks: [String: Double], entity: String, key: String,
                                             isUndefined: Bool) throws {
        let result = try Self.edgeWorld().run(scenario(variables, shocks: shocks), sensitivities: true)
        let found = try #require(result.entity(entity))
        #expect((found.sensitivitiesUndefined ?? []).contains(key) == isUndefined, "\(found.sensitivitiesUndefined ?? [])")
        if !isUndefined {
            #expect(found.sensitivities?.contains { $0.key == key } == true, "\(found.sensitivities ?? [])")
        }
    }

    /// Away from the kinks the small world's derivatives are the calculus ones.
    @Test func theSmallWorldsDerivativesAreExact() throws {
        let result = try Self.edgeWorld().run(scenario(["oil_price": 95, "fed_funds_rate": 0.04], shocks: ["a": -0.1, "b": -0.2]),
                                              sensitivities: true)
        func d(_ id: String, _ key: String) -> Double? { result.entity(id)?.sensitivities?.first { $0.key == key }?.value }
        #expect(d("kinked", "macro:oil_price") == 0.01)
        #expect(d("downstream", "macro:oil_price") == 0.005)
        #expect(d("smooth", "macro:fed_funds_rate") == -9)  // |δ|·10 + δ with δ = 0.04 − 0.05 < 0
        #expect(d("neck", "shock:b") == 1)  // the scarcer input binds
        #expect(d("neck", "shock:a") == nil)  // not binding: 0, left out
        #expect(result.entity("a")?.sensitivities?.map(\.key) == ["shock:a"])
    }
}

extension WorldBuilder {
    func run(_ scenario: Scenario, sensitivities: Bool) throws -> RunResult {
        try Engine.prepare(scenario, world: world).propagate(sensitivities: sensitivities)
    }
}
