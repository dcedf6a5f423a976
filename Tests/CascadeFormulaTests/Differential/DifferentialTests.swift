// Differential tests: thousands of generated well-typed formulas, run by Cascade and by a real
// JavaScript engine (Node, through Fixtures/oracle.js), must agree.
//
// The governing rule of the formula language: for every formula Cascade accepts and every input,
// the result is either exactly what JavaScript returns (bit for bit; −0 and +0 count as equal)
// or a typed, located Cascade error — and where JavaScript produces NaN or ±Infinity anywhere
// along the way, it must be an error. So for each evaluation:
//   JS finite value, no trap      → Cascade returns the same value
//   JS NaN/±Infinity, or a trap   → Cascade throws a `.runtime` or `.limit` error
//   JS throws                     → the generator made something outside the subset (a test bug)
// and every generated program must compile without errors. Each program is also run through the
// fast path (one reused `Frame` for all its binding sets), which must give the same outcomes.
//
// Knobs (environment): CASCADE_DIFF_PROGRAMS (default 10 000, about 10 s in a debug build),
// CASCADE_DIFF_SEED, CASCADE_DIFF_KEEP=1 (keep the case and result files; they are always kept, with
// every mismatch in mismatches.txt, when something disagrees), NODE (the node executable). Without
// node the test is skipped, unless CI=true, where it fails.

import Foundation
import Testing
@testable import CascadeFormula

@Suite("Differential testing against Node")
struct DifferentialTests {
    static let environment = ProcessInfo.processInfo.environment
    static let programCount = environment["CASCADE_DIFF_PROGRAMS"].flatMap { Int($0) } ?? 10_000
    static let seed = environment["CASCADE_DIFF_SEED"].flatMap { UInt64($0) } ?? 0xCA5C_ADE0_2026
    static let isCI = environment["CI"] == "true"
    static let maxPrinted = 20

    @Test("the generator is deterministic")
    func generatorIsDeterministic() {
        var a = ProgramGenerator(seed: 7)
        var b = ProgramGenerator(seed: 7)
        for i in 0..<200 {
            let p = a.program(index: i)
            let q = b.program(index: i)
            #expect(p.source == q.source)
            #expect(p.params == q.params)
            #expect(OracleCaseFile.encode([p]) == OracleCaseFile.encode([q]))
        }
    }

    @Test("the comparison reads −0 as +0, strings as UTF-16 code units, and nothing else as equal")
    func comparisonIsExact() {
        let negativeZero = JSResult.Payload.number(0x8000_0000_0000_0000)
        #expect(negativeZero.matches(.number(0)))
        #expect(JSResult.Payload.number(0).matches(.number(-0.0)))
        #expect(JSResult.Payload.number(0x3FB9_9999_9999_999A).matches(.number(0.1)))
        #expect(!JSResult.Payload.number(0x3FB9_9999_9999_999B).matches(.number(0.1)))
        #expect(!JSResult.Payload.number(0x3FF0_0000_0000_0000).matches(.boolean(true)))
        #expect(JSResult.Payload.string([0x65, 0x301]).matches(.string("e\u{301}")))
        #expect(!JSResult.Payload.string([0xE9]).matches(.string("e\u{301}")))
        #expect(!JSResult.Payload.null.matches(.undefined))
        #expect(JSResult.Payload.undefined.matches(.undefined))
        let trapped = JSResult(json: ["type": "number", "bits": "0000000000000000", "trap": "nonfinite"])
        #expect(trapped.mustFail)
        #expect(JSResult(json: ["type": "nonfinite", "value": "NaN"]).mustFail)
        #expect(!JSResult(json: ["type": "string", "value": "", "utf16": "", "trap": "binding-string-limit"]).mustFail)
    }

