@testable import CascadeFormula
import Testing

/// `CompiledFormula.explain`: every subexpression's value in source order, the branch each
/// condition chose, and why a formula gave no value — from a traced build of the same program.
struct ExplanationTests {
    static func explain(_ source: String, _ bindings: [String: Value]) throws -> Explanation {
        let compilation = Formula.compile(source, inputs: bindings.mapValues(\.inputType))
        let formula = try #require(compilation.formula, "\(compilation.errors.map(\.message))")
        return formula.explain(bindings)
    }

    /// Each line: the subexpression's text, its value, and `?` for a condition.
    static func lines(_ explanation: Explanation) -> [String] {
        explanation.trace.map { "\($0.text) = \($0.value)\($0.isCondition ? " ?" : "")" }
    }

    @Test(arguments: [
        ("if (hbm_supply < 80) { return 1.5; } return 0.5;", ["hbm_supply": Value.number(100)],
         ["hbm_supply < 80 = false ?", "hbm_supply = 100"]),
        ("(g - b) * e * 100", ["g": .number(3), "b": .number(1), "e": .number(2)],
         ["(g - b) * e * 100 = 400", "(g - b) * e = 4", "g - b = 2", "g = 3", "b = 1", "e = 2"]),
        ("a > 1 && b ? Math.max(a, 2) : -a", ["a": .number(3), "b": .boolean(false)],
         ["a > 1 && b ? Math.max(a, 2) : -a = -3", "a > 1 && b = false ?", "a > 1 = true", "a = 3", "b = false", "-a = -3",
          "a = 3"]),
        ("let s = name + \"!\"; s += \"?\"; return s === \"x!?\";", ["name": .string("x")],
         ["name + \"!\" = \"x!\"", "name = \"x\"", "s += \"?\" = \"x!?\"", "s === \"x!?\" = true"]),
        ("return v;", ["v": .null], ["v = null"]),
    ])
    func traceInSourceOrder(source: String, bindings: [String: Value], expected: [String]) throws {
        let explanation = try Self.explain(source, bindings)
        #expect(Self.lines(explanation) == expected)
    }

    /// Values of unknown type are traced as the program computes them: each dynamic member read,
    /// each operand of a dynamic `+`, not only the number they end in.
    @Test(arguments: [
        ("return a.b.c * 2;", ["a": Value.record(["b": .record(["c": .number(3)])])],
         ["a.b.c * 2 = 6", "a.b.c = 3", "a.b = {c}", "a = {b}"]),
        ("return a + b;", ["a": .number(1), "b": .number(2)], ["a + b = 3", "a = 1", "b = 2"]),
        ("return a === null ? \"none\" : a;", ["a": .string("x")],
         ["a === null ? \"none\" : a = \"x\"", "a === null = false ?", "a = \"x\""]),
    ])
    func valuesOfUnknownTypeAreTraced(source: String, bindings: [String: Value], expected: [String]) throws {
        let compilation = Formula.compile(source, inputs: bindings.mapValues { _ in .any })
        let formula = try #require(compilation.formula, "\(compilation.errors.map(\.message))")
        #expect(Self.lines(formula.explain(bindings)) == expected)
    }

    @Test func noValueSaysWhichConditionsFailed() throws {
        let explanation = try Self.explain("if (x < 0) { return -1; } if (x > 10) { return 1; }", ["x": .number(5)])
        #expect(explanation.failedConditions.map(\.text) == ["x < 0", "x > 10"])
        #expect(explanation.rendered().hasSuffix(
            "no value: the formula fell off the end; these conditions were false: `x < 0`, `x > 10`\n"))
        #expect(explanation.rendered().contains("x < 0   → false  (condition: branch not taken)"))
    }

    @Test func aFailingFormulaTracesUpToTheError() throws {
        let explanation = try Self.explain("const d = x - 1; return 10 / d;", ["x": .number(1)])
        #expect(throws: FormulaError.self) { try explanation.result.get() }
        #expect(Self.lines(explanation) == ["x - 1 = 0", "x = 1", "d = 0"])
    }

    @Test func theTraceCarriesByteOffsets() throws {
        let explanation = try Self.explain("s === \"é\" ? x : 0", ["s": .string("é"), "x": .number(2)])
        #expect(explanation.trace.map(\.range) == [SourceRange(0, 18), SourceRange(0, 10), SourceRange(13, 14)])
        #expect(explanation.trace.map(\.text) == ["s === \"é\" ? x : 0", "s === \"é\"", "x"])
    }

    /// The traced program is the same program: on every generated program and binding set it gives
    /// the same outcome as the fast one, and it compiles without an internal error.
    @Test func tracedAndFastProgramsAgree() throws {
        var generator = ProgramGenerator(seed: 0x7_2026_1206)
        for index in 0..<2_000 {
            let program = generator.program(index: index)
            let compilation = Formula.compile(program.source, inputs: program.inputTypes)
            let formula = try #require(compilation.formula, "\(program.source)")
            let compiler = Compiler(formula.checked, limits: Limits(), isTrapping: false)
            _ = Emitter.program(compiler, isTraced: true)
            #expect(compiler.internalErrors.diagnostics.isEmpty, "\(program.source)")
            for bindings in program.bindings {
                let fast: Result<Value, FormulaError> = Result { () throws(FormulaError) -> Value in try formula.evaluate(bindings) }
                let explained = formula.explain(bindings).result
                #expect(DifferentialTests.same(fast, explained), "\(program.source) with \(bindings)")
            }
        }
    }
}
