@testable import CascadeCLI
import CascadeFormula
import CascadeJSON
import Testing

/// The REPL's state machine, piece by piece: what continues an entry, which lines fail, what is
/// kept between lines. The transcripts show whole sessions; these pin the rules one at a time.
struct REPLSessionTests {
    @Test(arguments: [
        ("1 + 2", false),
        ("if (x) {", true),
        ("if (x) {\n  return 1;\n}", false),
        ("Math.max(\n  1,", true),
        ("(1 + 2))", false),  // more closers: submitted, the parser reports it
        ("\"{ (\"", false),
        ("'(' + x", false),
        ("x // {", false),
        ("x /* { */", false),
        ("x /* a comment\n", true),
        ("x /* a comment\n ends */", false),
        ("\"a string \\", true),  // a backslash continues a string onto the next line
        ("\"a string \\\\", false),  // an escaped backslash does not
        ("\"unterminated (", false),
        ("{ \"}\" ", true),
        ("`template {`", false),
    ])
    func entriesContinueUntilBracketsBalance(_ text: String, _ continues: Bool) {
        #expect(InputBalance(text).needsMoreInput == continues, "\(text)")
    }

    /// Feeds lines and returns the session and the last step.
    func run(_ lines: [String], options: ReplSession.Options = ReplSession.Options()) -> (ReplSession, [ReplStep]) {
        var session = ReplSession(options: options)
        let steps = lines.map { session.receive($0) }
        return (session, steps)
    }

    @Test(arguments: [
        ("1 + 1", false),
        ("", false),
        ("   ", false),
        ("const a = 1", false),
        (":help", false),
        ("x", true),
        ("1 / 0", true),
        ("return '5' + 2;", true),
        (":nope", true),
        (":bind x [1]", true),
        (":type 1 +", true),
        (":test", true),
        (":load anything", true),  // no library
        ("if (1 > 2) return 1;", false),  // a warning is not a failure
    ])
    func failedLinesAreMarked(_ line: String, _ fails: Bool) {
        let (_, steps) = run([line])
        #expect(steps[0].failed == fails, "\(line)")
    }

    @Test func resultsGoToStandardOutputAndProblemsToStandardError() {
        let (_, steps) = run(["1 + 1", "x", "if (1 > 2) return 1;"])
        #expect(steps[0].output == [.result("2\n")])
        #expect(steps[1].output.count == 1)
        guard case .message(let error) = steps[1].output[0] else { Issue.record("an error is a message"); return }
        #expect(error.hasPrefix("error[name.unknown]"))
        #expect(steps[2].output.count == 2)
        guard case .message = steps[2].output[0], case .result("undefined\n") = steps[2].output[1] else {
            Issue.record("a warning on stderr, then the value: \(steps[2].output)")
            return
        }
    }

    @Test func aMultiLineEntryIsEvaluatedWhenItCloses() {
        var session = ReplSession()
        #expect(session.prompt == "> ")
        #expect(session.receive("if (2 > 1) {").output.isEmpty)
        #expect(session.isContinuing)
        #expect(session.prompt == "... ")
        #expect(session.receive(":vars").output.isEmpty, "a continuation line is not a command")
        _ = session.cancel()
        #expect(!session.isContinuing)
        _ = session.receive("if (2 > 1) {")
        _ = session.receive("  return 7;")
        #expect(session.receive("} else {").output.isEmpty)
        _ = session.receive("  return 0;")
        let step = session.receive("}")
        #expect(step.output == [.result("7\n")])
        #expect(!session.isContinuing)
    }

    @Test func anUnfinishedEntryFailsAtTheEndOfInput() {
        var session = ReplSession()
        _ = session.receive("Math.max(1,")
        let step = session.finish()
        #expect(step.failed)
        #expect(step.output.first?.text.contains("syntax.") == true)
        #expect(session.finish() == ReplStep(), "nothing left after")
    }

    @Test func quitEndsTheSession() {
        let (_, steps) = run([":quit"])
        #expect(steps[0].quits)
        #expect(run([":q"]).1[0].quits)
        #expect(!run([":quit now"]).1[0].quits)
    }