    @Test(
        "Cascade agrees with Node on generated programs",
        .enabled(if: NodeOracle.executable != nil || DifferentialTests.isCI, "node not found; set NODE or install Node to run")
    )
    func agreesWithNode() throws {
        let node = try #require(NodeOracle.executable, "node is required when CI=true (set NODE)")
        var generator = ProgramGenerator(seed: Self.seed)
        let programs = (0..<Self.programCount).map { generator.program(index: $0) }

        let oracle = try NodeOracle(node: node)
        var keepFiles = Self.environment["CASCADE_DIFF_KEEP"] == "1"
        defer { if !keepFiles { oracle.cleanUp() } }
        let jsResults = try oracle.run(programs)
        try #require(jsResults.count == programs.count, "the oracle returned \(jsResults.count) results for \(programs.count) programs")

        var tally = DifferentialTally()
        for (program, results) in zip(programs, jsResults) {
            try #require(results.count == program.bindings.count, "oracle results for \(program.id)")
            Self.compare(program, results, into: &tally)
        }

        print("differential: \(programs.count) programs, \(tally.evaluations) evaluations: "
              + "\(tally.sameValue) same value, \(tally.expectedErrors) expected errors, "
              + "\(tally.mismatches.count) mismatches "
              + "[seed \(Self.seed); files \(oracle.directory.path)]")
        for (i, m) in tally.sample(Self.maxPrinted).enumerated() {
            Issue.record(Comment(rawValue: "mismatch \(i + 1) of \(tally.mismatches.count) (a sample across categories): \(m)"))
        }
        if !tally.mismatches.isEmpty {
            keepFiles = true
            let report = tally.mismatches.map(\.description).joined(separator: "\n\n")
            try? Data(report.utf8).write(to: oracle.directory.appendingPathComponent("mismatches.txt"))
            let byCategory = Dictionary(grouping: tally.mismatches, by: \.category)
                .map { "\($0.key.rawValue): \($0.value.count)" }.sorted().joined(separator: ", ")
            Issue.record(Comment(rawValue: "\(tally.mismatches.count) of \(tally.evaluations) evaluations disagree (\(byCategory)); "
                + "a sample of \(min(Self.maxPrinted, tally.mismatches.count)) shown; all in \(oracle.directory.path)/mismatches.txt"))
        }
    }

    /// Compares every evaluation of one program.
    static func compare(_ program: GeneratedProgram, _ results: [JSResult], into tally: inout DifferentialTally) {
        let compiled = Formula.compile(program.source, inputs: program.inputTypes)
        let errors = compiled.diagnostics.filter(\.isError)
        tally.evaluations += results.count

        for (index, js) in results.enumerated() {
            if case .thrown(let message) = js.value {
                tally.add(.oracleError, program, index, js, "JavaScript threw: \(message)")
            } else if case .other(let text) = js.value {
                tally.add(.oracleError, program, index, js, "JavaScript returned a non-scalar: \(text)")
            }
        }
        if tally.hasOracleError(program.id) { return }

        guard errors.isEmpty, let formula = compiled.formula else {
            // Every generated program is well-typed and within the limits, and constant folding never
            // fails at compile time (a failing constant stays a run-time error): any error is a bug.
            let text = errors.isEmpty ? "no formula and no error" : errors.map(\.description).joined(separator: "; ")
            tally.add(.compileRejected, program, 0, results[0], "rejected at compile time: \(text)")
            return
        }

        // The fast path too: one frame, reused for every binding set (in reverse order, so that a
        // value left over from the previous evaluation would show).
        let frame = formula.makeFrame()
        var reused: [Result<Value, FormulaError>] = Array(repeating: .success(.undefined), count: results.count)
        for index in results.indices.reversed() {
            reused[index] = Result { () throws(FormulaError) -> Value in
                for input in formula.inputs {
                    try frame.setValue(Self.lookUp(input.path, in: program.bindings[index]), at: input.index)
                }
                return try formula.evaluate(frame)
            }
        }

        for (index, js) in results.enumerated() {
            let outcome = Result<Value, FormulaError> { () throws(FormulaError) -> Value in
                try formula.evaluate(program.bindings[index])
            }
            if !Self.same(outcome, reused[index]) {
                tally.add(.frameReuse, program, index, js,
                          "fresh frame: \(Self.describe(outcome)); reused frame: \(Self.describe(reused[index]))")
            }
            switch outcome {
            case .failure(let error):
                let kind = error.diagnostic.kind
                let range = error.diagnostic.range
                if !(0 <= range.start && range.end <= program.source.utf8.count) {
                    tally.add(.badErrorRange, program, index, js, "error at \(range), outside the source: \(error)")
                } else if js.mustFail && (kind == .runtime || kind == .limit) {
                    tally.expectedErrors += 1
                } else if js.mayFail && kind == .limit {
                    tally.expectedErrors += 1
                } else if js.mustFail {
                    tally.add(.wrongErrorKind, program, index, js, "error of kind \(kind): \(error)")
                } else {
                    tally.add(.unexpectedError, program, index, js, "error: \(error)")
                }
            case .success(let value):
                if js.mustFail {
                    tally.add(.missingError, program, index, js, "value \(describe(value)) (an error was required)")
                } else if js.value.matches(value) {
                    tally.sameValue += 1
                } else {
                    tally.add(.valueDiffers, program, index, js, "value \(describe(value))")
                }
            }
        }
    }

