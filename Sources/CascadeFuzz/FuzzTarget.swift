// The body of one fuzz iteration: the whole formula pipeline on arbitrary bytes.
//
//   bytes → String (lossy UTF-8) → Formula.compile against a fixed schema (default limits, and again
//   under tight limits) → every diagnostic rendered (plain and colour) → when it compiles, evaluated
//   with several fixed binding sets through both the frame (slot) API and the by-name API.
//
// Besides "does not crash, hang or blow up memory" it checks the pipeline's own promises and traps
// (a finding for libFuzzer) when one is broken:
//   - `formula` is nil exactly when some diagnostic is an error;
//   - every diagnostic's byte range lies inside the source;
//   - a result is never a non-finite number (JS NaN/±Infinity must be an error instead);
//   - the frame API and the by-name API agree, and evaluating twice gives the same result;
//   - the batched API gives every lane what the frame API gives it (`FuzzTarget+Batched.swift`).
import CascadeFormula

enum FuzzTarget {
    /// The fixed input schema every input is compiled against.
    static let schema: [String: InputType] = [
        "x": .number, "y": .number, "z": .number,
        "flag": .boolean,
        "region": .string,
        "src": .record([
            "value": .number, "label": .string, "ok": .boolean,
            "meta": .record(["price": .number]),
        ]),
        "extra": .any,
    ]

    /// Limits far below the defaults, so that every limit is reachable by small inputs.
    static let tight: Limits = {
        var l = Limits()
        l.maxSourceBytes = 256
        l.maxNodes = 40
        l.maxDepth = 6
        l.maxLocals = 3
        l.maxStringBytes = 8
        l.maxCallArguments = 3
        l.maxDiagnostics = 3
        l.maxCost = 30
        l.maxSteps = 40
        return l
    }()

    static func record(_ value: Double, _ label: String, _ ok: Bool, _ price: Double) -> Value {
        .record([
            "value": .number(value), "label": .string(label), "ok": .boolean(ok),
            "meta": .record(["price": .number(price)]),
        ])
    }

    /// Binding sets matching the schema: ordinary values, the seed thresholds, extremes.
    static let bindings: [[String: Value]] = [
        ["x": .number(1.5), "y": .number(-2), "z": .number(0), "flag": .boolean(true),
         "region": .string("EU"), "src": record(3, "a", true, 100), "extra": .number(7)],
        ["x": .number(80), "y": .number(120), "z": .number(-0.0), "flag": .boolean(false),
         "region": .string(""), "src": record(-0.0, "", false, -1), "extra": .string("US")],
        ["x": .number(1e308), "y": .number(-1e308), "z": .number(.leastNonzeroMagnitude), "flag": .boolean(true),
         "region": .string("US\u{0}é😀"), "src": record(1e-7, "\n\"'", true, 0), "extra": .null],
        ["x": .number(-0.5), "y": .number(2.5), "z": .number(1_000_000), "flag": .boolean(false),
         "region": .string(String(repeating: "ab", count: 300)), "src": record(42, "EU", false, 3.25),
         "extra": record(1, "x", true, 2)],
    ]

    /// By-name bindings that do not match the schema: these must be errors, not crashes.
    static let badBindings: [[String: Value]] = [
        [:],
        ["x": .string("1"), "y": .boolean(true), "z": .null, "flag": .number(1), "region": .number(2),
         "src": .number(3), "extra": .undefined],
        ["x": .number(.nan), "y": .number(.infinity), "z": .number(-.infinity), "flag": .boolean(true),
         "region": .string(String(repeating: "é", count: 2000)), "src": .record([:]),
         "extra": .record(["value": .string("v")])],
    ]

    static func run(_ bytes: UnsafeBufferPointer<UInt8>) {
        let source = String(decoding: bytes, as: UTF8.self)
        pipeline(source, limits: .default, evaluate: true)
        pipeline(source, limits: tight, evaluate: true)
    }

