// cascade-bench — the formula speed benchmark (see Benchmarks/README.md).
//
//   cascade-bench [--workload FILE] [--json] [--seconds S] [--only NAME] [--batched]
//
// For each formula of the workload (default ../shared/bench/formulas.json): compile once against the
// types of its first binding set, resolve each parameter's slot, pre-extract the binding sets into
// flat per-type arrays, then time a loop that cycles through the binding sets, setting every slot
// and evaluating (binding passing is inside the timed region). Also times parse+check+compile.
// With --batched, times the batched API instead: the binding sets as one column per slot, one
// `evaluate(columns:count:into:status:using:)` call over all of them per iteration.
import CascadeFormula
import CascadeJSON

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let engineVersion = "cascade 0.1.0"

// MARK: - Arguments

struct Options {
    var workload = "../shared/bench/formulas.json"
    var json = false
    var seconds = 1.0
    var only: String?
    /// Profiling aid: run exactly this many evaluations per formula (no calibration, no output).
    var profile: Int?
    /// Time the batched API (columns in, column out) instead of the scalar loop.
    var batched = false
}

func usage() -> Never {
    print("""
        usage: cascade-bench [--workload FILE] [--json] [--seconds S] [--only NAME]
          --workload FILE  the workload (default ../shared/bench/formulas.json)
          --json           print one JSON object (engine, per-formula ns_per_eval, evals, check)
          --seconds S      timed run per formula (default 1)
          --only NAME      run one formula
          --profile N      only run N evaluations per formula, untimed (for callgrind/perf)
          --batched        time the batched API (one column per slot, all binding sets per call)
        """)
    exit(2)
}

func parseOptions() -> Options {
    var o = Options()
    var args = CommandLine.arguments.dropFirst()[...]
    while let a = args.popFirst() {
        switch a {
        case "--workload": guard let v = args.popFirst() else { usage() }; o.workload = v
        case "--json": o.json = true
        case "--seconds": guard let v = args.popFirst(), let s = Double(v), s > 0 else { usage() }; o.seconds = s
        case "--only": guard let v = args.popFirst() else { usage() }; o.only = v
        case "--profile": guard let v = args.popFirst(), let n = Int(v), n > 0 else { usage() }; o.profile = n
        case "--batched": o.batched = true
        case "-h", "--help": usage()
        default: fail("unknown argument \(a)")
        }
    }
    return o
}

func fail(_ message: String) -> Never {
    var err = "cascade-bench: \(message)\n"
    err.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    exit(1)
}

func readFile(_ path: String) -> [UInt8] {
    guard let file = fopen(path, "rb") else { fail("cannot open \(path)") }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        bytes.append(contentsOf: chunk[0..<n])
        if n < chunk.count { break }
    }
    return bytes
}

// MARK: - Workload

struct Workload {
    var name: String
    var source: String
    var parameters: [String]
    var bindings: [[String: Value]]  // in input order
}

func value(_ json: JSONValue) -> Value {
    switch json {
    case .null: .null
    case .bool(let b): .boolean(b)
    case .number(let x): .number(x)
    case .string(let s): .string(s)
    case .array: fail("arrays are not formula values")
    case .object(let o): .record(Dictionary(uniqueKeysWithValues: o.pairs.map { ($0.key, value($0.value)) }))
    }
}

func loadWorkload(_ path: String) -> [Workload] {
    let doc: JSONValue
    do { doc = try JSONValue.parse(bytes: readFile(path)) } catch { fail("\(path): \(error)") }
    guard let formulas = doc["formulas"]?.arrayValue else { fail("\(path): no `formulas` array") }
    return formulas.map { f in
        guard let name = f["name"]?.stringValue, let source = f["formula"]?.stringValue,
              let params = f["parameters"]?.arrayValue?.compactMap(\.stringValue),
              let inputs = f["inputs"]?.arrayValue, !inputs.isEmpty
        else { fail("\(path): malformed formula entry") }
        let bindings = inputs.map { input -> [String: Value] in
            guard let o = input.objectValue else { fail("\(name): an input is not an object") }
            return Dictionary(uniqueKeysWithValues: o.pairs.map { ($0.key, value($0.value)) })
        }
        return Workload(name: name, source: source, parameters: params, bindings: bindings)
    }
}

// MARK: - Timing

@inline(__always) func now() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// Keeps results observable so the optimiser cannot drop the work.
nonisolated(unsafe) var sink: Double = 0

// MARK: - A prepared formula

