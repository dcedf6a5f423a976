import Testing
@testable import CascadeFormula

/// Batched evaluation (`CompiledFormula.evaluate(columns:count:into:status:using:)`) gives, lane by
/// lane, exactly what the scalar path gives — the same doubles bit for bit (−0, NaN from unchecked
/// inputs), the same status, the same first error — whether the program runs block-wise or lane by
/// lane; and the scalar path's bulk `setNumbers` is `setNumber` slot by slot.
struct BatchEvaluationTests {
    /// The six-formula workload's numeric formulas, the 20 edge formulas of the shared propagation
    /// graph, and shapes of our own (fused sums that read their destination, `%`, `**`, select
    /// chains, a boolean input, a falling-off body), each with whether it runs block-wise.
    static let formulas: [(source: String, isBlockable: Bool)] = [
        // ../shared/bench/formulas.json (F5 binds a string)
        ("if (hbm_supply < 80) return -0.25; else if (hbm_supply > 120) return 0.15;", false),
        ("return (gdpGrowth - baseline) * elasticity * 100;", true),
        ("""
         const gap = Math.max(0, demand - supply);
         const stress = Math.log(1 + Math.abs(shock)) * sensitivity;
         let adj = gap * stress / Math.max(capacity, 1);
         if (adj > cap) adj = cap;
         else if (adj < -cap) adj = -cap;
         return Math.round(adj * 100) / 100 + Math.sqrt(Math.pow(spread, 2) + 1) * 0.01;
         """, false),
        ("volume * (utilization < 0.5 ? 0.1 : utilization < 0.7 ? 0.2 : utilization < 0.85 ? 0.35 : utilization < 0.95 ? 0.5 : 0.8)", true),
        ("return -2.25 * x1 + 2.26 * x2 + 2.02 * x3 + 1.78 * x4 - 1.54 * x5 + x6 - 7;", true),
        // ../shared/bench/propagation/graph_formulas.py
        ("impact * 0.8", true),
        ("return impact * elasticity;", true),
        ("impact * pass_through", true),
        ("return impact * sensitivity * 0.5;", true),
        ("-impact * 0.3", true),
        ("impact * 1.2", true),
        ("return (impact * elasticity + impact * pass_through) / 2;", true),
        ("impact / 4", true),
        ("const k = elasticity * pass_through; return impact * k;", true),
        ("impact * 0.05 * 10", true),
        ("return impact;", true),
        ("impact * (1 - sensitivity)", true),
        ("if (impact < -0.8) return -0.25; else if (impact > 1.2) return 0.15;", false),
        ("impact > 0 ? impact * 0.5 : impact * 1.1", false),
        ("Math.max(-1, Math.min(1, impact * 1.5))", true),
        ("Math.sign(impact) * Math.sqrt(Math.abs(impact))", true),
        ("return impact * impact * sensitivity;", true),
        ("Math.abs(impact) < 0.01 ? 0 : impact * elasticity", false),
        ("const s = impact * elasticity; if (s > 2) return 2 + Math.log(s - 1); return s;", false),
        ("return Math.exp(-Math.abs(impact)) * impact;", true),
        // Our own shapes.
        ("let t = x * 2; t = t * 3 + x - t; return t;", true),
        ("x % y + x ** y - Math.log10(y) * Math.log2(x) + Math.floor(x) - Math.ceil(y) + Math.trunc(x / 3)", true),
        ("(x <= y ? x : y) - (x === y ? -0 : y) + -x", true),
        ("const z = x - y;", true),
        ("flag ? x : y", false),
        ("flag && x > y", false),
        ("x > y ? \"up\" : \"down\"", false),
    ]

    /// Doubles every lane sees some of: specials, values that overflow, divisors of zero.
    static let specials: [Double] = [0, -0.0, 1, -1, 0.5, 3, -2.75, 1e308, -1e308, 5e-324, .nan, .infinity, -.infinity,
                                     80, 120, 1.2, -0.8, 0.01, 2, 1e-10]

    /// Compiles with every name the source reads as a number (`flag` as a boolean).
    static func compile(_ source: String) throws -> CompiledFormula {
        var inputs: [String: InputType] = [:]
        for name in ["hbm_supply", "gdpGrowth", "baseline", "elasticity", "demand", "supply", "shock", "sensitivity",
                     "capacity", "cap", "spread", "utilization", "volume", "impact", "pass_through", "x", "y"]
            + (1...6).map({ "x\($0)" }) {
            inputs[name] = .number
        }
        inputs["flag"] = .boolean
        let compilation = Formula.compile(source, inputs: inputs)
        return try #require(compilation.formula, "\(compilation.errors.map(\.message))")
    }

