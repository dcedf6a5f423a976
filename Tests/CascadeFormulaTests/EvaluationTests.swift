import CascadeFormula
import Testing

/// JavaScript's answers on chosen cases (the differential suite covers generated ones), the
/// "same value or error" rule, scoping, and run-time errors with their places and operands.
struct EvaluationTests {
    static func run(_ source: String, _ bindings: [String: Value] = [:]) throws(FormulaError) -> Value {
        let compilation = Formula.compile(source, inputs: bindings.mapValues(\.inputType))
        guard let formula = compilation.formula else {
            throw FormulaError(compilation.errors[0])
        }
        return try formula.evaluate(bindings)
    }

    static let values: [(String, [String: Value], Value)] = [
        ("if (hbm_supply < 80) return -0.25; else if (hbm_supply > 120) return 0.15;", ["hbm_supply": .number(72)], .number(-0.25)),
        ("if (hbm_supply < 80) return -0.25; else if (hbm_supply > 120) return 0.15;", ["hbm_supply": .number(130)], .number(0.15)),
        ("if (hbm_supply < 80) return -0.25; else if (hbm_supply > 120) return 0.15;", ["hbm_supply": .number(100)], .undefined),
        ("return (gdpGrowth - baseline) * elasticity * 100;",
         ["gdpGrowth": .number(0.03), "baseline": .number(0.02), "elasticity": .number(1.8)], .number(1.7999999999999998)),
        ("0.1 + 0.2", [:], .number(0.30000000000000004)),
        ("5 % -3", [:], .number(2)),
        ("-5 % 3", [:], .number(-2)),
        ("5.5 % 2", [:], .number(1.5)),
        ("2 ** 3 ** 2", [:], .number(512)),
        ("(-2) ** 3", [:], .number(-8)),
        ("2 ** -1", [:], .number(0.5)),
        ("10 ** 39", [:], .number(1.0000000000000001e39)),  // V8's pow, not the correctly rounded 1e39
        ("Math.round(2.5)", [:], .number(3)),
        ("Math.round(-2.5)", [:], .number(-2)),
        ("Math.round(-0.4)", [:], .number(-0.0)),
        ("Math.round(0.49999999999999994)", [:], .number(0)),
        ("Math.max(1, 3, 2)", [:], .number(3)),
        ("Math.min(4)", [:], .number(4)),
        ("Math.sign(-3)", [:], .number(-1)),
        ("Math.trunc(-4.7)", [:], .number(-4)),
        ("Math.floor(-4.5) + Math.ceil(4.1)", [:], .number(0)),
        ("Math.sqrt(2)", [:], .number(1.4142135623730951)),
        ("Math.log10(1000)", [:], .number(3)),
        ("Math.PI", [:], .number(3.141592653589793)),
        ("x > 1 ? \"high\" : \"low\"", ["x": .number(2)], .string("high")),
        ("\"a\" + \"b\" === \"ab\"", [:], .boolean(true)),
        ("\"é\" === \"e\\u0301\"", [:], .boolean(false)),  // code units, not canonical equivalence
        ("null === null", [:], .boolean(true)),
        ("flag || x / 0 > 1", ["flag": .boolean(true), "x": .number(1)], .boolean(true)),  // short-circuit
        ("!flag && x / 0 > 1", ["flag": .boolean(true), "x": .number(1)], .boolean(false)),
        ("x > 0 ? 1 : x / 0", ["x": .number(1)], .number(1)),  // lazy branches
        ("source.value - source.baseline", ["source": .record(["value": .number(3), "baseline": .number(1)])], .number(2)),
        ("meta.price * 2", ["meta": .record(["price": .number(21)])], .number(42)),
        ("let a = 1; { let a = 2; } return a;", [:], .number(1)),
        ("let s = \"x\"; s += \"y\"; return s;", [:], .string("xy")),
        ("let n = 10; n -= 4; n *= 3; n /= 2; n %= 5; n **= 2; return n;", [:], .number(16)),
        ("const t = x > 5; if (t) return \"big\"; return null;", ["x": .number(1)], .null),
        ("return;", [:], .undefined),
        ("if (x > 0) { if (x > 10) return 2; } else return 0;", ["x": .number(5)], .undefined),
        ("x === y", ["x": .number(-0.0), "y": .number(0)], .boolean(true)),
        ("1_000 * 1e-3", [:], .number(1)),
        ("x ** 2 + Math.pow(y, 2)", ["x": .number(-1.1), "y": .number(1e-200)], .number(1.2100000000000002)),
        // Fused linear chains keep JavaScript's left-to-right order of operations.
        ("0.1 * x + 0.2 * x + 0.3 * x - 0.6 * x", ["x": .number(0.7)], .number(-5.551115123125783e-17)),
        ("1.5 * x - 2 * y + z + 0.1 * x", ["x": .number(0.7), "y": .number(-3.3), "z": .number(11)], .number(18.72)),
        ("(x) * 3 - y + z - 0.25", ["x": .number(0.7), "y": .number(-3.3), "z": .number(11)], .number(16.15)),
    ]

    @Test(arguments: EvaluationTests.values)
    func javaScriptsAnswer(_ source: String, _ bindings: [String: Value], _ expected: Value) throws {
        let value = try EvaluationTests.run(source, bindings)
        switch (value, expected) {
        case (.number(let a), .number(let b)):
            #expect(a.bitPattern == b.bitPattern, "got \(a), expected \(b)")
        default:
            #expect(value == expected)
        }
    }

