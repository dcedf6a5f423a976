@testable import CascadeEngine
import CascadeJSON
import Testing

/// The batched kernel (`Propagator+Kernel.swift`) gives exactly what the one-edge-at-a-time
/// path gives: every impact, contribution, edge state and error, attribution row, path, status,
/// count (formula evaluations included) and warning, and the same first error when a value is
/// not finite — on the random worlds of `PropertyTests`, with every program shape they make and
/// with lanes that fail, return no value or return something that is not a number.
struct BatchedKernelTests {
    enum Variant: String, CaseIterable, Sendable {
        /// The world as it is: same-level cycles, bottlenecks, feedback edges and rounds.
        case plain
        /// Lanes that throw: `0.1 / source.impact` where the impact is 0, and always at baseline
        /// (a failure the sector baseline table keeps); `Math.sqrt` of a negative impact.
        case failingLanes
        /// Lanes that return no value on one side or both.
        case noValue
        /// Type errors at run time: a metadata value (absent on some entities) in arithmetic. Such a
        /// program is left to the walk; the batched programs beside it must not change its errors.
        case typeErrors
        /// Programs whose baseline is evaluated per edge (they read the weight, the source's
        /// value and level), from ordinary and MACRO sources.
        case perEdgeBaselines
        /// A disabled level: edges from it are blocked, its entities disabled.
        case disabledLevel
        /// Contributions that overflow: the run fails with its first non-finite value.
        case nonFinite
        /// A Monte Carlo scenario: one propagator propagated again per draw.
        case monteCarlo
        /// With sensitivities (the kernel stands aside for the differentiated pass).
        case sensitivities
    }

    static let cases: [(UInt64, Variant)] = PropertyTests.seeds.flatMap { seed in Variant.allCases.map { (seed, $0) } }