/// One formula compiled and its binding sets laid out per slot type, ready for the timed loop.
final class Prepared {
    let work: Workload
    let formula: CompiledFormula
    let frame: Frame
    let pool: Int
    let numSlots: [Int], boolSlots: [Int], valueSlots: [Int]
    let nums: [Double]   // pool × numSlots.count, row-major by binding set
    let bools: [Bool]
    let values: [Value]
    let numCount: Int, boolCount: Int, valueCount: Int
    let numPtr: UnsafeMutablePointer<Double>, boolPtr: UnsafeMutablePointer<Bool>
    let valuePtr: UnsafeMutablePointer<Value>
    let numSlotPtr: UnsafeMutablePointer<Int>, boolSlotPtr: UnsafeMutablePointer<Int>
    let valueSlotPtr: UnsafeMutablePointer<Int>
    /// Per binding set, a row of `slotCount` doubles in slot order (numbers at their slots, 0
    /// elsewhere), set with one `setNumbers`; and the same as one column per slot (booleans as
    /// 0/1) for the batched API, nil when a slot holds another kind of value.
    let slotCount: Int
    let rowPtr: UnsafeMutablePointer<Double>
    let columnPtr: UnsafeMutablePointer<Double>
    let isColumnar: Bool

    init(_ work: Workload, _ formula: CompiledFormula) {
        self.work = work
        self.formula = formula
        frame = formula.makeFrame()
        pool = work.bindings.count
        let first = work.bindings[0]
        var numNames: [String] = [], boolNames: [String] = [], valueNames: [String] = []
        var numSlots: [Int] = [], boolSlots: [Int] = [], valueSlots: [Int] = []
        for p in work.parameters {
            // A parameter the formula never reads has no slot; it costs nothing to pass.
            guard let slot = formula.slot(p) else { continue }
            switch first[p] {
            case .number: numNames.append(p); numSlots.append(slot)
            case .boolean: boolNames.append(p); boolSlots.append(slot)
            default: valueNames.append(p); valueSlots.append(slot)
            }
        }
        self.numSlots = numSlots
        self.boolSlots = boolSlots
        self.valueSlots = valueSlots
        var nums: [Double] = [], bools: [Bool] = [], values: [Value] = []
        nums.reserveCapacity(pool * numNames.count)
        for b in work.bindings {
            for p in numNames {
                guard case .number(let x) = b[p] else { fail("\(work.name): \(p) is not a number in every set") }
                nums.append(x)
            }
            for p in boolNames {
                guard case .boolean(let v) = b[p] else { fail("\(work.name): \(p) is not a boolean in every set") }
                bools.append(v)
            }
            for p in valueNames { values.append(b[p] ?? .null) }
        }
        self.nums = nums
        self.bools = bools
        self.values = values
        numCount = numSlots.count
        boolCount = boolSlots.count
        valueCount = valueSlots.count
        numPtr = Prepared.copy(nums)
        boolPtr = Prepared.copy(bools)
        valuePtr = Prepared.copy(values)
        slotCount = formula.inputs.count
        let rows = UnsafeMutablePointer<Double>.allocate(capacity: max(1, pool * slotCount))
        rows.initialize(repeating: 0, count: max(1, pool * slotCount))
        let columns = UnsafeMutablePointer<Double>.allocate(capacity: max(1, pool * slotCount))
        columns.initialize(repeating: 0, count: max(1, pool * slotCount))
        var isColumnar = true
        for (i, b) in work.bindings.enumerated() {
            for input in formula.inputs {
                switch b[input.path] {
                case .number(let x):
                    rows[i * slotCount + input.index] = x
                    columns[input.index * pool + i] = x
                case .boolean(let v): columns[input.index * pool + i] = v ? 1 : 0
                default: isColumnar = false
                }
            }
        }
        rowPtr = rows
        columnPtr = columns
        self.isColumnar = isColumnar
        numSlotPtr = Prepared.copy(numSlots)
        boolSlotPtr = Prepared.copy(boolSlots)
        valueSlotPtr = Prepared.copy(valueSlots)
    }

    deinit {
        numPtr.deinitialize(count: nums.count).deallocate()
        boolPtr.deinitialize(count: bools.count).deallocate()
        valuePtr.deinitialize(count: values.count).deallocate()
        numSlotPtr.deallocate()
        rowPtr.deallocate()
        columnPtr.deallocate()
        boolSlotPtr.deallocate()
        valueSlotPtr.deallocate()
    }

    static func copy<T>(_ array: [T]) -> UnsafeMutablePointer<T> {
        let p = UnsafeMutablePointer<T>.allocate(capacity: max(1, array.count))
        p.initialize(from: array, count: array.count)
        return p
    }