    /// The value of an input path such as `src.meta.price` in a binding set.
    static func lookUp(_ path: String, in bindings: [String: Value]) -> Value {
        var components = path.split(separator: ".").map(String.init)
        var value = bindings[components.removeFirst()] ?? .undefined
        for component in components {
            guard case .record(let fields) = value, let field = fields[component] else { return .undefined }
            value = field
        }
        return value
    }

    /// Same value (bit for bit) or the same error.
    static func same(_ a: Result<Value, FormulaError>, _ b: Result<Value, FormulaError>) -> Bool {
        switch (a, b) {
        case (.success(.number(let x)), .success(.number(let y))): x.bitPattern == y.bitPattern
        case (.success(let x), .success(let y)): x == y
        case (.failure(let x), .failure(let y)): x == y
        default: false
        }
    }

    static func describe(_ outcome: Result<Value, FormulaError>) -> String {
        switch outcome {
        case .success(let value): describe(value)
        case .failure(let error): "error \(error)"
        }
    }

    static func describe(_ value: Value) -> String {
        switch value {
        case .number(let x):
            "number \(JSNumber.format(x)) [\(JSResult.hex(x.bitPattern))]"
        case .string(let s):
            "string \(JSNumber.quoted(s)) [utf16 \(s.utf16.map { JSResult.hex4($0) }.joined(separator: " "))]"
        default:
            "\(value.typeName) \(value)"
        }
    }
}

// MARK: - Tallying

struct DifferentialMismatch: CustomStringConvertible {
    enum Category: String {
        /// JavaScript threw or returned something outside the subset: a generator bug.
        case oracleError = "oracle error (generator bug)"
        /// Cascade rejected a generated (well-typed) program.
        case compileRejected = "compile-time rejection"
        /// Both returned a value, and they differ.
        case valueDiffers = "different value"
        /// JavaScript produced NaN/±Infinity (finally or along the way) but Cascade returned a value.
        case missingError = "missing error"
        /// Cascade failed where JavaScript computed a finite value without any trap.
        case unexpectedError = "unexpected error"
        /// Cascade failed where it should, but not with a `.runtime`/`.limit` error.
        case wrongErrorKind = "wrong error kind"
        /// A run-time error whose range lies outside the source text.
        case badErrorRange = "error range outside the source"
        /// Evaluating with a reused `Frame` gave another outcome than with a fresh one.
        case frameReuse = "frame reuse differs"
    }

    let category: Category
    let program: GeneratedProgram
    let bindingIndex: Int
    let js: JSResult
    let cascade: String

    var description: String {
        let binding = program.params.map { "\($0): " + OracleCaseFile.value(program.bindings[bindingIndex][$0]!) }
            .joined(separator: ", ")
        return """
            [\(category.rawValue)] \(program.id) (\(program.form.rawValue), returns \(program.resultType.rawValue)\
            \(program.mayFallOff ? " or undefined" : ""))
            ---- inputs: \(program.inputs.map { "\($0.name): \($0.inputType)" }.joined(separator: ", "))
            ---- source
            \(program.source)
            ---- inputs \(bindingIndex): {\(binding)}
            ---- JavaScript: \(js)
            ---- Cascade:    \(cascade)
            """
    }
}

