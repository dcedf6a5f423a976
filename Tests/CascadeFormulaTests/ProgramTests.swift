import CascadeFormula
import Testing

/// The register program's own mechanisms: the step meter (checked at the end, reporting what a
/// check at every block would), branch-free `?:`, `===` against a string literal, fused sums,
/// and binding by slot.
struct ProgramTests {
    static func compile(_ source: String, _ inputs: [String: InputType], maxSteps: Int = Limits().maxSteps) throws -> CompiledFormula {
        var limits = Limits()
        limits.maxSteps = maxSteps
        let compilation = Formula.compile(source, inputs: inputs, limits: limits)
        return try #require(compilation.formula, "\(compilation.errors.map(\.message))")
    }

    static func outcome(_ formula: CompiledFormula, _ bindings: [String: Value]) -> String {
        do { return "\(try formula.evaluate(bindings))" } catch { return error.diagnostic.code }
    }

    @Test func theStepMeterTripsOnTheExpensivePathOnly() throws {
        // The top block meters its four statements on entry (4 + 6 + 6 + 4 steps: each statement's
        // nodes and itself), even when the `if` returns early; its branch meters 2 more.
        let source = "if (x > 0) return 1; const a = x * 2 + 1; const b = a * 3 - 2; return b / x;"
        let top = 20
        for maxSteps in 0...30 {
            let formula = try ProgramTests.compile(source, ["x": .number], maxSteps: maxSteps)
            #expect(ProgramTests.outcome(formula, ["x": .number(1)]) == (maxSteps < top + 2 ? "limit.steps" : "1"))
            #expect(ProgramTests.outcome(formula, ["x": .number(-1)]) == (maxSteps < top ? "limit.steps" : "5"))
            #expect(ProgramTests.outcome(formula, ["x": .number(0)])
                    == (maxSteps < top ? "limit.steps" : "runtime.division-by-zero"))
        }
    }

    @Test func theStepLimitWinsOverAnErrorAfterItAndLosesToOneBefore() throws {
        // The division fails in the top block; the nested block's meter would trip only later.
        let before = try ProgramTests.compile("const a = 1 / x; { const b = a + 1; return b; }", ["x": .number], maxSteps: 6)
        #expect(ProgramTests.outcome(before, ["x": .number(0)]) == "runtime.division-by-zero")
        #expect(ProgramTests.outcome(before, ["x": .number(2)]) == "limit.steps")
        // A tripped meter at the top block comes before any evaluation in it.
        let after = try ProgramTests.compile("const a = 1 / x; return a;", ["x": .number], maxSteps: 2)
        #expect(ProgramTests.outcome(after, ["x": .number(0)]) == "limit.steps")
        let expression = try ProgramTests.compile("1 / x", ["x": .number], maxSteps: 1)
        #expect(ProgramTests.outcome(expression, ["x": .number(0)]) == "limit.steps")
    }

    @Test func branchFreeConditionalsChooseAsBranchesDo() throws {
        let formula = try ProgramTests.compile(
            "y * (x < 1 ? 10 : x >= 2 ? (x === 3 ? 30 : y) : x !== 1.5 ? -0 : 15)", ["x": .number, "y": .number])
        let cases: [(Double, Double, String)] = [
            (0, 1, "10"), (2, 1, "1"), (3, 2, "60"), (1.5, 1, "15"), (1.25, 1, "0"), (1.25, -1, "0"), (2, 7, "49"),
        ]
        for (x, y, expected) in cases {
            #expect(ProgramTests.outcome(formula, ["x": .number(x), "y": .number(y)]) == expected, "x = \(x), y = \(y)")
        }
        // -0 survives the choice (-0 - 0 is -0).
        let zero = try ProgramTests.compile("(x < 1 ? -0 : 1) - 0", ["x": .number])
        guard case .number(let z) = try zero.evaluate(["x": .number(0)]) else { Issue.record("not a number"); return }
        #expect(z.sign == .minus)
        // A NaN set through the unchecked setNumber compares false, as in JavaScript.
        let nan = try ProgramTests.compile("x < 1 ? 1 : x !== 1 ? 2 : 3", ["x": .number])
        let frame = nan.makeFrame()
        frame.setNumber(.nan, at: try #require(nan.slot("x")))
        #expect(try nan.evaluate(frame) == .number(2))
    }

    @Test func stringLiteralEqualityComparesCodeUnits() throws {
        let formula = try ProgramTests.compile("(region === \"EU\" || \"é\" === region) && region !== \"US\"", ["region": .string])
        #expect(try formula.evaluate(["region": .string("EU")]) == .boolean(true))
        #expect(try formula.evaluate(["region": .string("é")]) == .boolean(true))
        #expect(try formula.evaluate(["region": .string("e\u{301}")]) == .boolean(false))  // canonically equal, not ===
        #expect(try formula.evaluate(["region": .string("EUR")]) == .boolean(false))
        #expect(try formula.evaluate(["region": .string("")]) == .boolean(false))
        let long = String(repeating: "x", count: 40)
        let longFormula = try ProgramTests.compile("s === \"\(long)\"", ["s": .string])
        #expect(try longFormula.evaluate(["s": .string(long)]) == .boolean(true))
        #expect(try longFormula.evaluate(["s": .string(long.dropLast() + "y")]) == .boolean(false))
        // A string slot never set holds null: an error, as the closures gave.
        let frame = formula.makeFrame()
        #expect(throws: FormulaError.self) { try formula.evaluate(frame) }
    }

    /// String formulas run in the register program itself (value registers, `concatenate`), with
    /// no closure, and give what the closures gave: code units kept, the length limit at the `+`.
    @Test(arguments: [
        ("return flag ? name + \"é\" : \"e\u{301}\";", ["name": Value.string("x"), "flag": .boolean(true)], "\"xé\""),
        ("return flag ? name + \"é\" : \"e\u{301}\";", ["name": .string("x"), "flag": .boolean(false)], "\"e\u{301}\""),
        ("let s = name; s += \"-\" + name; if (s === \"a-a\") { return s + \"!\"; } return s;", ["name": .string("a")], "\"a-a!\""),
        ("let s = name; s += \"-\" + name; if (s === \"a-a\") { return s + \"!\"; } return s;", ["name": .string("b")], "\"b-b\""),
        ("return (name + name) + (name + name);", ["name": .string(String(repeating: "y", count: 300))], "limit.string-length"),
    ])
    func stringFormulasRunInTheProgram(source: String, bindings: [String: Value], expected: String) throws {
        var limits = Limits()
        limits.maxStringBytes = 1000
        let compilation = Formula.compile(source, inputs: bindings.mapValues(\.inputType), limits: limits)
        let formula = try #require(compilation.formula, "\(compilation.errors.map(\.message))")
        #expect(!formula.listing.contains("statementCode"), "\(formula.listing)")
        #expect(formula.listing.contains("concatenate"))
        #expect(ProgramTests.outcome(formula, bindings) == expected)
        if expected == "limit.string-length" {
            #expect(throws: FormulaError.self) { try formula.evaluate(bindings) }
            do { _ = try formula.evaluate(bindings) } catch {
                #expect(error.diagnostic.message.hasPrefix("`(name + name) + (name + name)` makes a string of 1200 bytes"))
            }
        }
    }

    /// Values of every type run in the register program itself, with no closure: `null`, values
    /// of unknown type (`any`) in number, boolean and string positions, records and dynamic
    /// member reads, dynamic `+` and `===`/`==` of `any`, and locals of unknown type. Each gives
    /// the value or the located error the closures gave.
    @Test(arguments: [
        ("return a.b.c * 2;", ["a": InputType.any], ["a": Value.record(["b": .record(["c": .number(3)])])], "6"),
        ("return a.b.c * 2;", ["a": .any], ["a": .record(["b": .record(["d": .number(3)])])],
         "name.missing-field: `a.b.c`: the record has no field `c`"),
        ("return a.b.c * 2;", ["a": .any], ["a": .record(["b": .number(5)])],
         "type.runtime-mismatch: `a.b.c`: cannot read field `c` of a number"),
        ("return a + b;", ["a": .any, "b": .any], ["a": .number(1), "b": .number(2)], "3"),
        ("return a + b;", ["a": .any, "b": .any], ["a": .string("x"), "b": .string("y")], "\"xy\""),
        ("return a + b;", ["a": .any, "b": .any], ["a": .number(1), "b": .string("y")],
         "type.runtime-mismatch: `a + b` is a string (\"y\") where a number (like the left side) is needed"),
        ("return a + b;", ["a": .any, "b": .any], ["a": .boolean(true), "b": .number(1)],
         "type.runtime-mismatch: `a + b` is a boolean (true) where a number or a string is needed"),
        ("let v = a; v += 1; return v === b;", ["a": .any, "b": .any], ["a": .number(1), "b": .number(2)], "true"),
        ("let v = a; v *= 2; return v;", ["a": .any], ["a": .number(4)], "8"),
        ("let v = a; v *= 2; return v;", ["a": .any], ["a": .string("x")],
         "type.runtime-mismatch: `v *= 2;` is a string (\"x\") where a number is needed"),
        ("return a === null ? \"none\" : a;", ["a": .any], ["a": .null], "\"none\""),
        ("return a === null ? \"none\" : a;", ["a": .any], ["a": .number(5)],
         "type.runtime-mismatch: `a` is a number (5) where a string is needed"),
        ("return a;", ["a": .any], ["a": .record(["b": .number(1)])],
         "type.runtime-mismatch: `a` is a record ({b}) where a returnable scalar is needed"),
        ("return a == 1;", ["a": .any], ["a": .number(1)], "true"),
        ("return a == 1;", ["a": .any], ["a": .string("1")],
         "type.runtime-mismatch: `a == 1` is a number (1) where a string (the other side's type) is needed"),
        ("return a === 1;", ["a": .any], ["a": .string("1")], "false"),
        ("return a !== b;", ["a": .any, "b": .any], ["a": .record(["x": .number(1)]), "b": .number(1)],
         "type.runtime-mismatch: `a !== b` is a record ({x}) where a scalar is needed"),
        ("return a ? x : -x;", ["a": .any, "x": .number], ["a": .boolean(false), "x": .number(2)], "-2"),
        ("return a ? x : -x;", ["a": .any, "x": .number], ["a": .number(1), "x": .number(2)],
         "type.runtime-mismatch: `a` is a number (1) where a boolean is needed"),
        ("return s + a;", ["s": .string, "a": .any], ["s": .string("a"), "a": .string("b")], "\"ab\""),
        ("return s + a;", ["s": .string, "a": .any], ["s": .string("a"), "a": .number(1)],
         "type.runtime-mismatch: `a` is a number (1) where a string is needed"),
        ("return null;", [:], [:], "null"),
        ("return m.price === null;", ["m": .record(["price": .null])], ["m": .record(["price": .null])], "true"),
        ("return flag === a > 1;", ["flag": .boolean, "a": .any], ["flag": .boolean(true), "a": .number(2)], "true"),
        ("return flag === a > 1;", ["flag": .boolean, "a": .any], ["flag": .boolean(true), "a": .null],
         "runtime.null-operand: `a` is null where a number is needed"),
        ("let t = a; t = \"s\" + t; return t;", ["a": .any], ["a": .string("x")], "\"sx\""),
        ("let k = a; k = x > 1; return k;", ["a": .any, "x": .number], ["a": .null, "x": .number(2)], "true"),
        ("let n = a; if (n === null) { n = x; } return n;", ["a": .any, "x": .number], ["a": .null, "x": .number(3)], "3"),
        ("return c ? a : null;", ["c": .boolean, "a": .any], ["c": .boolean(true), "a": .number(5)], "5"),
        ("let n = null; return n === a.b;", ["a": .any], ["a": .record(["b": .null])], "true"),
        // A string local keeps holding strings (the closures let a value of unknown type in unchecked).
        ("let s = \"a\"; s = a; return s;", ["a": .any], ["a": .string("b")], "\"b\""),
        ("let s = \"a\"; s = a; return s;", ["a": .any], ["a": .number(1)],
         "type.runtime-mismatch: `a` is a number (1) where a string is needed"),
    ])
    func valuesOfEveryTypeRunInTheProgram(source: String, inputs: [String: InputType], bindings: [String: Value],
                                          expected: String) throws {
        let compilation = Formula.compile(source, inputs: inputs)
        let formula = try #require(compilation.formula, "\(compilation.errors.map(\.message))")
        for closureCall in ["numberCode", "booleanCode", "statementCode"] {
            #expect(!formula.listing.contains(closureCall), "\(formula.listing)")
        }
        let outcome: String
        do { outcome = "\(try formula.evaluate(bindings))" } catch {
            outcome = "\(error.diagnostic.code): \(error.diagnostic.message)"
        }
        #expect(outcome == expected)
    }

    @Test func fusedSumsReportTheFirstFailingOperation() throws {
        let formula = try ProgramTests.compile("1e308 * a + 1e308 * b - 2 * c + d", ["a": .number, "b": .number, "c": .number, "d": .number])
        #expect(try formula.evaluate(["a": .number(1), "b": .number(0.5), "c": .number(1), "d": .number(-0.0)])
                == .number(1.5e308 - 2))
        do {
            _ = try formula.evaluate(["a": .number(1), "b": .number(1), "c": .number(1), "d": .number(1)])
            Issue.record("expected an overflow")
        } catch {
            #expect(error.diagnostic.code == "runtime.non-finite")
            #expect(error.diagnostic.message.hasPrefix("`1e308 * a + 1e308 * b` evaluates to Infinity"))
        }
        do {
            _ = try formula.evaluate(["a": .number(1), "b": .number(1e10), "c": .number(1), "d": .number(1)])
            Issue.record("expected an overflow")
        } catch {
            #expect(error.diagnostic.message.hasPrefix("`1e308 * b` evaluates to Infinity"))
        }
    }

    @Test func slotsOfAnotherKindIgnoreNumbersAndBooleans() throws {
        let formula = try ProgramTests.compile("flag ? x : 2", ["flag": .boolean, "x": .number])
        let frame = formula.makeFrame()
        let flag = try #require(formula.slot("flag")), x = try #require(formula.slot("x"))
        frame.setBoolean(true, at: flag)
        frame.setNumber(5, at: x)
        frame.setNumber(0, at: flag)    // not a number slot: ignored
        frame.setBoolean(false, at: x)  // not a boolean slot: ignored
        #expect(try formula.evaluate(frame) == .number(5))
        try frame.setValue(.boolean(false), at: flag)
        #expect(try formula.evaluate(frame) == .number(2))
        #expect(throws: FormulaError.self) { try frame.setValue(.string("no"), at: x) }
    }
}
