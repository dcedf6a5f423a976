@testable import CascadeEngine
import CascadeJSON
import CascadeStore
import CascadeTestSupport
import Foundation
import Testing

/// A Monte Carlo scenario's run over the sample world: one prepared run propagated per draw,
/// each entity's impact summarised over the draws.
struct MonteCarloRunTests {
    /// `fed-rate-cut-2025.json` with `members` added (its variables replaced where `members`
    /// gives `macro_variables`).
    static func scenario(_ members: String) throws -> Scenario {
        var document = try ScenarioServiceTests.scenarioFile("fed-rate-cut-2025.json").objectValue!
        for (key, value) in try JSONValue.parse("{\(members)}").objectValue! { document[key] = value }
        return try Scenario.parse(.object(document), defaultAsOf: "2025-06-30")
    }

    static func withSampleWorld(_ body: (EngineWorld) throws -> Void) throws {
        try ScenarioServiceTests.Backend.sqlite.withSampleStore { store in try body(try EngineWorld.load(from: store)) }
    }

    /// Distributions whose every draw is the point value (sd 0, min = max, min = mode = max)
    /// reproduce the point scenario exactly: every draw's impact, the mean and every quantile
    /// are the point impact bit for bit, sd is 0, and the central result is the point result.
    @Test func drawsThatAllEqualThePointReproduceThePointScenario() throws {
        try Self.withSampleWorld { world in
            let point = try Scenario.parse(try ScenarioServiceTests.scenarioFile("fed-rate-cut-2025.json"), defaultAsOf: "2025-06-30")
            let drawn = try Self.scenario(#""macro_variables": {"fed_funds_rate": {"normal": {"mean": 0.025, "sd": 0}}, "us_gdp_growth": {"uniform": {"min": 0.035, "max": 0.035}}, "us_cpi": {"triangular": {"min": 0.025, "mode": 0.025, "max": 0.025}}}, "draws": 25, "seed": 11"#)
            let expected = try Engine.prepare(point, world: world).propagate()
            let prepared = try Engine.prepare(drawn, world: world)
            let result = try prepared.propagate()
            let impacts = try prepared.drawImpacts(0..<25)
            var pointImpact: [String: Double] = [:]
            for entity in expected.entities { pointImpact[entity.id] = entity.impact }
            #expect(result.entities.count == expected.entities.count)
            var moved = 0
            for (position, i) in impacts.entities.enumerated() {
                let x = try #require(pointImpact[prepared.run.ids[Int(i)]])
                #expect(impacts.impacts(at: position).allSatisfy { $0.bitPattern == x.bitPattern }, "\(prepared.run.ids[Int(i)])")
            }
            for entity in result.entities {
                let d = try #require(entity.distribution, "\(entity.id) has no distribution")
                let x = try #require(pointImpact[entity.id])
                #expect(entity.impact == x)
                #expect(d.mean.bitPattern == x.bitPattern && d.sd == 0 && d.quantiles.allSatisfy { $0.bitPattern == x.bitPattern }, "\(entity.id): \(d) vs \(x)")
                #expect(d.pBelow == (x < 0 ? 1 : 0))
                if x != 0 { moved += 1 }
            }
            #expect(moved > 10, "the point scenario moves too little to compare")
        }
    }

    static let uncertain = #""macro_variables": {"fed_funds_rate": {"normal": {"mean": 2.5, "sd": 0.75, "unit": "%"}}, "us_gdp_growth": {"uniform": {"min": 0.01, "max": 0.04}}, "us_cpi": {"triangular": {"min": 0.02, "mode": 0.025, "max": 0.045}}}, "draws": 400, "seed": 2025, "threshold": -0.01, "correlation": {"variables": ["fed_funds_rate", "us_cpi"], "matrix": [[1, 0.6], [0.6, 1]]}"#

    /// The impacts of draws 0..<N are those of the same draws computed in two chunks.
    @Test(arguments: [1, 13, 29])
    func drawImpactsDoNotDependOnChunking(_ split: Int) throws {
        try Self.withSampleWorld { world in
            let prepared = try Engine.prepare(try Self.scenario(Self.uncertain), world: world)
            let whole = try prepared.drawImpacts(0..<30)
            let chunked = try prepared.drawImpacts(0..<split).appending(try prepared.drawImpacts(split..<30))
            #expect(whole == chunked)
            #expect(Set(whole.impacts).count > 30, "the draws do not vary")
        }
    }

    /// Mean, sd, the 1/5/50/95/99 % quantiles and p_below of every entity, against numpy
    /// (`mean`, `std(ddof=1)`, `quantile` with its default linear method, `mean(x < threshold)`)
    /// over the same draws; within 1e-12 relative (numpy sums pairwise), p_below exactly.
    @Test func theSummaryAgreesWithNumpy() throws {
        try Self.withSampleWorld { world in
            let prepared = try Engine.prepare(try Self.scenario(Self.uncertain), world: world)
            let result = try prepared.propagate()
            let impacts = try prepared.drawImpacts(0..<400)
            var draws = JSONObject()
            for (position, i) in impacts.entities.enumerated() {
                draws[prepared.run.ids[Int(i)]] = .array(impacts.impacts(at: position).map(JSONValue.number))
            }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mc-numpy-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            try JSONValue.object(draws).serialized().write(to: directory.appendingPathComponent("draws.json"), atomically: true, encoding: .utf8)
            let script = """
            import json, numpy as np
            draws = json.load(open('draws.json'))
            out = {}
            for k, v in draws.items():
                x = np.array(v, dtype=np.float64)
                out[k] = [float(np.mean(x)), float(np.std(x, ddof=1))] + [float(q) for q in np.quantile(x, [0.01, 0.05, 0.5, 0.95, 0.99])] + [float(np.mean(x < -0.01))]
            print(json.dumps(out))
            """
            let run = try PackageExecutables.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script], in: directory)
            #expect(run.status == 0, "\(run.stderr)")
            let numpy = try JSONValue.parse(run.stdout).objectValue!
            var spread = 0
            for entity in result.entities {
                let d = try #require(entity.distribution)
                let values = numpy[entity.id]?.arrayValue?.compactMap { $0.numberValue }
                let expected = try #require(values)
                let ours = [d.mean, d.sd] + d.quantiles
                for (k, (a, b)) in zip(ours, expected).enumerated() {
                    #expect(abs(a - b) <= 1e-12 * max(abs(b), 1e-3), "\(entity.id) field \(k): \(a) vs numpy \(b)")
                }
                #expect(d.pBelow == expected[7], "\(entity.id) p_below")
                if d.band > 0 { spread += 1 }
            }
            #expect(spread > 10, "too few entities vary over the draws")
            #expect(result.entities.contains { ($0.distribution?.pBelow ?? 0) > 0 && ($0.distribution?.pBelow ?? 1) < 1 }, "no p_below strictly between 0 and 1")
        }
    }

    /// Entities × draws doubles over the memory budget fail before anything is allocated, with
    /// the draws and what would fit.
    @Test func drawsOverTheBudgetFailBeforeAllocating() throws {
        try Self.withSampleWorld { world in
            let prepared = try Engine.prepare(try Self.scenario(#""macro_variables": {"fed_funds_rate": {"normal": {"mean": 0.025, "sd": 0.005}}}, "draws": 100000"#), world: world)
            let caught = Self.failure { () throws(EngineError) in _ = try prepared.propagate(memoryBudget: 8 << 20) }
            let error = try #require(caught, "100 000 draws ran within 8 MiB")
            #expect(error.kind == .overBudget)
            #expect(error.problems.first?.location == "$.draws")
            #expect(error.problems.first?.message.contains("100000 draws of") == true, "\(error)")
        }
    }

    static func failure(_ body: () throws(EngineError) -> Void) -> EngineError? {
        do {
            try body()
            return nil
        } catch {
            return error
        }
    }

    /// A draw whose run is not finite fails the run, naming the draw (the first such) and its values.
    @Test func aNonFiniteDrawIsAnErrorNamingTheDraw() throws {
        var w = WorldBuilder()
        w.macro("oil", "Oil Price", value: 75, unit: "index", variable: "oil_price")
        w.entity("a", level: 1)
        w.edge("oil", "a", formula: "if (source.delta > 30) return source.delta * 1e306; return source.delta / 100;")
        var s = CascadeEngineTests.scenario(["oil_price": 75], levels: [1: RunValidityTests.extreme()])
        s.monteCarlo = MonteCarlo(draws: 200, seed: 5, distributions: ["oil_price": .normal(mean: 75, sd: 20)])
        let first = try #require(DrawSampler(s.monteCarlo!).values(draws: 0..<200).firstIndex { $0[0] > 105 })
        let prepared = try Engine.prepare(s, world: w.world)
        let caught = Self.failure { () throws(EngineError) in _ = try prepared.propagate() }
        let error = try #require(caught, "the run succeeded")
        #expect(error.kind == .nonFinite)
        let location = error.problems.first?.location ?? ""
        #expect(location.hasPrefix("draw \(first) (oil_price = ") && location.hasSuffix(", entity a"), "\(location)")
    }
}
