@testable import CascadeFormula
import Testing

/// `CompiledFormula.derivatives`: forward-mode derivatives from the tangent pass over the same
/// register program, checked against central finite differences, and the points where the
/// derivative does not exist flagged per input.
struct DerivativeTests {
    static func compile(_ source: String, _ bindings: [String: Value]) throws -> CompiledFormula {
        let compilation = Formula.compile(source, inputs: bindings.mapValues(\.inputType))
        return try #require(compilation.formula, "\(compilation.errors.map(\.message))")
    }

    /// (f(x + h) − f(x − h)) / 2h for one numeric input, with h relative to |x| (at least `h`).
    static func centralDifference(_ formula: CompiledFormula, _ bindings: [String: Value], _ name: String,
                                  h relative: Double = 1e-6) throws -> Double {
        guard case .number(let x) = bindings[name] else { return .nan }
        let h = relative * max(1, abs(x))
        var up = bindings, down = bindings
        up[name] = .number(x + h)
        down[name] = .number(x - h)
        guard case .number(let fUp) = try formula.evaluate(up), case .number(let fDown) = try formula.evaluate(down) else { return .nan }
        return (fUp - fDown) / (2 * h)
    }

    /// Relative difference with an absolute floor of 1 (derivatives near 0 are compared absolutely).
    static func close(_ a: Double, _ b: Double, tolerance: Double = 1e-5) -> Bool {
        abs(a - b) <= tolerance * max(1, abs(a), abs(b))
    }

    /// Every operator and `Math` function, each at a point where it is differentiable.
    @Test(arguments: [
        ("x + y", ["x": 1.5, "y": -2.25]),
        ("x - y", ["x": 1.5, "y": -2.25]),
        ("x * y", ["x": 1.5, "y": -2.25]),
        ("x / y", ["x": 1.5, "y": -2.25]),
        ("x % y", ["x": 7.3, "y": 2.1]),
        ("x % y", ["x": -7.3, "y": 2.1]),
        ("x ** y", ["x": 1.7, "y": 2.3]),
        ("x ** 2", ["x": -1.7]),
        ("x ** 3", ["x": -1.7]),
        ("Math.pow(x, y)", ["x": 0.4, "y": -1.5]),
        ("-x * 3 + y * 2 - 4 * x", ["x": 0.3, "y": 0.7]),
        ("Math.max(x, y, 0.1)", ["x": 0.3, "y": 0.7]),
        ("Math.min(x, y)", ["x": 0.3, "y": 0.7]),
        ("Math.abs(x) * y", ["x": -0.3, "y": 0.7]),
        ("Math.sqrt(x)", ["x": 2.5]),
        ("Math.exp(x)", ["x": 0.8]),
        ("Math.log(x)", ["x": 0.8]),
        ("Math.log10(x)", ["x": 12.5]),
        ("Math.log2(x)", ["x": 12.5]),
        ("Math.floor(x) + x", ["x": 2.5]),
        ("Math.ceil(x) * x", ["x": 2.5]),
        ("Math.round(x) * x", ["x": 2.3]),
        ("Math.trunc(x) * x", ["x": -2.3]),
        ("Math.sign(x) * x", ["x": -2.3]),
        ("x < 80 ? x * 2 : y", ["x": 70, "y": 3]),
        ("x < 80 ? x * 2 : y * x", ["x": 90, "y": 3]),
        ("if (x >= y) { return x * y; } return y / x;", ["x": 2, "y": 3]),
        ("let a = x * x; a += y; a *= 2; return a - x;", ["x": 1.25, "y": 3]),
        ("const r = x / y; if (r > 0.5 && y > 0) { return Math.log(r); } return r;", ["x": 2, "y": 3]),
        ("(source.value / source.baseline - 1) * coeff", ["source.value": 1.1, "source.baseline": 1.0, "coeff": 0.4]),
    ])
    func derivativeMatchesCentralDifference(source: String, point: [String: Double]) throws {
        let bindings = Self.bindings(point)
        let formula = try Self.compile(source, bindings)
        let result = try formula.derivatives(bindings)
        #expect(result.value == (try formula.evaluate(bindings)), "\(source): the value is the evaluation's")
        #expect(result.undefined.isEmpty, "\(source): \(result.undefined)")
        for input in formula.inputs {
            let exact = try #require(result.partials[input.path])
            let h = 1e-6 * max(1, abs(point[input.path]!))
            var up = point, down = point
            up[input.path]! += h
            down[input.path]! -= h
            guard case .number(let fUp) = try formula.evaluate(Self.bindings(up)),
                  case .number(let fDown) = try formula.evaluate(Self.bindings(down)) else {
                Issue.record("\(source): no number at ±h")
                continue
            }
            let difference = (fUp - fDown) / (2 * h)
            #expect(Self.close(exact, difference), "\(source) ∂/∂\(input.path): \(exact) vs \(difference)")
        }
    }

