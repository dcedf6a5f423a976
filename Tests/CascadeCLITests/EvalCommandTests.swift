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
