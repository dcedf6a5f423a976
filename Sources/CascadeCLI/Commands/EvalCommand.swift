import ArgumentParser
import CascadeFormula
import CascadeJSON

/// `cascade eval`: evaluate one formula against JSON bindings, or a JSON-lines batch.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a formula against bindings.",
        discussion: """
            The formula is a bare expression or a function body. Bindings are a JSON object of numbers,
            booleans, strings, null and objects (read-only records). With --batch, each input line is
            {"id": …, "formula": "…", "bindings": {…}} and each output line is the result for that line,
            in order; a bad line is reported on its own output line and never stops the batch.
            Exit status: 0 when every formula evaluated, 1 otherwise.
            """
    )

    @Argument(help: "The formula text.")
    var formula: String?

    @Option(help: "Bindings as a JSON object, e.g. '{\"x\": 1.5}'.")
    var bindings: String?

    @Option(help: "Evaluate a JSON-lines file (`-` for standard input), writing one JSON line per input line.")
    var batch: String?

    @Flag(help: "Print the result as JSON.")
    var json = false

    static let maxBatchLineBytes = 64 << 20

    func validate() throws {
        if batch != nil && (formula != nil || bindings != nil) {
            throw ValidationError("--batch reads formulas and bindings from its lines; give no formula or --bindings with it")
        }
        if batch == nil && formula == nil {
            throw ValidationError("give a formula, e.g. cascade eval 'return x * 2;' --bindings '{\"x\": 1.5}'")
        }
    }

    func run() throws {
        if let batch {
            try Failure.guarding(json: true) {
                if try !runBatch(path: batch) { throw ExitCode(1) }
            }
            return
        }
        try Failure.guarding(json: json) {
            let values: [String: Value]
            do {
                values = try EvalCommand.bindings(from: try JSONValue.parse(bindings ?? "{}"))
            } catch let error as JSONError {
                throw CLIError(kind: "input", code: "input.bindings", message: "--bindings: \(error.message)",
                               location: "\(error.path)", hint: "bindings are a JSON object such as {\"x\": 1.5}")
            }
            let outcome = EvalCommand.evaluate(formula ?? "", bindings: values)
            if json {
                print(outcome.json(id: nil).serialized())
                if case .failure = outcome.result { throw ExitCode(1) }
                return
            }
            switch outcome.result {
            case .success(let value):
                for warning in outcome.warnings {
                    printError(warning.rendered(source: formula ?? "", color: Terminal.useColor(fileDescriptor: 2)), terminator: "")
                }
                print(value == .undefined ? "undefined (no value)" : value.description)
            case .failure(let diagnostics):
                let color = Terminal.useColor(fileDescriptor: 2)
                throw CLIError(kind: diagnostics[0].kind.rawValue, code: diagnostics[0].code, message: diagnostics[0].message,
                               location: EvalCommand.location(diagnostics[0], in: formula ?? ""),
                               detail: diagnostics.map { $0.rendered(source: formula ?? "", color: color) }.joined())
            }
        }
    }

    static func location(_ diagnostic: Diagnostic, in source: String) -> String {
        let at = diagnostic.location(in: source)
        return "formula:\(at.line):\(at.column)"
    }

    /// Top-level bindings from a JSON object.
    static func bindings(from json: JSONValue) throws(JSONError) -> [String: Value] {
        guard case .object(let object) = json else {
            throw JSONError("bindings must be a JSON object, not \(json.typeName)", line: 1, column: 1, path: .root)
        }
        var values: [String: Value] = [:]
        for (key, value) in object { values[key] = try value.formulaValue(at: JSONPath.root.appending(key)) }
        return values
    }

    /// Reads a JSON-lines batch; returns whether every line evaluated.
    func runBatch(path: String) throws -> Bool {
        var reader = try LineReader(path: path, maxLineBytes: EvalCommand.maxBatchLineBytes)
        defer { reader.close() }
        var allOK = true
        var lineNumber = 0
        while let line = reader.next() {
            lineNumber += 1
            let output: JSONValue
            switch line {
            case .tooLong(let bytes):
                output = EvalOutcome.inputError(id: nil, code: "input.line-too-long", kind: "limit",
                                                message: "line \(lineNumber) is \(bytes) bytes; the limit is \(EvalCommand.maxBatchLineBytes)",
                                                line: lineNumber, column: 1)
            case .text(let bytes):
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                output = EvalCommand.evaluateLine(bytes, lineNumber: lineNumber)
            }
            if output["ok"] != .bool(true) { allOK = false }
            print(output.serialized())
        }
        return allOK
    }

    static func evaluateLine(_ bytes: [UInt8], lineNumber: Int) -> JSONValue {
        let document: JSONValue
        do {
            document = try JSONValue.parse(bytes: bytes)
        } catch {
            return EvalOutcome.inputError(id: nil, code: "input.json", kind: "syntax",
                                          message: "line \(lineNumber): \(error.message)", line: lineNumber, column: error.column)
        }
        guard case .object(let object) = document else {
            return EvalOutcome.inputError(id: nil, code: "input.shape", kind: "syntax",
                                          message: "line \(lineNumber): expected an object {\"id\", \"formula\", \"bindings\"}",
                                          line: lineNumber, column: 1)
        }
        let id = object["id"]
        for key in object.keys where !["id", "formula", "bindings"].contains(key) {
            return EvalOutcome.inputError(id: id, code: "input.unknown-key", kind: "syntax",
                                          message: "line \(lineNumber): unknown key \(JSNumber.quoted(key)) (at $.\(key))",
                                          line: lineNumber, column: 1)
        }
        guard case .string(let formula)? = object["formula"] else {
            return EvalOutcome.inputError(id: id, code: "input.formula", kind: "syntax",
                                          message: "line \(lineNumber): $.formula must be a string", line: lineNumber, column: 1)
        }
        let values: [String: Value]
        do {
            values = try bindings(from: object["bindings"] ?? .object(JSONObject()))
        } catch {
            let path = JSONPath([.key("bindings")] + error.path.components)
            return EvalOutcome.inputError(id: id, code: "input.bindings", kind: "type",
                                          message: "line \(lineNumber): \(error.message) (at \(path))", line: lineNumber, column: 1)
        }
        return evaluate(formula, bindings: values).json(id: id)
    }

    /// Compiles against the bindings' types and evaluates.
    static func evaluate(_ source: String, bindings: [String: Value]) -> EvalOutcome {
        let compilation = Formula.compile(source, inputs: bindings.mapValues(\.inputType))
        guard let formula = compilation.formula else {
            return EvalOutcome(source: source, result: .failure(DiagnosticList(items: compilation.errors)), warnings: compilation.warnings)
        }
        do {
            return EvalOutcome(source: source, result: .success(try formula.evaluate(bindings)), warnings: compilation.warnings)
        } catch {
            return EvalOutcome(source: source, result: .failure(DiagnosticList(items: [error.diagnostic])), warnings: compilation.warnings)
        }
    }
}