    @Test(arguments: [
        // (lines, name, expected value and kind; nil: not kept)
        (["let a = 1"], "a", ReplSession.Binding(value: .number(1), kind: .let)),
        (["const a = 'x'"], "a", ReplSession.Binding(value: .string("x"), kind: .const)),
        (["let a = 1", "a += 2"], "a", ReplSession.Binding(value: .number(3), kind: .let)),
        (["let a = 1", "a = 5; return a * 2;"], "a", ReplSession.Binding(value: .number(5), kind: .let)),
        (["let a = 1; if (a > 0) return a; a = 9;"], "a", ReplSession.Binding(value: .number(1), kind: .let)),
        (["let a = 1; if (a > 5) return a; a = 9;"], "a", ReplSession.Binding(value: .number(9), kind: .let)),
        (["let a = 1; if (a > 0) { a = 4; return; }"], "a", ReplSession.Binding(value: .number(4), kind: .let)),
        (["if (true) return 0; let a = 1;"], "a", nil),
        (["let a = 1", "a = 'text'"], "a", ReplSession.Binding(value: .number(1), kind: .let)),  // a failed line changes nothing
        (["const a = 1", "a = 2"], "a", ReplSession.Binding(value: .number(1), kind: .const)),
        (["const a = 1", "let a = a + 1"], "a", ReplSession.Binding(value: .number(1), kind: .const)),  // TDZ, as in JavaScript
        (["const a = 1", "let a = 2"], "a", ReplSession.Binding(value: .number(2), kind: .let)),  // redeclaring replaces
        (["let a = 1", "{ let a = 2; a = 3; }"], "a", ReplSession.Binding(value: .number(1), kind: .let)),
        (["let a = 1; { let a = 2; return a; }"], "a", nil),  // hidden where the entry returned: not kept
        (["let a = 1 / 0"], "a", nil),
        ([":bind a {\"v\": 1}", "let b = a.v"], "b", ReplSession.Binding(value: .number(1), kind: .let)),
        ([":bind a 2"], "a", ReplSession.Binding(value: .number(2), kind: .input)),
        ([":bind a 2", "a = 3"], "a", ReplSession.Binding(value: .number(2), kind: .input)),  // inputs are read-only
        (["let a = 1", ":clear"], "a", nil),
    ] as [([String], String, ReplSession.Binding?)])
    func topLevelDeclarationsAreKept(_ lines: [String], _ name: String, _ expected: ReplSession.Binding?) {
        let (session, _) = run(lines)
        #expect(session.bindings[name] == expected, "\(lines)")
    }

    @Test func returnsAreRewrittenAtTheirOwnRanges() {
        let source = "if (x) return; else { return (x + 1) * 2 }"
        let analysis = EntryAnalysis(Formula.parse(source))
        #expect(analysis.returns.count == 2)
        let numbered = EntryAnalysis.replacingReturns(in: source, analysis.returns.enumerated().map { ($0.element, String($0.offset)) })
        #expect(numbered == "if (x) return (0); else { return (1) }")
    }

    @Test func scriptsNumberLinesFromTheStart() {
        var options = ReplSession.Options()
        options.sourceName = "stdin"
        options.numbersLinesFromStart = true
        let (_, steps) = run(["1", "", "if (1 > 0) {", "  return x", "}"], options: options)
        let text = steps[4].output.map(\.text).joined()
        #expect(text.contains(" --> stdin:4:10\n"), "\(text)")
        #expect(text.contains("4 |   return x\n"), "\(text)")
    }

    @Test func colourIsOnlyUsedWhenAsked() {
        var options = ReplSession.Options()
        options.color = true
        let coloured = run(["x", ":nope"], options: options).1.flatMap(\.output).map(\.text).joined()
        #expect(coloured.contains("\u{1B}[1;31merror"))
        let plain = run(["x", ":nope"]).1.flatMap(\.output).map(\.text).joined()
        #expect(!plain.contains("\u{1B}"))
    }

    /// A library with one formula of three number parameters, and a second name sharing its prefix.
    static let library = InMemoryFormulaLibrary([
        LoadedFormula(name: "gdp_sector_impact", version: 1, text: "return (gdpGrowth - baseline) * elasticity * 100;",
                      parameters: [.init(name: "gdpGrowth", typeName: "number"), .init(name: "baseline", typeName: "number"),
                                   .init(name: "elasticity", typeName: "number")],
                      description: nil, testCases: []),
        LoadedFormula(name: "gdp_other", version: 1, text: "return 1;", parameters: [], description: nil, testCases: []),
        LoadedFormula(name: "supply_bottleneck", version: 1, text: "return 0;", parameters: [], description: nil, testCases: []),
    ])

