@testable import CascadeEngine
import Testing

/// Warnings are one per kind, with a count and the first names — not one line per variable.
struct WarningTests {
    @Test func unboundVariablesAreOneWarningWithACount() throws {
        var w = WorldBuilder()
        w.macro("oil", "Oil Price", value: 75, unit: "index", variable: "oil_price")
        var variables = ["oil_price": 80.0]
        for k in 0..<7 { variables["extra_\(k)"] = Double(k) }
        let result = try w.run(scenario(variables))
        let unbound = result.warnings.filter { $0.contains("bind no MACRO entity") || $0.contains("binds no MACRO entity") }
        #expect(unbound == ["7 scenario variables (`extra_0`, `extra_1`, `extra_2`, `extra_3`, `extra_4`, …) bind no MACRO entity and have no macro_data baseline; they carry no shock"])

        let one = try w.run(scenario(["oil_price": 80, "lonely": 1]))
        #expect(one.warnings.filter { $0.contains("MACRO entity") } == ["the scenario variable `lonely` binds no MACRO entity and has no macro_data baseline; it carries no shock"])
    }
}
