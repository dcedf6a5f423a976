import CascadeFormula
import CascadeJSON
import CascadeStore

/// The loaded formula compiled against its parameters, or why there is none.
enum LoadedCompilation {
    case ready(LoadedFormula, Compilation)
    case unavailable(ReplStep)
}

/// `:load`, `:test`, `:check` and `:run`: working with a registered formula version.
extension ReplSession {
    mutating func load(_ argument: String) -> ReplStep {
        guard !argument.isEmpty else {
            return .failure([error("`:load` needs a formula name", hint: "usage: :load NAME or :load NAME@VERSION")])
        }
        var name = argument
        var version: Int?
        if let at = argument.lastIndex(of: "@") {
            name = String(argument[..<at])
            guard let number = Int(argument[argument.index(after: at)...]), number >= 1, !name.isEmpty else {
                return .failure([error("`\(argument)` is not NAME or NAME@VERSION", hint: "versions are 1, 2, 3…, e.g. gdp_sector_impact@1")])
            }
            version = number
        }
        guard let library else {
            return .failure([error("there is no formula registry to load `\(argument)` from",
                                   hint: "evaluate its text directly, with its parameters bound by `:bind` or `let`")])
        }
        let formula: LoadedFormula
        do {
            formula = try library.load(name, version: version)
        } catch let failure as FormulaLibraryError {
            return .failure([error(failure.message, hint: failure.hint)])
        } catch let failure as CLIError {
            return .failure([error(failure.message, hint: failure.hint)])
        } catch {
            return .failure([self.error(String(describing: error))])
        }
        setLoaded(formula)
        var text = formula.reference + (formula.description.map { ": \($0)" } ?? "") + "\n"
        text += formula.text.split(separator: "\n", omittingEmptySubsequences: false).map { "  \($0)\n" }.joined()
        text += "parameters: " + (formula.parameters.isEmpty ? "none"
            : formula.parameters.map { "\($0.name): \($0.typeName)" }.joined(separator: ", ")) + "\n"
        let count = formula.testCases.count
        text += (count == 0 ? "no test cases" : count == 1 ? "1 test case (`:test` runs it)" : "\(count) test cases (`:test` runs them)")
            + "; `:check` checks the text; `:run` evaluates it with the bindings\n"
        return ReplStep(output: [.result(text)])
    }