    /// Sets binding set `i` into the frame (raw pointers: no bounds checks or retains in the loop).
    @inline(__always) func bind(_ i: Int) {
        let nb = boolCount, nv = valueCount
        if numCount > 0 { frame.setNumbers(rowPtr + i &* slotCount, count: slotCount) }
        var k = 0
        while k < nb { frame.setBoolean(boolPtr[i &* nb &+ k], at: boolSlotPtr[k]); k &+= 1 }
        k = 0
        while k < nv { _ = try? frame.setValue(valuePtr[i &* nv &+ k], at: valueSlotPtr[k]); k &+= 1 }
    }

    /// Runs `iterations` evaluations cycling through the binding sets; returns elapsed nanoseconds.
    func run(_ iterations: Int) -> UInt64 {
        var acc = 0.0
        var i = 0
        let start = now()
        for _ in 0..<iterations {
            bind(i)
            do {
                switch try formula.evaluate(frame) {
                case .number(let x): acc += x
                case .boolean(let b): acc += b ? 1 : 0
                default: acc += 0.5
                }
            } catch {
                acc -= 1
            }
            i &+= 1
            if i == pool { i = 0 }
        }
        let elapsed = now() &- start
        sink += acc
        return elapsed
    }

    /// The batched API's inputs: one column per slot over the whole pool.
    var columns: [UnsafeBufferPointer<Double>] {
        (0..<slotCount).map { UnsafeBufferPointer(start: columnPtr + $0 * pool, count: pool) }
    }

    /// Runs `iterations` batched calls over the whole pool; returns elapsed nanoseconds (the
    /// caller divides by iterations × pool).
    func runBatched(_ iterations: Int, _ batch: BatchFrame, _ output: UnsafeMutableBufferPointer<Double>,
                    _ status: UnsafeMutableBufferPointer<LaneStatus>) -> UInt64 {
        let columns = self.columns
        var acc = 0.0
        let start = now()
        for _ in 0..<iterations {
            do {
                if try formula.evaluate(columns: columns, count: pool, into: output, status: status, using: batch) != nil { acc -= 1 }
            } catch {
                acc -= 1
            }
            acc += output[0]
        }
        let elapsed = now() &- start
        sink += acc
        return elapsed
    }

    /// The first `n` results of one batched call, as `check` shows them.
    func batchedCheck(_ n: Int, _ batch: BatchFrame) -> [JSONValue] {
        let output = UnsafeMutableBufferPointer<Double>.allocate(capacity: pool)
        let status = UnsafeMutableBufferPointer<LaneStatus>.allocate(capacity: pool)
        defer { output.deallocate(); status.deallocate() }
        let failure: LaneFailure?
        do throws(FormulaError) {
            failure = try formula.evaluate(columns: columns, count: pool, into: output, status: status, using: batch)
        } catch {
            fail("\(work.name): \(error.diagnostic.message)")
        }
        return (0..<min(n, pool)).map { i in
            switch status[i] {
            case .number: return .number(output[i])
            case .boolean: return .bool(output[i] != 0)
            case .noValue: return .null
            case .notNumeric: return .string("(not a number or boolean)")
            case .error:
                let code = failure?.lane == i ? failure!.error.diagnostic.code : "error"
                return .object(JSONObject([("error", .string(code))]))
            }
        }
    }

    /// Sets every value-typed binding once with error checking (the timed loop ignores errors).
    func validateBindings() {
        let nv = valueCount
        for i in 0..<pool {
            for k in 0..<nv {
                do throws(FormulaError) {
                    try frame.setValue(values[i * nv + k], at: valueSlots[k])
                } catch {
                    fail("\(work.name): binding set \(i): \(error.diagnostic.message)")
                }
            }
        }
    }

    /// Like `run` but only sets the slots, without evaluating: the binding share of `run`'s time.
    func bindOnly(_ iterations: Int) -> UInt64 {
        var i = 0
        let start = now()
        for _ in 0..<iterations {
            bind(i)
            i &+= 1
            if i == pool { i = 0 }
        }
        let elapsed = now() &- start
        sink += Double(i)
        return elapsed
    }

    /// The first `n` results in input order (`null` for no value; errors as `{"error": code}`).
    func check(_ n: Int) -> [JSONValue] {
        validateBindings()
        return (0..<min(n, pool)).map { i in
            bind(i)
            do throws(FormulaError) {
                let v = try formula.evaluate(frame)
                return v == .undefined ? .null : JSONValue(v)
            } catch {
                return .object(JSONObject([("error", .string(error.diagnostic.code)),
                                           ("message", .string(error.diagnostic.message))]))
            }
        }
    }
}

