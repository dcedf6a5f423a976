import CascadeFormula
import CascadeJSON

/// The outcome of one test case.
package struct TestCaseResult: Sendable, Equatable {
    package var index: Int
    package var name: String?
    package var passed: Bool
    /// What the formula gave: a value rendered as JavaScript prints it, or an error code.
    package var actual: String
    package var expected: String
    /// Why it failed, with the case's JSON path.
    package var problem: Problem?
}

/// The checks a formula version must pass before it is stored: it compiles against its declared
/// `parameters` without errors, and every test case gives the expected value.
package struct FormulaCheck: Sendable {
    /// Compile errors and failing test cases; empty means the version may be stored.
    package var problems: [Problem]
    package var warnings: [Problem]
    package var results: [TestCaseResult]
    /// What the test cases leave unexercised; nil when the text does not compile.
    package var coverage: TestCoverage?
    /// The document's own backtest, run at registration (nil when it carries none).
    package var backtest: BacktestResult?

    package var isPassing: Bool { problems.isEmpty }

    /// Checks `document`; `label` names it in rendered diagnostics (`gdp_sector_impact@3`) and
    /// `textPath` is where its text lives (`$.formula_text`, `$.formulas[2].formula_text`).
    package static func run(_ document: FormulaDocument, label: String? = nil, textPath: String = "$.formula_text") -> FormulaCheck {
        var check = FormulaCheck(problems: [], warnings: [], results: [])
        var inputs: [String: InputType] = [:]
        for (name, type) in document.parameters {
            if case .string(let typeName) = type, let declared = InputType(declared: typeName) { inputs[name] = declared }
        }
        let compilation = Formula.compile(document.formulaText, inputs: inputs)
        for diagnostic in compilation.diagnostics {
            let location = SourceLocation(offset: diagnostic.range.start, in: document.formulaText)
            let problem = Problem(
                path: "\(textPath) \(location.line):\(location.column)", code: diagnostic.code,
                message: diagnostic.message, hint: diagnostic.hint,
                rendered: diagnostic.rendered(source: document.formulaText, name: label ?? document.name, color: false))
            if diagnostic.isError { check.problems.append(problem) } else { check.warnings.append(problem) }
        }
        guard let formula = compilation.formula else { return check }

        for (index, testCase) in document.testCases.enumerated() {
            let result = runCase(testCase, index: index, formula: formula, parameters: inputs)
            if let problem = result.problem { check.problems.append(problem) }
            check.results.append(result)
        }
        let coverage = TestCoverage.analyse(formula, inputs: inputs, cases: document.testCases.map { testCase in
            testCase.inputs.reduce(into: [String: Value]()) { bindings, member in bindings[member.key] = value(member.value) }
        })
        check.coverage = coverage
        let casesPath = textPath.hasSuffix("formula_text") ? textPath.dropLast("formula_text".count) + "test_cases" : textPath
        for finding in coverage.findings {
            check.warnings.append(Problem(path: casesPath, code: "formula.coverage", message: finding,
                                          hint: "add a test case there (with `\"expected_type\": \"undefined\"` where no value is intended)"))
        }
        return check
    }

    /// Runs one case (`FormulaTestCase.run`) and words a failure as registration reports it.
    private static func runCase(
        _ testCase: FormulaTestCase, index: Int, formula: CompiledFormula, parameters: [String: InputType]
    ) -> TestCaseResult {
        let expectedText = testCase.expectedText
        var result = TestCaseResult(index: index, name: testCase.name, passed: false, actual: "", expected: expectedText)
        let label = testCase.name.map { "test case `\($0)`" } ?? "test case \(index)"
        func fail(_ message: String, _ code: String, hint: String? = nil) -> TestCaseResult {
            result.problem = Problem(path: testCase.path, code: code, message: "\(label): \(message)", hint: hint)
            return result
        }
        let run = testCase.run(formula, parameters: parameters)
        switch run.outcome {
        case .undeclaredInput(let name):
            return fail("input `\(name)` is not a declared parameter", "formula.test-input",
                        hint: "declared parameters: " + parameters.keys.sorted().joined(separator: ", "))
        case .unbindableInput(let name, _):
            return fail("input `\(name)` is an array; inputs are numbers, booleans, strings, null or objects", "formula.test-input")
        case .missingInput(let name):
            return fail("input `\(name)` is missing", "formula.test-input", hint: "every declared parameter needs a value")
        case .failed(let diagnostic):
            result.actual = "error \(diagnostic.code)"
        case .value(let value):
            result.actual = value == .undefined ? "undefined" : JSONValue(value).serialized()
        }
        if run.isPassing {
            result.passed = true
            return result
        }
        switch (testCase.expectation, run.outcome) {
        case (_, .failed(let diagnostic)):
            return fail("expected \(expectedText), but evaluation failed: \(diagnostic.message) [\(diagnostic.code)]", "formula.test-failed")
        case (.value(_, let tolerance), _):
            return fail("expected \(expectedText) (tolerance \(JSNumber.format(tolerance))), got \(result.actual)", "formula.test-failed")
        default:
            return fail("expected \(expectedText), got \(result.actual)", "formula.test-failed")
        }
    }

    /// A JSON input as a formula value; nil for arrays, which formulas do not take.
    static func value(_ json: JSONValue) -> Value? { try? json.formulaValue() }
}
