@testable import CascadeEngine
import Foundation
import Testing

/// Every attribution row of generated worlds with many causes — hundreds of direct shocks, moving
/// macro variables read by formulas, same-level cycles, bottlenecks, feedback — is bit-identical
/// to the one main's code before issue 16 computed from the same propagation (the same keys, the
/// same entries in the same order, the same bits). `Fixtures/attribution-rows.txt` was recorded
/// at dc324eb from that code (kept until then as a second, test-only implementation,
/// `ReferenceAttribution`) and must not change: one line per attributed entity with its entry
/// count and a digest of its keys and values' bit patterns.
/// `CASCADE_RECORD=1 swift test --filter AttributionReferenceTests` rewrites it.
struct AttributionReferenceTests {
    static let formulas = [
        "return source.impact * 0.8;",
        "return source.impact * coeff.beta + (gdp_growth - 0.02) * 5;",
        "return (fed_funds_rate - 0.0525) * weight * 3 + source.impact / 2;",
        "if (oil_price > 90) return -0.1; else if (oil_price < 70) return 0.05;",
        "const x = source.impact * 2; return Math.max(-0.5, Math.min(0.5, x));",
        "return source.delta * coeff.beta * 10;",
    ]

    /// 2 000 entities on levels 1–9 (a few same-level cycles on each), ~5 inputs each mostly
    /// from the level above, 3 macro drivers, and `shocks` entities shocked directly with
    /// magnitudes from a small set (so causes tie and the tie-break by key order is exercised).
    static func world(seed: UInt64, shocks shockCount: Int) -> (WorldBuilder, Scenario) {
        var g = PropertyTests.Generator(state: seed)
        var w = WorldBuilder()
        w.macro("m-fed", "Fed Funds Rate", level: 0, value: 5.25, unit: "%")
        w.macro("m-oil", "Oil Price", level: 0, value: 80, unit: "USD/bbl")
        w.macro("m-gdp", "GDP Growth", level: 0, value: 2, unit: "%")
        let sectors = ["SEMICONDUCTOR", "BANKING", "ENERGY"]
        for sector in sectors { w.coefficient(sector, "beta", 0.2 + g.unit() / 2, from: "2024-01-01") }
        let n = 2_000, perLevel = n / 9
        func level(_ k: Int) -> Int { min(k / perLevel, 8) + 1 }
        for k in 0..<n {
            w.entity("e\(k)", level: level(k), sector: sectors[g.int(0...2)], currentValue: g.int(0...1) == 0 ? 100 + g.unit() * 900 : nil)
        }
        for k in perLevel..<n {
            for _ in 0..<g.int(3...6) {
                let from = g.int(0...9) < 7 ? k - perLevel - g.int(0...perLevel - 1) : g.int(0...k - 1)
                let source = max(0, min(from, n - 1))
                var metadata: String?
                switch g.int(0...19) {
                case 0: metadata = #"{"propagation": {"channel": "bottleneck"}}"#
                case 1: metadata = #"{"propagation": {"sign": -1}}"#
                default: break
                }
                let formula = g.int(0...4) == 0 ? formulas[g.int(0...formulas.count - 1)] : nil
                w.edge("e\(source)", "e\(k)", weight: 0.05 + Double(g.int(0...35)) / 100, formula: formula, metadata: metadata)
            }
        }
        // Same-level cycles of 2–5 members, and a few feedback edges (to a lower level).
        for _ in 0..<40 {
            let first = g.int(perLevel...n - 6)
            let size = g.int(2...5)
            for m in 0..<size where level(first + m) == level(first + (m + 1) % size) {
                w.edge("e\(first + m)", "e\(first + (m + 1) % size)", weight: 0.1 + g.unit() / 4)
            }
        }
        for _ in 0..<30 {
            let target = g.int(0...n / 2)
            w.edge("e\(g.int(n / 2 + perLevel...n - 1))", "e\(target)", weight: 0.05 + g.unit() / 10)
        }
        for k in 0..<60 {
            let macro = ["m-fed", "m-oil", "m-gdp"][k % 3]
            w.edge(macro, "e\(g.int(0...n - 1))", formula: formulas[[1, 2, 3, 5][g.int(0...3)]])
        }
        var shocks: [String: Double] = [:]
        while shocks.count < shockCount {
            shocks["e\(g.int(0...n - 1))"] = (g.int(0...1) == 0 ? -0.01 : 0.01) * Double(g.int(1...9))
        }
        let s = scenario(["fed_funds_rate": 0.02 + g.unit() * 0.05, "oil_price": 60 + g.unit() * 50, "gdp_growth": g.unit() * 0.05],
                         shocks: shocks, feedbackRounds: Int(seed % 3))
        return (w, s)
    }

    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/attribution-rows.txt")
    static let cases: [(seed: UInt64, shocks: Int)] = [(1, 300), (2, 300), (3, 40), (4, 1_000)]

