@testable import CascadeEngine
import CascadeJSON
import Testing

/// Propagation split across 2 and 3 threads (`Propagator+Threads.swift`) gives exactly what one
/// thread gives: every impact, contribution, edge state and error, attribution row, path,
/// status, count and warning, and the same first error when a value is not finite.
struct PropagationThreadsTests {
    /// The random worlds of `PropertyTests`, each in five variants.
    enum Variant: String, CaseIterable, Sendable {
        /// The world as it is: same-level cycles, bottlenecks, feedback edges and rounds.
        case plain
        /// Some edges' formulas fail (`0.1 / source.impact` throws where the impact is 0, and always
        /// at baseline: a failure the sector baseline table shares between threads).
        case failingFormulas
        /// Some macro edges overflow on extreme level settings (1e307 · damping 10): the run fails
        /// with its first non-finite value.
        case nonFinite
        /// A Monte Carlo scenario: one propagator propagated again per draw.
        case monteCarlo
        /// With sensitivities: differentiated from the split pass's values (no feedback), or
        /// from a second, one-thread propagation (feedback).
        case sensitivities
    }

    static let cases: [(UInt64, Variant)] = PropertyTests.seeds.flatMap { seed in Variant.allCases.map { (seed, $0) } }

    static func world(_ seed: UInt64, _ variant: Variant) -> (WorldBuilder, Scenario) {
        var w = PropertyTests.world(seed: seed)
        var s = PropertyTests.shocked(seed)
        var g = PropertyTests.Generator(state: seed &* 13)
        switch variant {
        case .plain:
            break
        case .failingFormulas:
            for _ in 0..<12 {
                w.edge("e\(g.int(0...39))", "e\(g.int(0...39))", formula: "return 0.1 / source.impact;")
            }
        case .nonFinite:
            for _ in 0..<4 { w.edge("m-oil", "e\(g.int(0...39))", formula: "if (source.delta == 0) return 0; return 1e307;") }
            s.levelSettings = Dictionary(uniqueKeysWithValues: (0...9).map { ($0, RunValidityTests.extreme()) })
        case .monteCarlo:
            s.monteCarlo = MonteCarlo(draws: 6, seed: Int(seed), distributions: ["oil_price": .normal(mean: 80, sd: 15)])
        case .sensitivities:
            s.sensitivities = true
        }
        return (w, s)
    }

    /// Everything a run reports but its timings and thread count, or its error's text.
    static func outcome(_ w: WorldBuilder, _ s: Scenario, threads: Int, isReversed: Bool = false) -> String {
        do {
            let prepared = try Engine.prepare(s, world: w.world)
            // Every wave is split, however small.
            prepared.threads = PropagationThreads(count: threads, minimumEdges: 1, isReversed: isReversed)
            let result = try prepared.propagate()
            guard case .object(var object) = result.json, case .object(var stats) = object["stats"] else { return "no object" }
            for key in ["timings_ms", "cpu_timings_ms", "duration_ms", "threads"] { stats[key] = nil }
            object["stats"] = .object(stats)
            let bits = result.entities.map { "\($0.impact.bitPattern) \($0.impactUnclamped.bitPattern)" }
            return JSONValue.object(object).serialized(sortedKeys: true) + "\n" + bits.joined(separator: ",")
        } catch {
            return "error: \(error)"
        }
    }

    @Test(arguments: cases)
    func twoAndThreeThreadsGiveTheOneThreadResultBitForBit(_ seed: UInt64, _ variant: Variant) throws {
        let (w, s) = Self.world(seed, variant)
        let one = Self.outcome(w, s, threads: 1)
        if variant == .nonFinite { #expect(one.hasPrefix("error: "), "the variant must fail: \(one.prefix(200))") }
        // On threads, and in the one order of the threads' work where a range that read another
        // range's entities would surely read them too early.
        for (threads, isReversed) in [(2, false), (3, false), (2, true), (3, true)] {
            let many = Self.outcome(w, s, threads: threads, isReversed: isReversed)
            #expect(many == one, "\(threads) threads\(isReversed ? ", reversed" : ""):\n\(many.prefix(600))\none thread:\n\(one.prefix(600))")
        }
    }

    /// The split is really taken: on these worlds the threads have work (a lane per extra thread).
    @Test func smallWavesAreSplitWhenTheThresholdAllows() throws {
        let (w, s) = Self.world(1, .plain)
        let prepared = try Engine.prepare(s, world: w.world)
        let propagator = Propagator(prepared.run)
        propagator.threads = PropagationThreads(count: 3, minimumEdges: 1)
        propagator.propagate()
        #expect(propagator.lanes.count == 2)
        let unsplit = Propagator(prepared.run)
        unsplit.threads = PropagationThreads(count: 3, minimumEdges: 1_000_000)
        unsplit.propagate()
        #expect(unsplit.lanes.isEmpty)
    }

    /// `source.metadata` / `target.metadata` are parsed on first read and kept in the run: a run
    /// whose formulas read them stays on one thread.
    @Test(arguments: ["if (source.metadata.current_value > 500) return source.impact; return 0;",
                      "if (target.metadata.current_value > 500) return source.impact; return 0;"])
    func aRunWhoseFormulasReadMetadataStaysOnOneThread(_ formula: String) throws {
        var (w, s) = Self.world(1, .plain)
        w.edge("e1", "e2", formula: formula)
        s.sensitivities = false
        let prepared = try Engine.prepare(s, world: w.world)
        let propagator = Propagator(prepared.run)
        propagator.threads = PropagationThreads(count: 3, minimumEdges: 1)
        propagator.propagate()
        #expect(propagator.lanes.isEmpty)
        #expect(Self.outcome(w, s, threads: 3) == Self.outcome(w, s, threads: 1))
    }

    /// (`CASCADE_THREADS`, the machine's cores, the threads or the error's text)
    static let environments: [(String?, Int, String)] = [
        (nil, 2, "2"), ("", 4, "4"), (nil, 32, "8"), (nil, 0, "1"), ("1", 8, "1"), ("3", 2, "3"), ("64", 2, "64"),
        ("0", 2, "`0` is not a thread count; write a whole number from 1 to 64, e.g. 2 (1 propagates on one thread)"),
        ("65", 2, "`65` is not a thread count; write a whole number from 1 to 64, e.g. 2 (1 propagates on one thread)"),
        ("two", 2, "`two` is not a thread count; write a whole number from 1 to 64, e.g. 2 (1 propagates on one thread)"),
    ]

    @Test(arguments: environments)
    func theThreadCountComesFromCascadeThreadsElseTheCores(_ text: String?, _ cores: Int, _ expected: String) {
        do {
            let threads = try PropagationThreads.parse(text, cores: cores)
            #expect("\(threads.count)" == expected)
            #expect(threads.minimumEdges == PropagationThreads.defaultMinimumEdges)
        } catch {
            #expect(error.problems.map(\.location) == ["CASCADE_THREADS"])
            #expect(error.problems.first?.message == expected)
        }
    }
}
