@testable import CascadeEngine
import Testing

/// A scenario of any size fails with a clear error before it allocates more than the run's memory
/// budget — never with a crash (30 000 direct shocks on 1 M entities needed a 240 GB table).
struct MemoryBudgetTests {
    /// 40 companies, each shocked directly: 41 causes (the shocks and `other`), so 42 doubles each.
    static func shockedWorld() -> (WorldBuilder, Scenario) {
        var w = WorldBuilder()
        w.macro("oil", "Oil Price", value: 75, unit: "index", variable: "oil_price")
        var shocks: [String: Double] = [:]
        for k in 0..<40 {
            let id = "co-\(k)"
            w.entity(id, level: 2)
            shocks[id] = -0.01 * Double(k % 7 + 1)
        }
        return (w, scenario([:], shocks: shocks))
    }

    @Test func aRunOverItsBudgetFailsBeforeAllocating() throws {
        let (w, s) = Self.shockedWorld()
        let prepared = try Engine.prepare(s, world: w.world)
        // Per entity (40 shocked + the macro): a row start and count (8 + 4 bytes) and up to
        // `causeLimit` + 1 entries of a key and a share (4 + 8 bytes). And the one thread's
        // scratch (40 entities in one wave do not split): per cause an accumulator value, a
        // touched key and a magnitude (8 + 4 + 8 bytes), one bitset word and one summary word
        // (8 + 8), room for a cut row's kept causes (33 × 12) and per entity a cycle slot (4).
        let needed = 41 * (12 + (Attribution.causeLimit + 1) * 12) + 41 * 20 + 16 + 33 * 12 + 41 * 4
        do {
            _ = try prepared.propagate(memoryBudget: needed - 1)
            Issue.record("the run succeeded over its budget")
        } catch {
            #expect(error.kind == .overBudget)
            let message = error.problems.first?.message ?? ""
            #expect(message.contains("attributing 41 entities to 41 causes"), "\(message)")
            #expect(error.storeError.message.contains("more memory than its budget"))
        }
        // Exactly enough is enough, and the result is the ordinary one.
        let result = try prepared.propagate(memoryBudget: needed)
        #expect(result.impact("co-3") == -0.04)
    }

    /// The benchmark's shape at 100 k entities (10 levels, 5 edges per entity from the levels
    /// above, 3 % of the entities — 3 000 — shocked directly): a dense entities × causes table
    /// would need 2.4 GB; sparse rows of at most `causeLimit` causes fit in 48 MB, every row
    /// still sums to its entity's impact, and the rows that reach past the limit keep their
    /// largest causes and put the rest in `other`.
    @Test func thousandsOfDirectShocksAreAttributedWithinTheBudget() throws {
        var w = WorldBuilder()
        let n = 100_000, levelSize = n / 10
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {  // SplitMix64
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
        for k in 0..<n { w.entity("e\(k)", level: k / levelSize) }
        for k in levelSize..<n {
            let level = k / levelSize
            var sources = Set<Int>()
            while sources.count < 5 {
                let from = next(10) < 7 ? level - 1 : next(level)
                sources.insert(from * levelSize + next(levelSize))
            }
            for source in sources.sorted() { w.edge("e\(source)", "e\(k)", weight: 0.02 + Double(next(38)) / 100) }
        }
        var shocks: [String: Double] = [:]
        for k in 0..<3_000 { shocks["e\(k * 3)"] = -0.001 * Double(k % 9 + 1) }
        let prepared = try Engine.prepare(scenario([:], shocks: shocks), world: w.world)
        let result = try prepared.propagate(memoryBudget: 48 << 20)
        var longest = 0, withOther = 0
        for k in result.entities.indices {
            let entity = result.entities[k]
            longest = max(longest, entity.attribution.count)
            if entity.attribution.contains(where: { $0.key == "other" }) { withOther += 1 }
            let sum = entity.attribution.reduce(0) { $0 + $1.value }
            #expect(abs(sum - entity.impact) <= 1e-9 * max(1, abs(entity.impact)), "\(entity.id): \(sum) vs \(entity.impact)")
        }
        #expect(longest == Attribution.causeLimit + 1)
        #expect(withOther > 0)
    }

    @Test(arguments: [("16G", 16 << 30), ("512m", 512 << 20), ("1000", 1000), ("3K", 3072)])
    func budgetsAreReadWithUnits(_ text: String, _ bytes: Int) {
        #expect(Engine.byteCount(text) == bytes)
    }

    /// On threads the bound also counts each further thread's scratch and the rows the threads
    /// hold apart: the least budget a run on 3 threads needs is above the one-thread run's by at
    /// least two threads' scratch, and a run on 3 threads fails, naming them, one byte below it.
    @Test func threadsCountTheirScratchAndTheRowsHeldApart() throws {
        let (w, s) = AttributionReferenceTests.world(seed: 1, shocks: 300)
        let prepared = try Engine.prepare(s, world: w.world)
        let three = PropagationThreads(count: 3, minimumEdges: 1)
        /// The least budget `requireBudget` accepts, by bisection.
        func least(_ threads: PropagationThreads) -> Int {
            let propagator = Propagator(prepared.run)
            propagator.threads = threads
            var low = 0, high = 1 << 40  // refused at low, accepted at high
            while high - low > 1 {
                let middle = (low + high) / 2
                do {
                    try Attribution.requireBudget(propagator, budget: middle)
                    high = middle
                } catch {
                    low = middle
                }
            }
            return high
        }
        let one = least(.one), threaded = least(three)
        let scratch = AttributionWorker.scratchBytes(keys: 304, entities: prepared.run.ids.count,
                                                     inDegree: AttributionWorker.largestInDegree(prepared.run))
        #expect(threaded >= one + 2 * scratch, "3 threads: \(threaded) bytes, 1 thread: \(one)")
        prepared.threads = three
        do {
            _ = try prepared.propagate(memoryBudget: threaded - 1)
            Issue.record("the run succeeded over its budget")
        } catch {
            #expect(error.kind == .overBudget)
            #expect(error.problems.first?.message.contains("on 3 threads would need") == true, "\(error.problems)")
        }
        _ = try prepared.propagate(memoryBudget: threaded)
    }

    @Test(arguments: ["", "G", "-1G", "1.5G", "12 G", "9999999999T", "0"])
    func badBudgetsAreRefused(_ text: String) {
        #expect(Engine.byteCount(text) == nil)
    }
}