    static func pipeline(_ source: String, limits: Limits, evaluate: Bool) {
        let compiled = Formula.compile(source, inputs: schema, limits: limits)
        let count = source.utf8.count
        var anyError = false
        for (i, d) in compiled.diagnostics.enumerated() {
            if d.isError { anyError = true }
            guard d.range.start >= 0, d.range.start <= d.range.end, d.range.end <= count else {
                fatalError("diagnostic range \(d.range) outside source of \(count) bytes: \(d)")
            }
            let text = d.rendered(source: source, name: "fuzz@1", color: i % 2 == 0)
            guard !text.isEmpty else { fatalError("empty rendering of \(d)") }
        }
        guard let formula = compiled.formula else {
            if !anyError { fatalError("no formula but no error among \(compiled.diagnostics)") }
            return
        }
        if anyError { fatalError("formula compiled despite errors: \(compiled.diagnostics)") }
        guard evaluate else { return }

        var byFrames: [Result<Value, FormulaError>] = []
        for binding in bindings {
            let byFrame = viaFrame(formula, binding)
            byFrames.append(byFrame)
            let again = viaFrame(formula, binding)
            let byName = viaNames(formula, binding)
            checkResult(byFrame, source)
            if !same(byFrame, again) { fatalError("nondeterministic: \(byFrame) then \(again)") }
            if !same(byFrame, byName) { fatalError("frame API gave \(byFrame), by-name API \(byName)") }
            if case .failure(let error) = byFrame {
                _ = error.diagnostic.rendered(source: source, name: "fuzz@1", color: false)
            }
        }
        checkBatched(formula, bindings, byFrames)
        for binding in badBindings {
            // Not checked for finiteness: a NaN/±Infinity binding passed straight through is a
            // question for the binding validator, reported separately rather than trapped here.
            let result = viaNames(formula, binding)
            if case .failure(let error) = result {
                _ = error.diagnostic.rendered(source: source, name: "fuzz@1", color: true)
            }
        }
    }

    /// Sets each input slot from the binding (walking record paths such as `src.meta.price`), as the
    /// by-name API does but through `slot(_:)` and the typed setters.
    static func viaFrame(_ formula: CompiledFormula, _ binding: [String: Value]) -> Result<Value, FormulaError> {
        let frame = formula.makeFrame()
        do throws(FormulaError) {
            for input in formula.inputs {
                guard let value = lookup(input.path, in: binding) else {
                    throw FormulaError(Diagnostic(.name, "unbound", "no value is bound to `\(input.path)`",
                                                  at: SourceRange(0, 0)))
                }
                guard let slot = formula.slot(input.path) else { fatalError("no slot for input \(input.path)") }
                switch (input.type, value) {
                case (.number, .number(let x)) where x.isFinite: frame.setNumber(x, at: slot)
                case (.boolean, .boolean(let b)): frame.setBoolean(b, at: slot)
                default: try frame.setValue(value, at: slot)
                }
            }
            return .success(try formula.evaluate(frame))
        } catch {
            return .failure(error)
        }
    }

    /// Equal values, or failures with the same diagnostic code and range.
    static func same(_ a: Result<Value, FormulaError>, _ b: Result<Value, FormulaError>) -> Bool {
        switch (a, b) {
        case (.success(let x), .success(let y)): x == y
        case (.failure(let x), .failure(let y)):
            x.diagnostic.code == y.diagnostic.code && x.diagnostic.range == y.diagnostic.range
        default: false
        }
    }

    static func viaNames(_ formula: CompiledFormula, _ binding: [String: Value]) -> Result<Value, FormulaError> {
        do { return .success(try formula.evaluate(binding)) } catch { return .failure(error) }
    }

    static func lookup(_ path: String, in binding: [String: Value]) -> Value? {
        var parts = path.split(separator: ".", omittingEmptySubsequences: false)[...]
        guard let first = parts.popFirst(), var value = binding[String(first)] else { return nil }
        for part in parts {
            guard case .record(let fields) = value, let next = fields[String(part)] else { return nil }
            value = next
        }
        return value
    }

    static func checkResult(_ result: Result<Value, FormulaError>, _ source: String) {
        if case .success(.number(let x)) = result, !x.isFinite {
            fatalError("non-finite result \(x) (JS NaN/Infinity must be an error)")
        }
    }
}
