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
        let needed = 41 * 42 * 8  // entities (40 shocked + the macro) × (41 causes + the impact) × 8 bytes
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

    @Test(arguments: [("16G", 16 << 30), ("512m", 512 << 20), ("1000", 1000), ("3K", 3072)])
    func budgetsAreReadWithUnits(_ text: String, _ bytes: Int) {
        #expect(Engine.byteCount(text) == bytes)
    }

    @Test(arguments: ["", "G", "-1G", "1.5G", "12 G", "9999999999T", "0"])
    func badBudgetsAreRefused(_ text: String) {
        #expect(Engine.byteCount(text) == nil)
    }
}