struct Timing {
    var nsPerEval: Double      // total time / total evaluations over the timed run
    var bestNsPerEval: Double  // the fastest of the timed rounds
    var evals: Int
}

/// Calibrates an iteration count, then times `rounds` rounds filling about `seconds` in all
/// (`evaluationsPerIteration`: a batched iteration is a whole pool of evaluations).
func measure(seconds: Double, rounds: Int = 5, evaluationsPerIteration: Int = 1, _ body: (Int) -> UInt64) -> Timing {
    var n = 16
    var t = body(n)
    while t < 20_000_000 {  // calibrate until one batch takes ≥ 20 ms
        n = t < 1_000_000 ? n * 16 : Int(Double(n) * 25_000_000 / Double(t)) + 1
        t = body(n)
    }
    let perRound = max(1, Int(Double(n) * (seconds / Double(rounds)) * 1e9 / Double(t)))
    var total: UInt64 = 0
    var best = Double.infinity
    for _ in 0..<rounds {
        let e = body(perRound)
        total += e
        best = min(best, Double(e) / Double(perRound * evaluationsPerIteration))
    }
    let evals = perRound * rounds * evaluationsPerIteration
    return Timing(nsPerEval: Double(total) / Double(evals), bestNsPerEval: best, evals: evals)
}

/// Mean and best microseconds of one parse+check+compile, over about `seconds`.
func compileMicros(_ source: String, _ inputs: [String: InputType], seconds: Double) -> (mean: Double, best: Double) {
    var count = 0
    var best = UInt64.max
    let deadline = now() + UInt64(seconds * 1e9)
    let start = now()
    repeat {
        let t0 = now()
        let c = Formula.compile(source, inputs: inputs, limits: .default)
        let t1 = now()
        if c.formula == nil { sink += 1 }
        best = min(best, t1 - t0)
        count += 1
    } while now() < deadline || count < 10
    return (Double(now() - start) / Double(count) / 1000, Double(best) / 1000)
}

func inputType(_ v: Value) -> InputType { v.inputType }

// MARK: - Main

let options = parseOptions()
var workloads = loadWorkload(options.workload)
if let only = options.only {
    workloads = workloads.filter { $0.name == only }
    if workloads.isEmpty { fail("no formula named \(only)") }
}

struct Row {
    var name: String
    var timing: Timing?
    var bind: Timing?
    var compile: (mean: Double, best: Double)
    var check: [JSONValue]
    var error: String?
}

var rows: [Row] = []
for w in workloads {
    let inputs = w.parameters.reduce(into: [String: InputType]()) { $0[$1] = w.bindings[0][$1].map(inputType) ?? .any }
    if let n = options.profile {  // fixed work for callgrind/perf: evaluations only
        guard let formula = Formula.compile(w.source, inputs: inputs, limits: .default).formula else { continue }
        if getenv("BENCH_LISTING") != nil { print(w.name); print(formula.listing) }
        let p = Prepared(w, formula)
        if options.batched {
            guard p.isColumnar else { continue }
            let output = UnsafeMutableBufferPointer<Double>.allocate(capacity: p.pool)
            let status = UnsafeMutableBufferPointer<LaneStatus>.allocate(capacity: p.pool)
            _ = p.runBatched(max(1, n / p.pool), formula.makeBatchFrame(), output, status)
        } else {
            _ = p.run(n)
        }
        continue
    }
    let compile = compileMicros(w.source, inputs, seconds: min(0.2, options.seconds / 5))
    let compiled = Formula.compile(w.source, inputs: inputs, limits: .default)
    guard let formula = compiled.formula else {
        let text = compiled.diagnostics.map { $0.rendered(source: w.source, name: w.name, color: false) }
            .joined(separator: "\n")
        rows.append(Row(name: w.name, timing: nil, bind: nil, compile: compile, check: [], error: text))
        continue
    }
    let p = Prepared(w, formula)
    if options.batched {
        guard p.isColumnar else {
            rows.append(Row(name: w.name, timing: nil, bind: nil, compile: compile, check: [],
                            error: "not batched: an input is neither a number nor a boolean"))
            continue
        }
        let batch = formula.makeBatchFrame()
        let output = UnsafeMutableBufferPointer<Double>.allocate(capacity: p.pool)
        let status = UnsafeMutableBufferPointer<LaneStatus>.allocate(capacity: p.pool)
        let check = p.batchedCheck(64, batch)
        let timing = measure(seconds: options.seconds, evaluationsPerIteration: p.pool) { p.runBatched($0, batch, output, status) }
        output.deallocate()
        status.deallocate()
        rows.append(Row(name: w.name, timing: timing, bind: nil, compile: compile, check: check, error: nil))
        continue
    }
    let check = p.check(64)
    let timing = measure(seconds: options.seconds) { p.run($0) }
    let bind = measure(seconds: options.seconds / 5) { p.bindOnly($0) }
    rows.append(Row(name: w.name, timing: timing, bind: bind, compile: compile, check: check, error: nil))
}

