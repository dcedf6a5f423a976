@testable import CascadeEngine
import Testing

/// Attribution split across 2 and 3 threads (`Attribution+Threads.swift`) gives exactly what one
/// thread gives: every row bit for bit, and the stored result document (`ResultColumns.encode`,
/// row starts included) byte for byte — over worlds with same-level cycles, direct shocks,
/// pass-through edges, formulas split one at a time (moving variables, `source.impact`, registry
/// formulas), rows cut at `causeLimit`, and incremental re-runs that copy rows.
struct AttributionThreadsTests {
    enum Case: Sendable, CustomTestStringConvertible {
        /// `PropertyTests.world` (40 entities, cycles, bottlenecks, feedback) with 8 shocks.
        case property(UInt64)
        /// `AttributionReferenceTests.world`: 2 000 entities, `shocks` direct shocks.
        case reference(UInt64, shocks: Int)
        /// `IncrementalRecomputeTests.world` re-run after a coefficient and a formula changed:
        /// the rows of what did not change are copied from the previous result.
        case incremental(UInt64)

        var testDescription: String {
            switch self {
            case .property(let seed): "property world \(seed)"
            case .reference(let seed, let shocks): "reference world \(seed), \(shocks) shocks"
            case .incremental(let seed): "incremental re-run \(seed)"
            }
        }
    }

    static let cases: [Case] = PropertyTests.seeds.prefix(12).map { .property($0) }
        + AttributionReferenceTests.cases.map { .reference($0.seed, shocks: $0.shocks) }
        + [1, 2, 3].map { .incremental($0) }

    static func world(_ c: Case) -> (WorldBuilder, Scenario) {
        switch c {
        case .property(let seed):
            var s = PropertyTests.shocked(seed)
            var g = PropertyTests.Generator(state: seed &* 19)
            for _ in 0..<8 { s.entityShocks["e\(g.int(0...39))"] = g.unit() - 0.5 }
            return (PropertyTests.world(seed: seed), s)
        case .reference(let seed, let shocks):
            return AttributionReferenceTests.world(seed: seed, shocks: shocks)
        case .incremental(let seed):
            return IncrementalRecomputeTests.world(seed: seed)
        }
    }

    /// Every wave split, however small; `isReversed`: the ranges run last first on this thread.
    static func threads(_ count: Int, isReversed: Bool = false) -> PropagationThreads {
        PropagationThreads(count: count, minimumEdges: 1, isReversed: isReversed)
    }

    /// The run's result on `threads` (an incremental case: the re-run, from a one-thread first run).
    static func result(_ c: Case, threads: PropagationThreads) throws -> RunResult {
        var (w, s) = world(c)
        guard case .incremental(let seed) = c else {
            let prepared = try Engine.prepare(s, world: w.world)
            prepared.threads = threads
            return try prepared.propagate()
        }
        s.feedbackRounds = 0
        let first = try Engine.prepare(s, world: w.world)
        first.threads = .one
        let previous = try IncrementalRecomputeTests.previous(try first.propagate(previous: nil), registry: w.world.formulas)
        IncrementalRecomputeTests.apply(.both, to: &w, seed: seed)
        let prepared = try Engine.prepare(s, world: w.world)
        prepared.threads = threads
        let result = try prepared.propagate(previous: previous)
        let recompute = try #require(result.stats.recompute)
        #expect(recompute.isIncremental && recompute.entities < 2_000, "\(recompute)")
        return result
    }

    /// Every entity's row in entity order: its keys and its values' bit patterns.
    static func rows(_ table: ResultTable) -> [String] {
        table.ids.indices.map { i in
            table.attributionRow(i).map { k in
                "\(table.attributionKeys[Int(table.attributionEntryKey[k])])=\(table.attributionEntryValue[k].bitPattern)"
            }.joined(separator: " ")
        }
    }

    @Test(arguments: cases)
    func twoAndThreeThreadsAttributeExactlyAsOneThread(_ c: Case) throws {
        let one = try Self.result(c, threads: .one)
        let oneTable = try #require(one.entities.table)
        let oneRows = Self.rows(oneTable)
        let oneDocument = ResultColumns.encode(oneTable, positions: one.entities.positions).run
        #expect(oneRows.contains { !$0.isEmpty })
        for (count, isReversed) in [(2, false), (3, false), (2, true), (3, true)] {
            let many = try Self.result(c, threads: Self.threads(count, isReversed: isReversed))
            let table = try #require(many.entities.table)
            let rows = Self.rows(table)
            let differing = rows.indices.filter { rows[$0] != oneRows[$0] }
            #expect(differing.isEmpty, """
                \(count) threads\(isReversed ? ", reversed" : ""): \(differing.count) rows differ, the first \
                \(differing.first.map { "\(table.ids[$0]): \(rows[$0].prefix(300)) vs \(oneRows[$0].prefix(300))" } ?? "")
                """)
            let document = ResultColumns.encode(table, positions: many.entities.positions).run
            let sameDocument = document == oneDocument, sameStarts = table.attributionRowStart == oneTable.attributionRowStart
            #expect(sameDocument, """
                \(count) threads\(isReversed ? ", reversed" : ""): the stored documents differ \
                (\(document.count) vs \(oneDocument.count) bytes; the same row starts: \(sameStarts))
                """)
        }
    }

    /// The worlds reach what the split must get right: split waves, levels whose waves are not in
    /// component order (their rows put back in it), cycles attributed by a worker of a split wave.
    @Test func theWorldsReachEveryPath() throws {
        var reordered = 0, splitCycles = 0
        for c in Self.cases {
            let (w, s) = Self.world(c)
            let prepared = try Engine.prepare(s, world: w.world)
            let propagator = Propagator(prepared.run)
            propagator.threads = Self.threads(3)
            propagator.propagate()
            let attribution = Attribution(propagator)
            attribution.compute()
            #expect(attribution.workers.count == 3, "\(c)")
            for level in 0..<10 {
                let plan = propagator.levelWaves(level)
                if !Attribution.isInComponentOrder(plan) { reordered += 1 }
                for wave in plan.waves where wave.count > 1 {
                    splitCycles += wave.filter { prepared.run.componentIsCyclic[level][$0] }.count
                }
            }
        }
        #expect(reordered > 10, "\(reordered) levels reordered")
        #expect(splitCycles > 10, "\(splitCycles) cycles in split waves")
    }

    /// Where the propagator stays on one thread, so does attribution: formulas that read an
    /// entity's metadata (parsed on first read and kept in the run), and waves below the threshold.
    @Test func attributionStaysOnOneThreadWherePropagationDoes() throws {
        let (plain, s) = Self.world(.property(1))
        var reading = plain
        reading.edge("e1", "e2", formula: "if (source.metadata.current_value > 500) return source.impact; return 0;")
        for (threads, w) in [(Self.threads(3), reading), (PropagationThreads(count: 3, minimumEdges: 1_000_000), plain)] {
            let prepared = try Engine.prepare(s, world: w.world)
            let propagator = Propagator(prepared.run)
            propagator.threads = threads
            propagator.propagate()
            let attribution = Attribution(propagator)
            attribution.compute()
            #expect(attribution.workers.count == 1)
        }
    }
}