    @Test(arguments: [
        // (lines typed before, the line in front of the word, the word, what Tab offers)
        ([], "", ":lo", [":load"]),
        ([], "  ", ":c", [":check", ":clear", ":cost"]),
        ([], "", "ret", ["return"]),
        ([], ":load ", "", ["gdp_other", "gdp_sector_impact", "supply_bottleneck"]),
        ([], ":load ", "gdp_s", ["gdp_sector_impact"]),
        ([], ":load gdp_other ", "", []),
        ([], ":bind ", "", []),  // nothing loaded, nothing bound
        ([":load gdp_sector_impact"], ":bind ", "", ["baseline", "elasticity", "gdpGrowth"]),
        ([":load gdp_sector_impact"], ":bind ", "el", ["elasticity"]),
        ([":load gdp_sector_impact", ":bind rate 2", "let local = 1"], ":bind ", "", ["baseline", "elasticity", "gdpGrowth", "rate"]),
        ([":load gdp_sector_impact"], ":bind elasticity ", "", []),  // the value is not a name
        ([":load gdp_sector_impact"], ":vars ", "", []),
        (["let growth = 1"], "1 + ", "gr", ["growth"]),
        (["let growth = 1"], "1 + ", ":lo", []),  // commands only start a line
        (["let growth = 1"], ":type ", "gr", ["growth"]),
        ([], ":cost Math.max(1, ", "Math.ma", ["Math.max"]),
        (["if (1 > 0) {"], "", ":lo", []),  // a continuation line is not a command
        (["if (1 > 0) {"], "", "ret", ["return"]),
    ] as [([String], String, String, [String])])
    func tabCompletesByContext(_ lines: [String], _ before: String, _ word: String, _ expected: [String]) {
        var session = ReplSession(library: REPLSessionTests.library)
        for line in lines { _ = session.receive(line) }
        #expect(session.completions(for: word, after: before) == expected, "\(lines) \(before.debugDescription) \(word)")
    }

    @Test func aBindingOfTheWrongTypeIsNamedWhenTheFormulaRuns() {
        var session = ReplSession(library: REPLSessionTests.library)
        for line in [":load gdp_sector_impact", ":bind gdpGrowth 0.05", ":bind baseline 0.02", ":bind elasticity \"high\""] {
            #expect(!session.receive(line).failed, "\(line)")
        }
        let step = session.receive(":run")
        #expect(step.failed)
        let text = step.output.map(\.text).joined()
        #expect(text.contains("input slot 2 (`elasticity`) expects a number but was given a string"), "\(text)")
    }

    /// A library document's test cases are read as registration reads them (one reader, one
    /// model): a misspelt key is refused with its path and what was meant, not silently ignored.
    @Test func aLibraryTestCaseIsReadAsRegistrationReadsIt() throws {
        let document = try JSONValue.parse(#"""
            {"name": "f", "formula_text": "return x;", "parameters": {"x": "number"},
             "test_cases": [{"inputs": {"x": 1}, "expected": 1, "tolerence": 0.5}, {"inputs": {"x": 1}, "tolerance": -1}]}
            """#)
        do {
            _ = try InMemoryFormulaLibrary(documents: [document])
            Issue.record("a test case with a misspelt key was loaded")
        } catch let error as FormulaLibraryError {
            #expect(error.message.contains("$.test_cases[0].tolerence: unknown key `tolerence` (hint: did you mean `tolerance`?"), "\(error)")
            #expect(error.message.contains("$.test_cases[1].tolerance"), "\(error)")
            #expect(error.message.contains("$.test_cases[1].expected"), "\(error)")
        }
    }

    /// (a library file's text, what its error must say): a document's own fields are read as
    /// registration reads them — an unknown key with what was meant, every wrong type, all the
    /// problems at once, each at `FILE:LINE:COLUMN: $.path` — not leniently.
    static let badDocuments: [(String, [String])] = [
        (#"{"name": "f", "formula_txt": "return 1;"}"#,
         ["lib.json:1:15: $.formula_txt: unknown key `formula_txt` (hint: did you mean `formula_text`?",
          "lib.json:1:1: $.formula_text: `formula_text` is required"]),
        (#"{"name": 3, "formula_text": "return 1;", "parameters": [], "description": 1}"#,
         ["lib.json:1:10: $.name: `name` must be a string, not", "lib.json:1:56: $.parameters: `parameters` must be an object, not",
          "lib.json:1:75: $.description: `description` must be a string, not"]),
        (#"{"name": "f", "formula_text": "return x;", "parameters": {"x": 1}, "version": 1.5}"#,
         ["lib.json:1:64: $.parameters.x: parameter `x` must name a type, not", "lib.json:1:79: $.version: `version` must be a whole number"]),
        ("[\n {\"name\": \"f\", \"formula_text\": \"return 1;\"},\n {\"name\": \"g\", \"formula_text\": \"return 2;\", \"nam\": 1}\n]",
         ["`g`: lib.json:3:45: $[1].nam: unknown key `nam` (hint: did you mean `name`?"]),
    ]

    @Test(arguments: REPLSessionTests.badDocuments)
    func aLibraryDocumentIsReadWithTheOneReader(_ text: String, _ expected: [String]) {
        do {
            _ = try InMemoryFormulaLibrary(source: Array(text.utf8), file: "lib.json")
            Issue.record("a bad document was loaded: \(text)")
        } catch {
            for part in expected { #expect("\(error)".contains(part), "\(error)") }
        }
    }
}