/// The result of evaluating one formula, and its JSON form of `interfaces.md`.
struct EvalOutcome {
    var source: String
    var result: Result<Value, DiagnosticList>
    var warnings: [Diagnostic]

    func json(id: JSONValue?) -> JSONValue {
        var object = JSONObject()
        if let id { object["id"] = id }
        switch result {
        case .success(let value):
            object["ok"] = .bool(true)
            object["type"] = .string(value.typeName)
            object["value"] = JSONValue(value)
        case .failure(let diagnostics):
            let first = diagnostics[0]
            let at = first.location(in: source)
            var error = JSONObject()
            error["kind"] = .string(first.kind.rawValue)
            error["code"] = .string(first.code)
            error["message"] = .string(first.message)
            error["line"] = .number(Double(at.line))
            error["column"] = .number(Double(at.column))
            if let hint = first.hint { error["hint"] = .string(hint) }
            if diagnostics.count > 1 {
                error["others"] = .array(diagnostics.dropFirst().map { d in
                    let at = d.location(in: source)
                    return .object(JSONObject([("kind", .string(d.kind.rawValue)), ("code", .string(d.code)),
                                               ("message", .string(d.message)), ("line", .number(Double(at.line))),
                                               ("column", .number(Double(at.column)))]))
                })
            }
            object["ok"] = .bool(false)
            object["error"] = .object(error)
        }
        if !warnings.isEmpty {
            object["warnings"] = .array(warnings.map { .string($0.message) })
        }
        return .object(object)
    }

    static func inputError(id: JSONValue?, code: String, kind: String, message: String, line: Int, column: Int) -> JSONValue {
        var object = JSONObject()
        object["id"] = id ?? .null
        object["ok"] = .bool(false)
        object["error"] = .object(JSONObject([("kind", .string(kind)), ("code", .string(code)), ("message", .string(message)),
                                              ("line", .number(Double(line))), ("column", .number(Double(column)))]))
        return .object(object)
    }
}

/// Diagnostics as an `Error`, for `Result`.
struct DiagnosticList: Error, RandomAccessCollection {
    var items: [Diagnostic]
    var startIndex: Int { items.startIndex }
    var endIndex: Int { items.endIndex }
    subscript(position: Int) -> Diagnostic { items[position] }
}
