@testable import CascadeEngine
import CascadeJSON
import Testing

/// Scenario documents and what-if changes are read with the one document reader: every problem
/// at once, each with its JSON path, a stable code and (for a misspelt key) what was meant.
struct DocumentProblemTests {
    static func scenarioProblems(_ text: String) throws -> [Problem] {
        let document = try JSONValue.parse(text)
        do {
            _ = try Scenario.parse(document, defaultAsOf: "2025-06-30")
            return []
        } catch {
            return error.problems
        }
    }

    /// (scenario document, "path code" of every problem, in order)
    static let scenarios: [(String, [String])] = [
        (#"{"name": "s", "author": "a", "macro_variables": {"x": 0.01}}"#, []),
        (#"{"name": "", "author": 3, "macro_variables": {"x": "low", "y": {"value": 2, "unit": "pct"}}, "colour": 1}"#,
         ["$.colour json.unknown-key", "$.name json.empty", "$.author json.type", "$.macro_variables.x json.type",
          "$.macro_variables.y.unit json.choice"]),
        (#"{"name": "s", "author": "a", "macro_variables": {}, "level_settings": {"3": {"dampin": 0.5, "clamp": [1, "x"], "max_cycle_rounds": 0}, "12": {}}}"#,
         [#"$.level_settings["3"].dampin json.unknown-key"#, #"$.level_settings["3"].clamp[1] json.type"#,
          #"$.level_settings["3"].max_cycle_rounds json.range"#, #"$.level_settings["12"] scenario.level"#]),
        (#"{"name": "s", "author": "a", "entity_shocks": {"a": 2, "b": "x"}, "as_of": "2025-02-30", "feedback_tolerance": 0.1, "is_public": "yes"}"#,
         ["$.macro_variables json.missing", "$.entity_shocks.a scenario.shock", "$.entity_shocks.b json.type", "$.as_of json.date",
          "$.feedback_tolerance scenario.feedback", "$.is_public json.type"]),
        (#"[]"#, ["$ json.type"]),
    ]

    @Test(arguments: DocumentProblemTests.scenarios)
    func aScenarioReportsEveryProblemWithItsPathAndCode(_ text: String, _ expected: [String]) throws {
        let problems = try Self.scenarioProblems(text)
        #expect(problems.map { "\($0.path) \($0.code)" } == expected, "\(problems)")
    }

    @Test func misspeltScenarioKeysSayWhatWasMeant() throws {
        let problems = try Self.scenarioProblems(#"{"name": "s", "author": "a", "macro_varables": {}, "level_settings": {"3": {"dampng": 1}}}"#)
        #expect(problems.first { $0.path == "$.macro_varables" }?.hint?.hasPrefix("did you mean `macro_variables`?") == true, "\(problems)")
        let level = problems.first { $0.path == #"$.level_settings["3"].dampng"# }
        #expect(level?.message == "unknown level setting `dampng`")
        #expect(level?.hint?.hasPrefix("did you mean `damping`?") == true, "\(problems)")
    }

    /// (what-if changes, "path code" of every problem)
    static let changes: [(String, [String])] = [
        (#"{"set": {"x": 0.01}, "levels": {"3": {"damping": 0.5}}}"#, []),
        (#"{"set": 1, "shock": {}, "levels": {"3": 2, "4": {}}}"#,
         ["$.shock json.unknown-key", "$.set json.type", #"$.levels["3"] json.type"#]),
        (#"3"#, ["$ json.type"]),
    ]

    @Test(arguments: DocumentProblemTests.changes)
    func whatIfChangesReportEveryProblemWithItsPathAndCode(_ text: String, _ expected: [String]) throws {
        var problems: [Problem] = []
        let document = try JSONValue.parse(text)
        do {
            _ = try WhatIfChanges.parse(document, at: .root)
        } catch {
            problems = error.problems
        }
        #expect(problems.map { "\($0.path) \($0.code)" } == expected, "\(problems)")
        if expected.first?.hasPrefix("$.shock ") == true {
            #expect(problems.first?.hint?.hasPrefix("did you mean `shocks`?") == true, "\(problems)")
        }
    }
}