    /// Lane `lane` through the scalar path: `setNumber`/`setBoolean` and `evaluate`.
    static func scalar(_ formula: CompiledFormula, _ frame: Frame, _ columns: [[Double]], lane: Int)
        -> Result<Value, FormulaError> {
        for input in formula.inputs {
            let x = columns[input.index][lane]
            if input.type == .boolean { frame.setBoolean(x != 0, at: input.index) } else { frame.setNumber(x, at: input.index) }
        }
        return Result { () throws(FormulaError) -> Value in try formula.evaluate(frame) }
    }

    /// Runs the batch and checks every lane against the scalar path; returns how many lanes failed.
    @discardableResult
    static func expectSameAsScalar(_ formula: CompiledFormula, _ columns: [[Double]], count: Int,
                                   batch: BatchFrame? = nil) throws -> Int {
        let batch = batch ?? formula.makeBatchFrame()
        let output = UnsafeMutableBufferPointer<Double>.allocate(capacity: count)
        output.initialize(repeating: 42)
        let status = UnsafeMutableBufferPointer<LaneStatus>.allocate(capacity: count)
        status.initialize(repeating: .noValue)
        let buffers = columns.map { column -> UnsafeMutableBufferPointer<Double> in
            let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: column.count)
            _ = buffer.initialize(from: column)
            return buffer
        }
        defer {
            for b in buffers { b.deallocate() }
            output.deallocate()
            status.deallocate()
        }
        let failure = try formula.evaluate(columns: buffers.map { UnsafeBufferPointer($0) }, count: count,
                                           into: output, status: status, using: batch)
        let frame = formula.makeFrame()
        var firstError: LaneFailure?
        var failed = 0
        for lane in 0..<count {
            let expected = scalar(formula, frame, columns, lane: lane)
            let where_ = "`\(formula.source)` lane \(lane): \(columns.map { $0[lane] })"
            switch expected {
            case .success(.number(let x)):
                #expect(status[lane] == .number && output[lane].bitPattern == x.bitPattern,
                        "\(where_): scalar \(x), batched \(status[lane]) \(output[lane])")
            case .success(.boolean(let b)):
                #expect(status[lane] == .boolean && output[lane] == (b ? 1 : 0), "\(where_): scalar \(b), batched \(status[lane])")
            case .success(.undefined):
                #expect(status[lane] == .noValue && output[lane].isNaN, "\(where_): batched \(status[lane])")
            case .success(let other):
                #expect(status[lane] == .notNumeric && output[lane].isNaN, "\(where_): scalar \(other), batched \(status[lane])")
            case .failure(let error):
                failed += 1
                if firstError == nil { firstError = LaneFailure(lane: lane, error: error) }
                #expect(status[lane] == .error && output[lane].isNaN, "\(where_): scalar \(error), batched \(status[lane])")
            }
        }
        #expect(failure?.lane == firstError?.lane && failure?.error == firstError?.error,
                "`\(formula.source)`: first failure \(String(describing: failure)), scalar \(String(describing: firstError))")
        return failed
    }

    /// Every pair of specials (and more) as lanes: 400 lanes, more than three blocks.
    static func specialColumns(_ slots: Int) -> [[Double]] {
        let n = specials.count
        return (0..<slots).map { slot in
            (0..<(n * n)).map { lane in specials[(slot % 2 == 0 ? lane / n : lane % n + slot) % n] }
        }
    }

    @Test(arguments: formulas.indices)
    func batchedEqualsScalarLaneByLane(_ index: Int) throws {
        let (source, isBlockable) = Self.formulas[index]
        let formula = try Self.compile(source)
        let batch = formula.makeBatchFrame()
        #expect(batch.isBlockable == isBlockable, "`\(source)`:\n\(formula.listing)")
        let columns = Self.specialColumns(formula.inputs.count)
        let count = columns.first?.count ?? 0
        try Self.expectSameAsScalar(formula, columns, count: count, batch: batch)
        // The same frame again over a prefix that ends inside a block, then an empty batch.
        try Self.expectSameAsScalar(formula, columns, count: 131, batch: batch)
        try Self.expectSameAsScalar(formula, columns, count: 0, batch: batch)
    }

    @Test func oneFailingLaneFailsAloneAndIsReportedFirst() throws {
        let formula = try Self.compile("return impact * elasticity / (pass_through - 1);")
        #expect(formula.makeBatchFrame().isBlockable)
        let count = 300
        var impact = (0..<count).map { Double($0) * 0.25 }
        var elasticity = [Double](repeating: 2, count: count)
        var passThrough = [Double](repeating: 3, count: count)
        passThrough[200] = 1  // division by zero in lane 200 only
        elasticity[250] = 1e308
        impact[250] = 1e10  // a product that overflows in lane 250
        let columns = formula.inputs.map { input -> [Double] in
            switch input.path { case "impact": impact; case "elasticity": elasticity; default: passThrough }
        }
        let failed = try Self.expectSameAsScalar(formula, columns, count: count)
        #expect(failed == 2)
    }

    @Test func aStringInputHasNoColumnForm() throws {
        let formula = try #require(Formula.compile("region === \"EU\" ? x : 0", inputs: ["region": .string, "x": .number]).formula)
        let column = UnsafeBufferPointer<Double>(start: nil, count: 0)
        let output = UnsafeMutableBufferPointer<Double>(start: nil, count: 0)
        let status = UnsafeMutableBufferPointer<LaneStatus>(start: nil, count: 0)
        do throws(FormulaError) {
            _ = try formula.evaluate(columns: [column, column], count: 0, into: output, status: status, using: formula.makeBatchFrame())
            Issue.record("a string input was accepted")
        } catch {
            #expect(error.diagnostic.code == "type.binding", "\(error)")
            #expect(error.diagnostic.message.contains("`region`"), "\(error)")
        }
    }

    @Test func aProgramOverTheStepLimitRunsLaneByLane() throws {
        var limits = Limits()
        limits.maxSteps = 2
        let formula = try #require(Formula.compile("x * y + x", inputs: ["x": .number, "y": .number], limits: limits).formula)
        #expect(!formula.makeBatchFrame().isBlockable)
        let failed = try Self.expectSameAsScalar(formula, [[1, 2, 3], [4, 5, 6]], count: 3)
        #expect(failed == 3)
    }

    /// Generated programs (the differential test's generator) whose inputs are all numbers or
    /// booleans, bound as the generator binds them and with specials mixed in.
    @Test func batchedEqualsScalarOnGeneratedPrograms() throws {
        var generator = ProgramGenerator(seed: 0xBA7C_4ED)
        var blockable = 0, programs = 0
        for index in 0..<6000 {
            let program = generator.program(index: index)
            guard program.inputs.allSatisfy({ $0.inputType == .number || $0.inputType == .boolean }),
                  let formula = Formula.compile(program.source, inputs: program.inputTypes).formula else { continue }
            programs += 1
            let count = 140
            let columns = formula.inputs.map { input -> [Double] in
                (0..<count).map { lane in
                    if lane % 7 == 3 && input.type == .number { return Self.specials[(lane / 7 + input.index) % Self.specials.count] }
                    switch program.bindings[lane % program.bindings.count][input.path] {
                    case .number(let x)?: return x
                    case .boolean(let b)?: return b ? 1 : 0
                    default: return 0
                    }
                }
            }
            let batch = formula.makeBatchFrame()
            if batch.isBlockable { blockable += 1 }
            try Self.expectSameAsScalar(formula, columns, count: count, batch: batch)
        }
        // The comparison means something only if both paths were exercised.
        #expect(programs >= 300 && blockable >= 60, "\(programs) programs, \(blockable) block-wise")
    }

    @Test func setNumbersIsSetNumberSlotBySlot() throws {
        let formula = try #require(Formula.compile("flag ? a - b * c : c", inputs: ["a": .number, "b": .number, "flag": .boolean, "c": .number]).formula)
        let bulk = formula.makeFrame(), single = formula.makeFrame()
        bulk.setBoolean(true, at: try #require(formula.slot("flag")))
        single.setBoolean(true, at: try #require(formula.slot("flag")))
        // A row in slot order; the boolean slot's double is ignored.
        var row = [Double](repeating: 99, count: formula.inputs.count)
        for (path, x) in [("a", 1.5), ("b", -2.0), ("c", 0.25)] { row[try #require(formula.slot(path))] = x }
        row.withUnsafeBufferPointer { bulk.setNumbers($0.baseAddress!, count: row.count) }
        for (slot, x) in row.enumerated() where formula.inputs[slot].type == .number { single.setNumber(x, at: slot) }
        let a = try formula.evaluate(bulk), b = try formula.evaluate(single)
        #expect(a == .number(1.5 - -2.0 * 0.25) && a == b)
        // A number set into the boolean slot is ignored, in bulk or not.
        single.setNumber(0, at: try #require(formula.slot("flag")))
        #expect(try formula.evaluate(single) == a)
    }
}