    /// Points where the derivative does not exist, with the inputs flagged.
    @Test(arguments: [
        ("if (hbm_supply < 80) { return 1.5 * hbm_supply; } return 0.5;", ["hbm_supply": 80], ["hbm_supply"]),
        ("hbm_supply <= 80 ? hbm_supply : 80", ["hbm_supply": 80], ["hbm_supply"]),
        ("x === y ? 1 : x", ["x": 2, "y": 2], ["x", "y"]),
        ("Math.abs(x) + y", ["x": 0, "y": 1], ["x"]),
        ("Math.max(x, y)", ["x": 2, "y": 2], ["x", "y"]),
        ("Math.min(x, 3)", ["x": 3], ["x"]),
        ("Math.floor(x)", ["x": 2], ["x"]),
        ("Math.ceil(x)", ["x": -1], ["x"]),
        ("Math.round(x)", ["x": 2.5], ["x"]),
        ("Math.trunc(x)", ["x": 4], ["x"]),
        ("Math.sign(x)", ["x": 0], ["x"]),
        ("x % y", ["x": 6, "y": 3], ["x", "y"]),
        ("Math.sqrt(x)", ["x": 0], ["x"]),
        ("x ** y", ["x": -2, "y": 2], ["y"]),
        // A comparison on its threshold flags only the inputs that move it: y is not compared.
        ("x < 80 ? x * y : y", ["x": 80, "y": 3], ["x"]),
        // Two sides that move together never cross: `x < x + 0` stays false.
        ("x < x * 1 ? 1 : x", ["x": 5], []),
    ])
    func nonDifferentiablePointsAreFlagged(source: String, point: [String: Double], undefined: [String]) throws {
        let bindings = Self.bindings(point)
        let formula = try Self.compile(source, bindings)
        let result = try formula.derivatives(bindings)
        #expect(result.undefined == Set(undefined), "\(source)")
        #expect(result.value == (try formula.evaluate(bindings)))
    }

    /// A frame that differentiates only some inputs (the engine's: the rest are constants to it)
    /// is narrower, and gives those inputs' derivatives and flags bit for bit; the others read 0.
    @Test(arguments: [
        ("(x * c + y * d) / 2", ["x": 1.5, "y": -2.25, "c": 0.7, "d": 3.0], ["x"]),
        ("const k = c * d; return Math.max(-1, x * k) + y;", ["x": 1.5, "y": -2.25, "c": 0.7, "d": 3.0], ["x", "y"]),
        ("x < c ? x * d : y", ["x": 0.7, "y": 2, "c": 0.7, "d": 3], ["x"]),  // on the threshold
    ])
    func aFrameCanDifferentiateOnlySomeInputs(source: String, point: [String: Double], chosen: [String]) throws {
        let bindings = Self.bindings(point)
        let formula = try Self.compile(source, bindings)
        let frame = formula.makeFrame()
        try formula.bind(bindings, into: frame)
        let slots = Set(formula.inputs.filter { chosen.contains($0.path) }.map(\.index))
        let all = formula.makeDerivativeFrame(for: frame), some = formula.makeDerivativeFrame(for: frame, slots: slots)
        #expect(some.width == chosen.count && all.width == point.count)
        let value = try formula.differentiate(frame, into: all)
        #expect(try formula.differentiate(frame, into: some) == value)
        for input in formula.inputs {
            if slots.contains(input.index) {
                #expect(some.derivative(atSlot: input.index).bitPattern == all.derivative(atSlot: input.index).bitPattern, "\(input.path)")
                #expect(some.isUndefined(atSlot: input.index) == all.isUndefined(atSlot: input.index), "\(input.path)")
            } else {
                #expect(some.derivative(atSlot: input.index) == 0 && !some.isUndefined(atSlot: input.index), "\(input.path)")
            }
        }
        #expect(all.isUndefined(atSlot: try #require(formula.inputs.first { $0.path == "x" }).index) == (source.contains("<")))
    }

    /// Near each threshold, one bump away on either side, the flags are gone and the derivative
    /// is the taken branch's.
    @Test func beyondTheThresholdTheTakenBranchIsDifferentiated() throws {
        let source = "if (hbm_supply < 80) { return 1.5 * hbm_supply; } return 0.5 * hbm_supply;"
        let formula = try Self.compile(source, ["hbm_supply": .number(0)])
        let below = try formula.derivatives(["hbm_supply": .number(79.99)])
        let above = try formula.derivatives(["hbm_supply": .number(80.01)])
        #expect(below.partials["hbm_supply"] == 1.5 && below.undefined.isEmpty)
        #expect(above.partials["hbm_supply"] == 0.5 && above.undefined.isEmpty)
    }