    static let runtimeErrors: [(String, [String: Value], String, String)] = [
        ("x / y", ["x": .number(5), "y": .number(0)], "runtime.division-by-zero", "x = 5, y = 0"),
        ("0 / x", ["x": .number(0)], "runtime.division-by-zero", "x = 0"),
        ("x % 0", ["x": .number(5)], "runtime.remainder-by-zero", "x = 5"),
        ("Math.log(x)", ["x": .number(0)], "runtime.non-finite", "x = 0"),
        ("Math.sqrt(x)", ["x": .number(-1)], "runtime.non-finite", "x = -1"),
        ("x * 10", ["x": .number(1e308)], "runtime.non-finite", "x = 1e+308"),
        ("1 + x * 1e300 - 1 + x * 1e300", ["x": .number(1e8)], "runtime.non-finite", "x * 1e300 = 1e+308"),
        ("x ** 0.5", ["x": .number(-8)], "runtime.non-finite", "x = -8"),
        ("Math.exp(x)", ["x": .number(1000)], "runtime.non-finite", "x = 1000"),
        ("1 ** x", ["x": .number(.infinity)], "type.binding", ""),  // inputs must be finite
        ("m.price + 1", ["m": .record(["price": .null])], "runtime.null-operand", ""),
    ]

    @Test(arguments: EvaluationTests.runtimeErrors)
    func errorsWhereJavaScriptGivesNaNOrInfinity(_ source: String, _ bindings: [String: Value], _ code: String,
                                                 _ operands: String) {
        var inputs = bindings.mapValues(\.inputType)
        if source.hasPrefix("m.") { inputs = ["m": .record(["price": .any])] }
        guard let formula = Formula.compile(source, inputs: inputs).formula else {
            Issue.record("did not compile")
            return
        }
        do {
            let value = try formula.evaluate(bindings)
            Issue.record("expected \(code), got \(value)")
        } catch {
            #expect(error.diagnostic.code == code)
            if !operands.isEmpty { #expect(error.diagnostic.message.contains(operands)) }
            if code != "runtime.null-operand" && code.hasPrefix("runtime.") {
                #expect(error.diagnostic.range.start == 0 && error.diagnostic.range.end == source.utf8.count)
            }
        }
    }

    @Test func runtimeErrorsPointAtTheFailingNode() throws {
        let source = "const a = x + 1;\nreturn a * 2 + y / (x - 3);"
        let formula = try #require(Formula.compile(source, inputs: ["x": .number, "y": .number]).formula)
        do {
            _ = try formula.evaluate(["x": .number(3), "y": .number(1)])
            Issue.record("expected a division by zero")
        } catch {
            let location = error.diagnostic.location(in: source)
            #expect(location.line == 2 && location.column == 16)
            #expect(error.diagnostic.message == "division by zero in `y / (x - 3)` (y = 1, (x - 3) = 0)")
        }
    }

    @Test func valuesOfUnknownTypeAreCheckedWhenUsed() throws {
        let formula = try #require(Formula.compile("meta.price * 2", inputs: ["meta": .any]).formula)
        #expect(try formula.evaluate(["meta": .record(["price": .number(2)])]) == .number(4))
        #expect(throws: FormulaError.self) { try formula.evaluate(["meta": .record(["price": .string("2")])]) }
        #expect(throws: FormulaError.self) { try formula.evaluate(["meta": .record(["cost": .number(2)])]) }
    }

    @Test func stringsAreBoundedAtRunTime() throws {
        var limits = Limits()
        limits.maxStringBytes = 8
        let compilation = Formula.compile("s + s", inputs: ["s": .string], limits: limits)
        let formula = try #require(compilation.formula)
        #expect(try formula.evaluate(["s": .string("abcd")]) == .string("abcdabcd"))
        #expect(throws: FormulaError.self) { try formula.evaluate(["s": .string("abcde")]) }
    }

    @Test func aFrameIsReusedWithNewInputs() throws {
        let formula = try #require(Formula.compile("x * 2 + y", inputs: ["x": .number, "y": .number]).formula)
        let frame = formula.makeFrame()
        let x = try #require(formula.slot("x")), y = try #require(formula.slot("y"))
        for i in 0..<10 {
            frame.setNumber(Double(i), at: x)
            frame.setNumber(1, at: y)
            #expect(try formula.evaluate(frame) == .number(Double(i * 2 + 1)))
        }
    }

    @Test func theCostBoundIsThePathMaximum() throws {
        // if: condition (3) + the dearer branch: return x * 2 + 1 (6); the other path returns 1 (2).
        let checked = Formula.check(Formula.parse("if (x > 1) return x * 2 + 1; return 1;"), inputs: ["x": .number])
        #expect(checked.costBound == 3 + 1 + 6)
        let expression = Formula.check(Formula.parse("a ? b + c : d"), inputs: ["a": .boolean, "b": .number, "c": .number, "d": .number])
        #expect(expression.costBound == 5)
    }

    @Test func theInputsReadAreTheDependencies() throws {
        let checked = Formula.check(Formula.parse("source.value * coeff.beta + (flag ? x : 0)"),
                                    inputs: ["source": .record(["value": .number, "baseline": .number]),
                                             "coeff": .record(["beta": .number]), "flag": .boolean, "x": .number, "unused": .number])
        #expect(checked.inputs.map(\.path).sorted() == ["coeff.beta", "flag", "source.value", "x"])
    }
}