    static func world(_ seed: UInt64, _ variant: Variant) -> (WorldBuilder, Scenario) {
        var w = PropertyTests.world(seed: seed)
        var s = PropertyTests.shocked(seed)
        var g = PropertyTests.Generator(state: seed &* 31)
        func edges(_ count: Int, from sources: [String]? = nil, _ formulas: [String]) {
            for k in 0..<count {
                let source = sources.map { $0[g.int(0...$0.count - 1)] } ?? "e\(g.int(0...39))"
                w.edge(source, "e\(g.int(0...39))", weight: (g.unit() * 10_000).rounded() / 10_000,
                       formula: formulas[k % formulas.count])
            }
        }
        switch variant {
        case .plain:
            break
        case .failingLanes:
            edges(16, ["return 0.1 / source.impact;", "return Math.sqrt(source.impact) * coeff.beta;"])
        case .noValue:
            edges(16, ["if (source.impact > 0) return source.impact * coeff.beta;",
                       "if (source.impact != 0) return source.impact / 2;"])
        case .typeErrors:
            edges(16, ["return source.metadata.current_value * source.impact * 0.001;", "return source.impact * coeff.beta;"])
        case .perEdgeBaselines:
            edges(16, ["return source.value * weight * 0.001 + source.impact;",
                       "return (source.level + target.level) * source.impact - target.baseline * 0.0001;"])
            edges(6, from: ["m-oil", "m-fed", "m-gdp"], ["return source.delta * 0.01 + source.impact * weight;"])
        case .disabledLevel:
            var off = LevelSettings()
            off.isEnabled = false
            s.levelSettings[g.int(1...8)] = off
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
    static func outcome(_ w: WorldBuilder, _ s: Scenario, _ kernel: PropagationKernel, threads: Int = 1,
                        sizes: EdgeBatches.Sizes = .standard) -> String {
        do {
            let prepared = try Engine.prepare(s, world: w.world)
            prepared.kernel = kernel
            prepared.batchSizes = sizes
            prepared.threads = PropagationThreads(count: threads, minimumEdges: 1, isReversed: threads > 1)
            let result = try prepared.propagate()
            guard case .object(var object) = result.json, case .object(var stats) = object["stats"] else { return "no object" }
            for key in ["timings_ms", "cpu_timings_ms", "duration_ms", "threads"] { stats[key] = nil }
            object["stats"] = .object(stats)
            let bits = result.entities.map { entity in
                "\(entity.impact.bitPattern) \(entity.impactUnclamped.bitPattern) "
                    + entity.contributions.map { "\($0.value.bitPattern)" }.joined(separator: " ")
            }
            return JSONValue.object(object).serialized(sortedKeys: true) + "\n" + bits.joined(separator: ",")
        } catch {
            return "error: \(error)"
        }
    }

    @Test(arguments: cases)
    func theBatchedKernelGivesTheScalarResultBitForBit(_ seed: UInt64, _ variant: Variant) throws {
        let (w, s) = Self.world(seed, variant)
        let scalar = Self.outcome(w, s, .scalar)
        if variant == .nonFinite { #expect(scalar.hasPrefix("error: "), "the variant must fail: \(scalar.prefix(200))") }
        if variant == .failingLanes {
            #expect(scalar.contains("failed"), "the variant must have failing edges: \(scalar.prefix(200))")
        }
        // On one and two threads; in chunks and windows small enough that a level's groups cross
        // their boundaries many times.
        for (threads, sizes) in [(1, EdgeBatches.Sizes.standard), (2, .standard), (1, .init(chunk: 3, window: 7)), (2, .init(chunk: 2, window: 16))] {
            let batched = Self.outcome(w, s, .batched, threads: threads, sizes: sizes)
            let isSame = batched == scalar  // (not inside `#expect`, which would print both whole outcomes)
            #expect(isSame, "\(threads) thread(s), \(sizes):\n\(Self.firstDifference(batched, scalar))")
        }
    }

    /// The kernel really takes the edges it can: on these worlds it evaluates some in batches,
    /// and the scalar kernel none.
    @Test(arguments: Variant.allCases.filter { $0 != .sensitivities })
    func theKernelEvaluatesEdgesInBatches(_ variant: Variant) throws {
        let (w, s) = Self.world(2, variant)
        let prepared = try Engine.prepare(s, world: w.world)
        var batched: [PropagationKernel: Int] = [:]
        for kernel in PropagationKernel.allCases {
            let propagator = Propagator(prepared.run)
            propagator.kernel = kernel
            propagator.propagate()
            batched[kernel] = propagator.batchedEdges
        }
        #expect(batched[.batched]! > 0)
        #expect(batched[.scalar] == 0)
    }

    /// (`CASCADE_KERNEL`, the kernel or the error's text)
    static let environments: [(String?, String)] = [
        (nil, "batched"), ("", "batched"), ("batched", "batched"), ("scalar", "scalar"),
        ("Scalar", "`Scalar` is not a propagation kernel; write `batched` (the default) or `scalar`"),
        ("simd", "`simd` is not a propagation kernel; write `batched` (the default) or `scalar`"),
    ]

    @Test(arguments: environments)
    func theKernelComesFromCascadeKernel(_ text: String?, _ expected: String) {
        do {
            #expect(try PropagationKernel.parse(text).rawValue == expected)
        } catch {
            #expect(error.problems.map(\.location) == ["CASCADE_KERNEL"])
            #expect(error.problems.first?.message == expected)
        }
    }

    /// The two outcomes around where they first differ.
    static func firstDifference(_ a: String, _ b: String) -> String {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        var k = 0
        while k < min(x.count, y.count) && x[k] == y[k] { k += 1 }
        let from = max(0, k - 200)
        return "batched: …" + String(decoding: x[from..<min(x.count, k + 200)], as: UTF8.self)
            + "\nscalar:  …" + String(decoding: y[from..<min(y.count, k + 200)], as: UTF8.self)
    }
}