    /// One world's rows: a header with its keys' digest, then one line per entity whose row is
    /// not empty (id, entries, digest); and what the world reaches.
    static func rows(seed: UInt64, shocks: Int) throws -> (text: String, full: Int, cyclic: Int, macros: Int) {
        let (w, s) = world(seed: seed, shocks: shocks)
        let prepared = try Engine.prepare(s, world: w.world)
        let propagator = Propagator(prepared.run)
        propagator.propagate()
        #expect(propagator.nonFinite == nil)
        let attribution = Attribution(propagator)
        attribution.compute()
        var keys = Fingerprinter()
        for key in attribution.keys { keys.add(key) }
        var text = "# seed \(seed), \(shocks) shocks: \(attribution.keys.count) keys \(keys.finish())\n"
        var full = 0, cyclic = 0
        let run = prepared.run
        for i in run.idOrder.map({ Int($0) }) where !attribution.row(i).isEmpty {
            var digest = Fingerprinter()
            for entry in attribution.row(i) {
                digest.add(attribution.keys[Int(attribution.entryKey[entry])])
                digest.add(attribution.entryValue[entry])
            }
            text += "\(run.ids[i]) \(attribution.row(i).count) \(digest.finish().split(separator: ":").last!.prefix(16))\n"
            if attribution.row(i).count == Attribution.causeLimit + 1 { full += 1 }
            if propagator.rounds[i] > 0 { cyclic += 1 }
        }
        return (text, full, cyclic, attribution.keys.filter { $0.hasPrefix("macro:") }.count)
    }

    @Test func everyRowIsBitIdenticalToTheRecordedOne() throws {
        var actual = ""
        for (seed, shocks) in Self.cases {
            let rows = try Self.rows(seed: seed, shocks: shocks)
            actual += rows.text
            // The world reaches every path: rows cut at the limit, attributed cycles, moving variables.
            #expect(shocks < 100 || rows.full > 100, "seed \(seed): \(rows.full) rows at the limit")
            #expect(rows.cyclic > 0, "seed \(seed)")
            #expect(rows.macros == 3, "seed \(seed)")
        }
        guard let expected = try GoldenFile.check(actual, against: Self.file) else { return }
        #expect(expected.split(separator: "\n").count > 4_000)
    }

    /// The kept causes are chosen by the `causeLimit`-th largest magnitude (quickselect, not a
    /// heap): on values with many ties it is what a sort gives, and the values are only reordered.
    @Test(arguments: [(1, 1), (1, 40), (7, 7), (32, 33), (32, 165), (32, 1_000), (500, 1_000)])
    func theRankedLargestValueIsTheSortedOne(_ rank: Int, _ count: Int) {
        var g = PropertyTests.Generator(state: UInt64(rank * 10_000 + count))
        let values = (0..<count).map { _ in UInt64(g.int(0...9)) &* (g.int(0...3) == 0 ? 1 : 1_000_003) }
        let buffer = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: count)
        defer { buffer.deallocate() }
        _ = buffer.initialize(from: values)
        #expect(AttributionWorker.largest(rank, of: buffer, count: count) == values.sorted(by: >)[rank - 1])
        #expect(buffer.sorted() == values.sorted())
    }
}