    /// A number read from a non-number input (`meta.price` of an `any` record) is a constant; a
    /// number boxed into a value of unknown type keeps its derivative through moves, dynamic `+`
    /// and the return; value equality of two equal numbers is a threshold.
    @Test func valuesOfUnknownTypeCarryTheirNumbersDerivatives() throws {
        let constant = try #require(Formula.compile("m.price * x", inputs: ["m": .any, "x": .number]).formula)
        let byConstant = try constant.derivatives(["m": .record(["price": .number(2)]), "x": .number(3)])
        #expect(byConstant.partials == ["x": 2] && byConstant.undefined.isEmpty, "\(byConstant)\n\(constant.listing)")

        let boxed = try #require(Formula.compile("let v = m; if (x > 0) { v = x; } return v * 2;", inputs: ["x": .number, "m": .any]).formula)
        let throughLocal = try boxed.derivatives(["x": .number(3), "m": .number(4)])
        #expect(throughLocal.value == .number(6))
        #expect(throughLocal.partials == ["x": 2] && throughLocal.undefined.isEmpty, "\(throughLocal)\n\(boxed.listing)")

        let added = try #require(Formula.compile("let v = m; v = v + x * x; return v;", inputs: ["x": .number, "m": .any]).formula)
        let dynamicSum = try added.derivatives(["x": .number(3), "m": .number(4)])
        #expect(dynamicSum.value == .number(13))
        #expect(dynamicSum.partials == ["x": 6] && dynamicSum.undefined.isEmpty, "\(dynamicSum)\n\(added.listing)")

        let equality = try #require(Formula.compile("let v = m; return v === x ? 1 : 2;", inputs: ["x": .number, "m": .any]).formula)
        #expect(try equality.derivatives(["x": .number(4), "m": .number(4)]).undefined == ["x"])
        #expect(try equality.derivatives(["x": .number(3), "m": .number(4)]).undefined.isEmpty)
    }

    /// The derivative pass gives the same error as the evaluation.
    @Test func errorsAreTheEvaluations() throws {
        let formula = try Self.compile("x / (y - 1)", ["x": .number(1), "y": .number(1)])
        let evaluated = Result { () throws(FormulaError) -> Value in try formula.evaluate(["x": .number(1), "y": .number(1)]) }
        let differentiated = Result { () throws(FormulaError) -> Value in try formula.derivatives(["x": .number(1), "y": .number(1)]).value }
        #expect(DifferentialTests.same(evaluated, differentiated))
        #expect(throws: FormulaError.self) { try differentiated.get() }
    }

    /// On generated programs the derivative pass gives the evaluation's outcome, and its
    /// derivatives match central differences wherever nothing is flagged, the point is of
    /// ordinary size (every intermediate value, where a bump of 1e-7 is not lost to rounding)
    /// and no branch or jump lies within the bump (differences at two step sizes agree).
    @Test func generatedProgramsAgreeWithTheEvaluation() throws {
        var generator = ProgramGenerator(seed: 0x5E_2026_1206)
        var compared = 0
        for index in 0..<1_500 {
            let program = generator.program(index: index)
            let compilation = Formula.compile(program.source, inputs: program.inputTypes)
            let formula = try #require(compilation.formula, "\(program.source)")
            for bindings in program.bindings {
                let fast: Result<Value, FormulaError> = Result { () throws(FormulaError) -> Value in try formula.evaluate(bindings) }
                let derived = Result { () throws(FormulaError) -> Derivatives in try formula.derivatives(bindings) }
                #expect(DifferentialTests.same(fast, derived.map(\.value)), "\(program.source) with \(bindings)")
                guard case .success(let d) = derived, case .number = d.value else { continue }
                // Only where every intermediate value is of ordinary size (|v| in [1e-4, 1e4], or 0): elsewhere
                // a bump is lost to rounding (x + 1e300 − 1e300 is flat in floating point, not in calculus).
                let isOrdinary = formula.explain(bindings).trace.allSatisfy { entry in
                    guard case .number(let v) = entry.value else { return true }
                    return v == 0 || (abs(v) >= 1e-4 && abs(v) <= 1e4)
                }
                guard isOrdinary else { continue }
                for (path, exact) in d.partials where !d.undefined.contains(path) && path.split(separator: ".").count == 1 {
                    guard let difference = try? Self.centralDifference(formula, bindings, path, h: 1e-7), difference.isFinite,
                          let wide = try? Self.centralDifference(formula, bindings, path, h: 1e-5), Self.close(difference, wide, tolerance: 1e-4)
                    else { continue }  // a branch or jump within the bump: not comparable
                    compared += 1
                    #expect(Self.close(exact, difference, tolerance: 1e-4), "\(program.source) ∂/∂\(path) at \(bindings): \(exact) vs \(difference)")
                }
            }
        }
        #expect(compared > 200)
    }

    static func bindings(_ point: [String: Double]) -> [String: Value] {
        var bindings: [String: Value] = [:]
        for (path, x) in point {
            let parts = path.split(separator: ".").map(String.init)
            if parts.count == 2 {
                var fields: [String: Value] = if case .record(let f)? = bindings[parts[0]] { f } else { [:] }
                fields[parts[1]] = .number(x)
                bindings[parts[0]] = .record(fields)
            } else {
                bindings[path] = .number(x)
            }
        }
        return bindings
    }
}
