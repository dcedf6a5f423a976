import CascadeJSON
import Foundation
import Testing

/// `cascade eval` end to end, through the built binary.
struct EvalCommandTests {
    static let seedThreshold = "if (hbm_supply < 80) return -0.25; else if (hbm_supply > 120) return 0.15;"

    func json(_ text: String) throws -> JSONValue { try JSONValue.parse(text.trimmingCharacters(in: .whitespacesAndNewlines)) }

    @Test func theSeedThresholdFormula() throws {
        let low = try CascadeBinary.run(["eval", EvalCommandTests.seedThreshold, "--bindings", #"{"hbm_supply": 72}"#, "--json"])
        #expect(low.status == 0)
        let lowResult = try json(low.stdout)
        #expect(lowResult["ok"] == .bool(true))
        #expect(lowResult["type"] == .string("number"))
        #expect(lowResult["value"] == .number(-0.25))

        let middle = try CascadeBinary.run(["eval", EvalCommandTests.seedThreshold, "--bindings", #"{"hbm_supply": 100}"#, "--json"])
        #expect(middle.status == 0)
        let middleResult = try json(middle.stdout)
        #expect(middleResult["type"] == .string("undefined"))
        #expect(middleResult["value"] == .null)
        #expect(middleResult["warnings"]?.arrayValue?.first?.stringValue?.contains("when none of") == true)
    }

    @Test func explainShowsEachSubexpressionTheBranchesAndWhyThereIsNoValue() throws {
        let result = try CascadeBinary.run(["eval", EvalCommandTests.seedThreshold, "--bindings", #"{"hbm_supply": 100}"#,
                                            "--explain"])
        #expect(result.status == 0)
        #expect(result.stdout == """
            undefined (no value)
              hbm_supply < 80   → false  (condition: branch not taken)
              hbm_supply        → 100
              hbm_supply > 120  → false  (condition: branch not taken)
              hbm_supply        → 100
            no value: the formula fell off the end; these conditions were false: `hbm_supply < 80`, `hbm_supply > 120`

            """)
        let taken = try CascadeBinary.run(["eval", EvalCommandTests.seedThreshold, "--bindings", #"{"hbm_supply": 72}"#, "--explain"])
        #expect(taken.stdout == """
            -0.25
              hbm_supply < 80  → true  (condition: branch taken)
              hbm_supply       → 72

            """)
    }

    @Test func explainWithJSONAddsTheTraceWithByteOffsets() throws {
        let result = try CascadeBinary.run(["eval", "return s === \"é\" ? x * 2 : 0;",
                                            "--bindings", #"{"s": "é", "x": 1}"#, "--explain", "--json"])
        #expect(result.status == 0)
        let output = try json(result.stdout)
        #expect(output["value"] == .number(2))
        #expect(output["trace"] == (try JSONValue.parse("""
            [{"start": 7, "end": 29, "text": "s === \\"é\\" ? x * 2 : 0", "value": 2},
             {"start": 7, "end": 17, "text": "s === \\"é\\"", "value": true, "condition": true},
             {"start": 20, "end": 25, "text": "x * 2", "value": 2},
             {"start": 20, "end": 21, "text": "x", "value": 1}]
            """)))
        let none = try json(try CascadeBinary.run(["eval", EvalCommandTests.seedThreshold, "--bindings", #"{"hbm_supply": 100}"#,
                                                   "--explain", "--json"]).stdout)
        #expect(none["failed_conditions"] == .array([.string("hbm_supply < 80"), .string("hbm_supply > 120")]))
        // Without --explain there is no trace.
        #expect(try json(try CascadeBinary.run(["eval", "x * 2", "--bindings", #"{"x": 1}"#, "--json"]).stdout)["trace"] == nil)
    }

    @Test func explainOfAFailingFormulaShowsTheTraceUpToTheError() throws {
        let result = try CascadeBinary.run(["eval", "const d = x - 1; return 10 / d;", "--bindings", #"{"x": 1}"#, "--explain"])
        #expect(result.status == 1)
        #expect(result.stdout == "  x - 1  → 0\n  x      → 1\n  d      → 0\n")
        #expect(result.stderr.hasPrefix("error[runtime.division-by-zero]: division by zero in `10 / d` (d = 0)"))
    }

    @Test func explainInABatchIsPerLine() throws {
        let lines = [#"{"id": 1, "formula": "x + 1", "bindings": {"x": 2}, "explain": true}"#,
                     #"{"id": 2, "formula": "x + 1", "bindings": {"x": 2}, "explain": "yes"}"#]
        let result = try CascadeBinary.run(["eval", "--batch", "-"], input: Data(lines.joined(separator: "\n").utf8))
        let outputs = try result.stdout.split(separator: "\n").map { try JSONValue.parse(String($0)) }
        #expect(outputs.first?["trace"]?.arrayValue?.map { $0["text"] } == [.string("x + 1"), .string("x")])
        #expect(outputs.last?["error"]?["code"] == .string("input.explain"))
        let refused = try CascadeBinary.run(["eval", "--batch", "-", "--explain"], input: Data())
        #expect(refused.status != 0 && refused.stderr.contains("--explain is for one formula"))
    }

    @Test func theSeedElasticityFormulaPrintsJavaScriptsDouble() throws {
        let result = try CascadeBinary.run(["eval", "return (gdpGrowth - baseline) * elasticity * 100;", "--bindings",
                                            #"{"gdpGrowth":0.03,"baseline":0.02,"elasticity":1.8}"#])
        #expect(result.status == 0)
        #expect(result.stdout == "1.7999999999999998\n")  // node: (0.03 - 0.02) * 1.8 * 100
    }

    @Test func errorsAreRenderedWithTheSourceLineAndACaret() throws {
        let result = try CascadeBinary.run(["eval", "return '5' + 2;"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == """
            error[type.string-coercion]: cannot add a string and a number
             --> formula:1:8
              |
            1 | return '5' + 2;
              |        ^^^^^^^
              = hint: JavaScript would silently turn the number into text (`'5' + 2` is `'52'`); formulas do not convert types

            """)
    }

    @Test func jsonErrorsCarryKindCodeAndPlace() throws {
        let result = try CascadeBinary.run(["eval", "return x / y;", "--bindings", #"{"x": 1, "y": 0}"#, "--json"])
        #expect(result.status == 1)
        let error = try json(result.stdout)["error"]
        #expect(error?["kind"] == .string("runtime"))
        #expect(error?["code"] == .string("runtime.division-by-zero"))
        #expect(error?["line"] == .number(1))
        #expect(error?["column"] == .number(8))
    }

    @Test func badBindingsAreReportedWithTheirPath() throws {
        let result = try CascadeBinary.run(["eval", "x", "--bindings", #"{"x": {"y": [1]}}"#])
        #expect(result.status == 1)
        #expect(result.stderr.contains("$.x.y"))
    }

    @Test func aBatchAnswersEveryLineInOrder() throws {
        let lines = [
            #"{"id": "k1", "formula": "return x * 2;", "bindings": {"x": 1.5, "source": {"value": 3}}}"#,
            #"{"id": "k2", "formula": "if (x > 5) return 1;", "bindings": {"x": 1}}"#,
            #"not json"#,
            #"{"id": "k3", "formula": "return '5' + x;", "bindings": {"x": 1}}"#,
            "",
            #"{"id": 4, "formula": "source.value / 0", "bindings": {"source": {"value": 3}}}"#,
            #"{"id": "k5", "formula": "1", "extra": true}"#,
            #"{"id": "k6", "formula": "x + 1", "bindings": {"x": 0.1}}"#,
        ]
        let result = try CascadeBinary.run(["eval", "--batch", "-"], input: Data(lines.joined(separator: "\n").utf8))
        #expect(result.status == 1)  // some lines failed
        let outputs = try result.stdout.split(separator: "\n").map { try JSONValue.parse(String($0)) }
        #expect(outputs.count == 7)  // the blank line is not an input
        #expect(outputs.map { $0["id"] } == [.string("k1"), .string("k2"), .null, .string("k3"), .number(4), .string("k5"), .string("k6")])
        #expect(outputs[0]["value"] == .number(3))
        #expect(outputs[1]["type"] == .string("undefined"))
        #expect(outputs[2]["error"]?["code"] == .string("input.json"))
        #expect(outputs[3]["error"]?["kind"] == .string("type"))
        #expect(outputs[4]["error"]?["kind"] == .string("runtime"))
        #expect(outputs[5]["error"]?["code"] == .string("input.unknown-key"))
        #expect(outputs[6]["value"] == .number(1.1))
    }

    @Test func aTenMegabyteFormulaInABatchIsACleanLimitError() throws {
        let formula = String(repeating: "x + ", count: 2_500_000) + "x"
        let line = #"{"id": "big", "formula": ""# + formula + #"", "bindings": {"x": 1}}"#
        let result = try CascadeBinary.run(["eval", "--batch", "-"], input: Data((line + "\n" + #"{"id": "after", "formula": "2"}"#).utf8))
        let outputs = try result.stdout.split(separator: "\n").map { try JSONValue.parse(String($0)) }
        #expect(outputs.count == 2)
        #expect(outputs[0]["error"]?["kind"] == .string("limit"))
        #expect(outputs[1]["value"] == .number(2))
    }
}
