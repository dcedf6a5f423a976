import CascadeJSON
import Testing

/// An eval request (`cascade eval --batch` line, `POST /v1/eval` body) is read with the one
/// document reader: the output's error has the `input.*` code of the first problem, and every
/// problem with its path.
struct EvalRequestTests {
    /// (request, the error's code, the paths of every problem)
    static let cases: [(String, String, [String])] = [
        (#"{"formula": 1, "explain": "yes", "bindings": {"a": [1], "b": {"c": [2]}}, "extra": true}"#,
         "input.unknown-key", ["$.extra", "$.formula", "$.explain", "$.bindings.a", "$.bindings.b.c"]),
        (#"{"explain": 1}"#, "input.formula", ["$.formula", "$.explain"]),
        (#"{"formula": "1", "explain": "yes", "bindings": {"x": [1]}}"#, "input.explain", ["$.explain", "$.bindings.x"]),
        (#"{"formula": "1", "bindings": 3}"#, "input.bindings", ["$.bindings"]),
        (#"[1]"#, "input.shape", ["$"]),
    ]

    @Test(arguments: EvalRequestTests.cases)
    func everyProblemOfARequestIsReported(_ text: String, _ code: String, _ paths: [String]) throws {
        let output = FormulaEvaluation.evaluate(request: try JSONValue.parse(text), lineNumber: 3)
        #expect(output["ok"] == .bool(false))
        #expect(output["error"]?["code"] == .string(code), "\(output.serialized())")
        #expect(output["error"]?["line"] == .number(3))
        #expect(output["error"]?["problems"]?.arrayValue?.compactMap { $0["path"]?.stringValue } == paths, "\(output.serialized())")
    }

    @Test func aGoodRequestIsEvaluated() throws {
        let output = FormulaEvaluation.evaluate(request: try JSONValue.parse(#"{"id": 7, "formula": "x * 2", "bindings": {"x": 1.5}}"#))
        #expect(output == .object(JSONObject([("id", .number(7)), ("ok", .bool(true)), ("type", .string("number")), ("value", .number(3))])))
    }
}
