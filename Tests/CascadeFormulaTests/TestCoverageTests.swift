import CascadeFormula
import Testing

/// Test coverage: which condition outcomes the cases take, and which regions of a compared input
/// no case falls in — above all those where the formula returns no value.
struct TestCoverageTests {
    static let hbm = "if (hbm_supply < 80) return -0.25; else if (hbm_supply > 120) return 0.15;"

    static func coverage(_ source: String, _ inputs: [String: InputType], _ cases: [[String: Value]]) throws -> TestCoverage {
        let formula = try #require(Formula.compile(source, inputs: inputs).formula)
        return TestCoverage.analyse(formula, inputs: inputs, cases: cases)
    }

    /// (formula, cases of one number input `x` or `hbm_supply`, the findings expected).
    static let findings: [(String, String, [Double], [String])] = [
        // The seed's HBM rule with cases at 72 and 130 only: the band between falls off the end.
        (hbm, "hbm_supply", [72, 130], [
            "no case has `hbm_supply` in [80, 120], where the formula returns no value",
            "no case makes `hbm_supply > 120` false",
        ]),
        // A case inside the band leaves its edges, which fall off the end too (80 is not `< 80`).
        (hbm, "hbm_supply", [72, 130, 100], [
            "no case has `hbm_supply` = 80, where the formula returns no value",
            "no case has `hbm_supply` = 120, where the formula returns no value",
        ]),
        // Cases on the edges close every gap.
        (hbm, "hbm_supply", [72, 80, 100, 120, 130], []),
        // Only the shortage case: the glut branch is never reached.
        (hbm, "hbm_supply", [72], [
            "no case has `hbm_supply` in [80, 120], where the formula returns no value",
            "no case makes `hbm_supply < 80` false",
            "no case reaches the condition `hbm_supply > 120`",
        ]),
        // Made total (the bundled supply_bottleneck): no region is without a value.
        ("if (x < 80) return -0.25;\nelse if (x > 120) return 0.15;\nreturn 0;", "x", [72, 130], [
            "no case makes `x > 120` false",
        ]),
        // A constant on the left, a negative threshold, and `?:` in an expression.
        ("return -5 >= x ? 1 : 2;", "x", [0], ["no case makes `-5 >= x` true"]),
        // Equality cuts a point region; the fall-off there is found.
        ("if (x !== 0) return 1 / x;", "x", [2, -2], [
            "no case has `x` = 0, where the formula returns no value",
            "no case makes `x !== 0` false",
        ]),
        // A condition on a local is not analysed, and no finding is made up for it.
        ("const d = x - 80; if (d < 0) return 1; return 2;", "x", [100], []),
        // A bare expression without conditions has nothing to cover.
        ("x * 2", "x", [1], []),
    ]

    @Test(arguments: findings)
    func findingsNameTheGaps(_ source: String, _ input: String, _ values: [Double], _ expected: [String]) throws {
        let cases = values.map { [input: Value.number($0)] }
        let result = try Self.coverage(source, [input: .number], cases)
        #expect(result.findings == expected)
    }

    @Test func conditionsRecordTheCasesThatReachThem() throws {
        let result = try Self.coverage(Self.hbm, ["hbm_supply": .number], [[ "hbm_supply": .number(72)], ["hbm_supply": .number(130)]])
        #expect(result.conditions.map(\.text) == ["hbm_supply < 80", "hbm_supply > 120"])
        #expect(result.conditions.map(\.trueCases) == [[0], [1]])
        #expect(result.conditions.map(\.falseCases) == [[1], []])
        #expect(result.regions.map(\.description) == ["in (-∞, 80)", "= 80", "in (80, 120)", "= 120", "in (120, ∞)"])
        #expect(result.regions.map(\.returnsNoValue) == [false, true, true, true, false])
        #expect(result.regions.map(\.cases) == [[0], [], [], [], [1]])
    }

    @Test func otherInputsKeepTheirCaseValuesWhileOneIsProbed() throws {
        // Whether the band returns a value depends on `mode`; the case's `mode` is used.
        let source = "if (x < 10) return 1; if (mode) return 2;"
        let inputs: [String: InputType] = ["x": .number, "mode": .boolean]
        let withMode = try Self.coverage(source, inputs, [["x": .number(5), "mode": .boolean(true)]])
        #expect(!withMode.findings.contains { $0.contains("returns no value") })
        let without = try Self.coverage(source, inputs, [["x": .number(5), "mode": .boolean(false)]])
        #expect(without.findings.contains("no case has `x` in [10, ∞), where the formula returns no value"))
    }
}
