@testable import CascadeFormula
import Testing

/// A tree shape the compiler cannot handle is an internal error that stops the compilation, never
/// a default value; and no tree the checker accepts reaches one.
struct InternalErrorTests {
    /// Checks without compiling, failing the test on any checker error.
    static func checked(_ source: String, _ inputs: [String: InputType]) throws -> CheckedFormula {
        let checked = Formula.check(Formula.parse(source), inputs: inputs)
        try #require(!checked.hasErrors, "\(source): \(checked.diagnostics.filter(\.isError).map(\.message))")
        return checked
    }

    /// The internal errors a compilation reports (counted, not trapped).
    static func internalErrors(_ checked: CheckedFormula) -> [Diagnostic] {
        CompiledFormula(checked: checked, limits: Limits(), isTrapping: false).internalErrors
    }

    @Test("every checked tree of the program generator compiles without an internal error")
    func generatedProgramsHaveNoGaps() throws {
        var generator = ProgramGenerator(seed: 0x1_2026_1206)
        var programs = 0
        for index in 0..<3_000 {
            let program = generator.program(index: index)
            let checked = try Self.checked(program.source, program.inputTypes)
            let errors = Self.internalErrors(checked)
            #expect(errors.isEmpty, "\(program.source): \(errors.map(\.message))")
            programs += 1
        }
        #expect(programs == 3_000)
    }

    /// Hand-written shapes the generator makes rarely: every kind of value in every position.
    @Test(arguments: [
        ("return s === \"a\" ? \"none\" : s + \"!\";", ["s": InputType.string]),
        ("let t = s; t += \"x\"; if (t !== \"ax\") { return null; } return t;", ["s": .string]),
        ("let v = a; v += 1; return v === b;", ["a": .any, "b": .any]),
        ("let v = a; v *= 2; return v;", ["a": .any]),
        ("return r.meta.price * 2 + (r.name === \"x\" ? 1 : 0);",
         ["r": .record(["meta": .record(["price": .number]), "name": .string])]),
        ("return a.b.c;", ["a": .any]),
        ("return a + b;", ["a": .any, "b": .any]),
        ("let ok = a === null || b; if (ok && !(x < 1)) return 1; return Math.max(x, 2, -x);",
         ["a": .any, "b": .boolean, "x": .number]),
        ("return x > 0 ? Math.sqrt(x) : Math.PI;", ["x": .number]),
        ("return a ? \"y\" : \"n\";", ["a": .any]),
        ("return null;", [:]),
    ])
    func handWrittenShapesHaveNoGaps(source: String, inputs: [String: InputType]) throws {
        #expect(Self.internalErrors(try Self.checked(source, inputs)).isEmpty)
    }

    /// A gap in the side tables (here made on purpose) is reported, refused and located; it never
    /// evaluates to a plausible default such as `null` or `0`.
    @Test func aGapIsAnInternalErrorNotADefault() throws {
        var checked = try Self.checked("return x * 2;", ["x": .number])
        guard case .body(let statements) = checked.tree.form, case .returnValue(let value?) = statements[0].kind else {
            Issue.record("unexpected tree")
            return
        }
        checked.types[value.id] = .null  // a type the compiler has no code for on a `*` node
        let formula = CompiledFormula(checked: checked, limits: Limits(), isTrapping: false)
        #expect(formula.internalErrors.map(\.code) == ["runtime.internal"])
        #expect(formula.internalErrors.first?.range == value.range)
        #expect(throws: FormulaError.self) { try formula.evaluate(["x": .number(3)]) }
    }

    /// An operator typed as something it cannot give (a gap made on purpose) is an internal error,
    /// never another operator's result: `<` as a number is not `**`, `!` as a number is not its
    /// operand, `-` as a boolean is not `!`.
    @Test(arguments: [
        ("return x < 2;", StaticType.number, InputType.number),
        ("return !(x < 1);", .number, .number),
        ("return -x;", .boolean, .boolean),
    ])
    func anOperatorOfAnotherTypeIsAnInternalError(source: String, type: StaticType, inputType: InputType) throws {
        var checked = try Self.checked(source, ["x": .number])
        guard case .body(let statements) = checked.tree.form, case .returnValue(let value?) = statements[0].kind else {
            Issue.record("unexpected tree")
            return
        }
        checked.types[value.id] = type
        checked.inputs[0].type = inputType  // the register `x` gets
        let formula = CompiledFormula(checked: checked, limits: Limits(), isTrapping: false)
        #expect(formula.internalErrors.map(\.code) == ["runtime.internal"])
        let x: Value = inputType == .boolean ? .boolean(true) : .number(3)
        #expect(throws: FormulaError.self) { try formula.evaluate(["x": x]) }
    }

    @Test func aDeclarationWithoutItsLocalIsAnInternalError() throws {
        var checked = try Self.checked("const y = x + 1; return y;", ["x": .number])
        checked.declarations = [:]
        #expect(Self.internalErrors(checked).map(\.message)
                == ["internal error: the compiler cannot handle a declaration without a local"])
    }
}