struct DifferentialTally {
    var evaluations = 0
    var sameValue = 0
    var expectedErrors = 0
    var mismatches: [DifferentialMismatch] = []
    private var oracleErrorIDs: Set<String> = []

    mutating func add(
        _ category: DifferentialMismatch.Category, _ program: GeneratedProgram, _ index: Int, _ js: JSResult,
        _ cascade: String
    ) {
        if category == .oracleError { oracleErrorIDs.insert(program.id) }
        mismatches.append(DifferentialMismatch(
            category: category, program: program, bindingIndex: index, js: js, cascade: cascade))
    }

    func hasOracleError(_ id: String) -> Bool { oracleErrorIDs.contains(id) }

    /// Up to `count` mismatches to print: one per program, taken round-robin across the
    /// categories and the kinds of Cascade outcome, so that one frequent bug does not hide another.
    func sample(_ count: Int) -> [DifferentialMismatch] {
        var groups: [String: [DifferentialMismatch]] = [:]
        var order: [String] = []
        var seenPrograms: Set<String> = []
        for m in mismatches where !seenPrograms.contains(m.program.id) {
            seenPrograms.insert(m.program.id)
            // The Cascade outcome's code (e.g. `type.string-coercion`) refines the category.
            let code = m.cascade.split(separator: "[").dropFirst().first?.split(separator: "]").first ?? ""
            let key = m.category.rawValue + "/" + code
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(m)
        }
        var result: [DifferentialMismatch] = []
        var round = 0
        while result.count < count {
            var added = false
            for key in order where round < groups[key]!.count && result.count < count {
                result.append(groups[key]![round])
                added = true
            }
            if !added { break }
            round += 1
        }
        return result
    }
}

// MARK: - JavaScript results

/// One evaluation's result as the oracle reports it.
struct JSResult: CustomStringConvertible {
    enum Payload {
        case number(UInt64)
        case boolean(Bool)
        case string([UInt16])
        case null
        case undefined
        case nonfinite(String)
        case thrown(String)
        case other(String)
    }

    let value: Payload
    /// "nonfinite" or "string-limit" when JavaScript went outside the finite world (or the 1 KiB
    /// string limit) along the way; "binding-string-limit" when a bound string is over the limit.
    let trap: String?

    /// Whether the governing rule requires Cascade to fail on this evaluation.
    var mustFail: Bool {
        if trap == "nonfinite" || trap == "string-limit" { return true }
        if case .nonfinite = value { return true }
        return false
    }

    /// Whether Cascade may fail (with a limit error) instead of returning the same value.
    var mayFail: Bool { mustFail || trap == "binding-string-limit" }

    init(json: [String: Any]) {
        trap = json["trap"] as? String
        switch json["type"] as? String {
        case "number":
            value = .number(UInt64(json["bits"] as? String ?? "", radix: 16) ?? 0x7FF8_0000_0000_0001)
        case "boolean": value = .boolean((json["value"] as? Bool) ?? (json["value"] as? NSNumber)?.boolValue ?? false)
        case "string":
            let hex = Array(json["utf16"] as? String ?? "")
            value = .string(stride(from: 0, to: hex.count, by: 4).map { UInt16(String(hex[$0..<min($0 + 4, hex.count)]), radix: 16) ?? 0xFFFF })
        case "null": value = .null
        case "undefined": value = .undefined
        case "nonfinite": value = .nonfinite(json["value"] as? String ?? "?")
        case "throw": value = .thrown(json["message"] as? String ?? "?")
        default: value = .other("\(json)")
        }
    }