if options.profile != nil { exit(0) }

// A ~100-character formula with a local, a Math call, a comparison and a ternary.
let hundred = "const gap = Math.max(0, demand - supply); return gap > cap ? cap : (growth - base) * gap * 1.5;"
let hundredInputs: [String: InputType] = ["demand": .number, "supply": .number, "cap": .number,
                                          "growth": .number, "base": .number]
let hundredCompile = compileMicros(hundred, hundredInputs, seconds: min(0.5, options.seconds / 2))

let timed = rows.compactMap(\.timing)
let geomean = timed.isEmpty ? Double.nan : exp(timed.map { log($0.nsPerEval) }.reduce(0, +) / Double(timed.count))

func rounded(_ x: Double, _ places: Double = 100) -> JSONValue { .number((x * places).rounded() / places) }

if options.json {
    var formulas: [(String, JSONValue)] = []
    for r in rows {
        var fields: [(String, JSONValue)] = []
        if let t = r.timing {
            fields.append(("ns_per_eval", rounded(t.nsPerEval)))
            fields.append(("evals", .number(Double(t.evals))))
            fields.append(("check", .array(r.check)))
            fields.append(("ns_per_eval_best_round", rounded(t.bestNsPerEval)))
            if let b = r.bind { fields.append(("bind_ns", rounded(b.nsPerEval))) }
        } else {
            fields.append(("error", .string(r.error ?? "did not compile")))
        }
        fields.append(("compile_us", rounded(r.compile.mean, 1000)))
        formulas.append((r.name, .object(JSONObject(fields))))
    }
    let doc = JSONValue.object(JSONObject([
        ("engine", .string(engineVersion)),
        ("formulas", .object(JSONObject(formulas))),
        ("geomean_ns_per_eval", geomean.isFinite ? rounded(geomean) : .null),
        ("compile_us_100_chars", rounded(hundredCompile.mean, 1000)),
    ]))
    print(doc.serialized())
} else {
    func pad(_ s: String, _ n: Int, left: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, n - s.count))
        return left ? fill + s : s + fill
    }
    func fmt(_ x: Double, _ digits: Int = 1) -> String {
        guard x.isFinite else { return "-" }
        var p = 1.0
        for _ in 0..<digits { p *= 10 }
        let r = (x * p).rounded() / p
        var s = JSNumber.format(r)
        if digits > 0 {
            if !s.contains(".") { s += "." }
            let frac = s.split(separator: ".", omittingEmptySubsequences: false).last!.count
            s += String(repeating: "0", count: max(0, digits - frac))
        }
        return s
    }
    print("\(engineVersion) — \(options.workload), ~\(fmt(options.seconds, 1)) s per formula, one thread")
    print(pad("formula", 18) + pad("ns/eval", 10, left: true) + pad("best", 10, left: true)
          + pad("evals", 13, left: true) + pad("bind ns", 9, left: true) + pad("compile µs", 12, left: true))
    for r in rows {
        if let t = r.timing {
            print(pad(r.name, 18) + pad(fmt(t.nsPerEval), 10, left: true) + pad(fmt(t.bestNsPerEval), 10, left: true)
                  + pad(String(t.evals), 13, left: true) + pad(fmt(r.bind?.nsPerEval ?? .nan), 9, left: true)
                  + pad(fmt(r.compile.mean), 12, left: true))
        } else {
            let error = r.error ?? ""
            print(pad(r.name, 18) + (error.hasPrefix("not batched") ? "  " : "  did not compile:\n") + error)
        }
    }
    print(String(repeating: "-", count: 72))
    print(pad("geometric mean", 18) + pad(fmt(geomean), 10, left: true))
    print("ns/eval: total time / evaluations (slot setting included); best: fastest of 5 rounds;")
    print("bind ns: setting one binding set's slots alone; compile µs: parse+check+compile (mean)")
    print("parse+check+compile of a \(hundred.utf8.count)-character formula: \(fmt(hundredCompile.mean)) µs "
          + "(best \(fmt(hundredCompile.best)) µs)")
}