    /// The loaded formula compiled against its declared parameters, or the step that reports why not.
    private func compileLoaded() -> LoadedCompilation {
        guard let loaded else {
            return .unavailable(.failure([error("no formula is loaded", hint: "`:load NAME[@V]` loads one from the registry")]))
        }
        let (inputs, unknown) = loaded.inputs()
        if !unknown.isEmpty {
            return .unavailable(.failure(unknown.map {
                error("parameter `\($0.name)` of \(loaded.reference) has no known type (\(JSNumber.quoted($0.typeName)))",
                      hint: #"use one of "number", "boolean", "string", "null", "any""#)
            }))
        }
        return .ready(loaded, Formula.compile(loaded.text, inputs: inputs, limits: options.limits))
    }

    func check() -> ReplStep {
        let loaded: LoadedFormula, compilation: Compilation
        switch compileLoaded() {
        case .unavailable(let step): return step
        case .ready(let formula, let result): (loaded, compilation) = (formula, result)
        }
        var step = ReplStep(output: compilation.diagnostics.map { .message(rendered($0, in: loaded.text, name: loaded.reference)) })
        let errors = compilation.errors.count, warnings = compilation.warnings.count
        let counts = "\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
        guard let formula = compilation.formula else {
            step.output.append(.result("\(loaded.reference): \(counts)\n"))
            step.failed = true
            return step
        }
        let read = Set(formula.inputs.map { String($0.path.prefix { $0 != "." }) })
        for parameter in loaded.parameters where !read.contains(parameter.name) {
            step.output.append(.message("note: parameter `\(parameter.name)` is declared but never read\n"))
        }
        step.output.append(.result("\(loaded.reference): \(counts); returns \(formula.checked.resultTypeDescription); cost bound \(formula.costBound)\n"))
        return step
    }

    func test() -> ReplStep {
        let loaded: LoadedFormula, compilation: Compilation
        switch compileLoaded() {
        case .unavailable(let step): return step
        case .ready(let formula, let result): (loaded, compilation) = (formula, result)
        }
        guard let formula = compilation.formula else {
            let count = loaded.testCases.count
            return .failure(compilation.errors.map { .message(rendered($0, in: loaded.text, name: loaded.reference)) }
                + [.result("\(loaded.reference) does not compile: none of its \(count) test case\(count == 1 ? "" : "s") ran\n")])
        }
        guard !loaded.testCases.isEmpty else { return ReplStep(output: [.result("\(loaded.reference) has no test cases\n")]) }
        var lines = ""
        var passed = 0
        for (index, testCase) in loaded.testCases.enumerated() {
            let (ok, detail) = run(testCase, formula, parameters: loaded.inputs().types)
            if ok { passed += 1 }
            lines += "\(ok ? "pass" : "FAIL")  case \(index)\(testCase.name.map { " (\($0))" } ?? ""): \(detail)\n"
        }
        lines += "\(loaded.reference): \(passed) of \(loaded.testCases.count) test cases passed\n"
        return ReplStep(output: [.result(lines)], failed: passed < loaded.testCases.count)
    }

    /// Runs one test case (`FormulaTestCase.run`, the runner registration uses): whether it
    /// passed, and what it gave against what was expected.
    private func run(_ testCase: FormulaTestCase, _ formula: CompiledFormula, parameters: [String: InputType]) -> (Bool, String) {
        let run = testCase.run(formula, parameters: parameters)
        let ok = run.isPassing
        switch (testCase.expectation, run.outcome) {
        case (_, .undeclaredInput(let name)): return (false, "input `\(name)` is not a declared parameter")
        case (_, .unbindableInput(let name, let error)): return (false, "input `\(name)`: \(error.message)")
        case (_, .missingInput(let name)): return (false, "input `\(name)` is missing")
        case (.error(let want), .failed(let got)):
            return (ok, ok ? "error \(got.code), as expected" : "error \(got.code), expected error \(want)")
        case (.error(let want), .value(let value)):
            return (false, "\(ReplSession.display(value)), expected error \(want)")
        case (_, .failed(let error)):
            return (false, "error \(error.code) (\(error.message)), expected \(testCase.expectedText)")
        case (.undefined, .value(let value)):
            return (ok, ok ? "undefined" : "\(ReplSession.display(value)), expected undefined")
        case (.value(let expected, let tolerance), .value(let value)):
            let got = ReplSession.display(value)
            if case .number(let x) = value, case .number(let y) = expected {
                if x == y { return (true, got) }
                return (ok, "\(got), expected \(JSNumber.format(y)) (difference \(JSNumber.format(x - y)), tolerance \(JSNumber.format(tolerance)))")
            }
            return (ok, ok ? got : "\(got), expected \(expected.serialized())")
        }
    }

    /// `:run`: the loaded formula, its parameters taken from the bindings.
    func run() -> ReplStep {
        let loaded: LoadedFormula, compilation: Compilation
        switch compileLoaded() {
        case .unavailable(let step): return step
        case .ready(let formula, let result): (loaded, compilation) = (formula, result)
        }
        let render = { (d: Diagnostic) in ReplOutput.message(self.rendered(d, in: loaded.text, name: loaded.reference)) }
        guard let formula = compilation.formula else { return .failure(compilation.errors.map(render)) }
        let missing = loaded.parameters.map(\.name).filter { bindings[$0] == nil }
        if !missing.isEmpty {
            return .failure([error("\(loaded.reference) needs " + missing.map { "`\($0)`" }.joined(separator: ", "),
                                   hint: "bind each with `:bind NAME VALUE` or `let NAME = …`")])
        }
        var step = ReplStep(output: compilation.warnings.map(render))
        do {
            let value = try formula.evaluate(bindings.mapValues(\.value))
            step.output.append(.result(ReplSession.display(value) + "\n"))
        } catch {
            let diagnostic = error.diagnostic
            // A bound value of the wrong type is no place in the text: no source line, a hint instead.
            step.output.append(diagnostic.code == "type.binding"
                ? self.error(diagnostic.message, code: diagnostic.code,
                             hint: "`:bind NAME VALUE` binds another value; `:load` shows the declared types")
                : render(diagnostic))
            step.failed = true
        }
        return step
    }
}