    var description: String {
        let body: String
        switch value {
        case .number(let bits): body = "number \(JSNumber.format(Double(bitPattern: bits))) [\(Self.hex(bits))]"
        case .boolean(let b): body = "boolean \(b)"
        case .string(let units):
            body = "string \(JSNumber.quoted(String(decoding: units, as: UTF16.self))) [utf16 \(units.map(Self.hex4).joined(separator: " "))]"
        case .null: body = "null"
        case .undefined: body = "undefined"
        case .nonfinite(let text): body = "nonfinite \(text)"
        case .thrown(let message): body = "throw \(message)"
        case .other(let text): body = "other \(text)"
        }
        return trap.map { body + " (trap: \($0) along the way)" } ?? body
    }

    static func hex(_ bits: UInt64) -> String {
        let digits = String(bits, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    static func hex4(_ unit: UInt16) -> String {
        let digits = String(unit, radix: 16)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }
}

extension JSResult.Payload {
    /// Same value: numbers bit for bit with −0 read as +0, strings as UTF-16 code units (as `===`
    /// compares them, not by Unicode canonical equivalence as Swift's `==` does).
    func matches(_ value: Value) -> Bool {
        switch (self, value) {
        case (.number(let bits), .number(let x)):
            let zero: UInt64 = 0x8000_0000_0000_0000
            return (bits == zero ? 0 : bits) == (x == 0 ? 0 : x.bitPattern)
        case (.boolean(let a), .boolean(let b)): return a == b
        case (.string(let units), .string(let s)): return units == Array(s.utf16)
        case (.null, .null), (.undefined, .undefined): return true
        default: return false
        }
    }
}

// MARK: - Running node

/// Runs Fixtures/oracle.js under node on a case file in a fresh temporary directory.
struct NodeOracle {
    /// The node executable: `$NODE`, else the first `node` on `$PATH`, else the usual places.
    static let executable: URL? = {
        let fm = FileManager.default
        let env = ProcessInfo.processInfo.environment
        var candidates: [String] = []
        if let explicit = env["NODE"], !explicit.isEmpty { candidates.append(explicit) }
        for dir in (env["PATH"] ?? "").split(separator: ":") { candidates.append(String(dir) + "/node") }
        candidates += ["/usr/bin/node", "/usr/local/bin/node", "/opt/homebrew/bin/node"]
        return candidates.first { fm.isExecutableFile(atPath: $0) }.map { URL(fileURLWithPath: $0) }
    }()

    /// Fixtures/oracle.js beside this file's folder.
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent("oracle.js")

    let node: URL
    let directory: URL

    init(node: URL) throws {
        self.node = node
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("cascade-differential-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func cleanUp() { try? FileManager.default.removeItem(at: directory) }

    /// Writes the case file, runs node once, and reads back one result list per program.
    func run(_ programs: [GeneratedProgram]) throws -> [[JSResult]] {
        let cases = directory.appendingPathComponent("cases.json")
        let results = directory.appendingPathComponent("results.json")
        let log = directory.appendingPathComponent("node-stderr.txt")
        try Data(OracleCaseFile.encode(programs).utf8).write(to: cases)
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)

        let process = Process()
        process.executableURL = node
        process.arguments = [Self.script.path, cases.path, results.path]
        let errorHandle = try FileHandle(forWritingTo: log)
        process.standardError = errorHandle
        process.standardOutput = errorHandle
        try process.run()
        process.waitUntilExit()
        try? errorHandle.close()
        guard process.terminationStatus == 0 else {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw OracleFailure(message: "node \(Self.script.path) exited with \(process.terminationStatus): \(text)")
        }
        let data = try Data(contentsOf: results)
        guard let list = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw OracleFailure(message: "the oracle's result file is not a JSON array of objects")
        }
        var out: [[JSResult]] = []
        out.reserveCapacity(list.count)
        for (i, entry) in list.enumerated() {
            guard entry["id"] as? String == programs[i].id, let rows = entry["results"] as? [[String: Any]] else {
                throw OracleFailure(message: "the oracle's result \(i) does not belong to \(programs[i].id)")
            }
            out.append(rows.map(JSResult.init(json:)))
        }
        return out
    }
}

struct OracleFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
