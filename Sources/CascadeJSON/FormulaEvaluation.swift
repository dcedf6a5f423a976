import CascadeFormula

/// The JSON protocol of `cascade eval --json` / `--batch` and of the HTTP API's `POST /v1/eval`
/// (`docs/formats.md`): one request object in, one output object out.
package enum FormulaEvaluation {
    /// Top-level bindings from a JSON object, every bad one recorded with its path (an array
    /// anywhere inside is not a binding).
    package static func bindings(from json: JSONValue, at path: JSONPath = .root, problems: inout [Problem]) -> [String: Value] {
        guard case .object(let object) = json else {
            problems.append(Problem(path: path.description, code: "json.type", message: "bindings must be a JSON object, not \(json.typeName)"))
            return [:]
        }
        var values: [String: Value] = [:]
        for (key, value) in object {
            do {
                values[key] = try value.formulaValue(at: path.appending(key))
            } catch {
                problems.append(Problem(path: error.path.description, code: "json.type", message: error.message,
                                        hint: "bindings are numbers, booleans, strings, null or objects of them"))
            }
        }
        return values
    }

    /// One request of `--batch` or `POST /v1/eval`: `{"id", "formula", "bindings", "explain"}`.
    package struct Request: Sendable {
        package var id: JSONValue?
        package var formula: String
        package var bindings: [String: Value]
        package var isExplained: Bool

        /// Reads a request with the one document reader; every problem is recorded.
        package static func read(_ reader: JSONReader, problems: inout [Problem]) -> Request? {
            let before = problems.count
            reader.rejectUnknownKeys(Set(requestKeys), problems: &problems)
            let formula = reader.string("formula", required: true, problems: &problems)
            let explain = reader.bool("explain", problems: &problems) ?? false
            let bindings = FormulaEvaluation.bindings(from: reader.object["bindings"] ?? .object(JSONObject()),
                                                      at: reader.path.appending("bindings"), problems: &problems)
            guard problems.count == before, let formula else { return nil }
            return Request(id: reader.object["id"], formula: formula, bindings: bindings, isExplained: explain)
        }

        /// The output object of the request.
        package func evaluated() -> JSONValue {
            FormulaEvaluation.evaluate(formula, bindings: bindings, explain: isExplained).json(id: id)
        }
    }

    /// One `--batch` line (or HTTP request body): `{"id", "formula", "bindings"}` → its output object.
    package static func evaluateLine(_ bytes: [UInt8], lineNumber: Int) -> JSONValue {
        let document: JSONValue
        do {
            document = try JSONValue.parse(bytes: bytes)
        } catch {
            return inputError(id: nil, code: "input.json", kind: "syntax",
                              message: "line \(lineNumber): \(error.message)", line: lineNumber, column: error.column)
        }
        return evaluate(request: document, lineNumber: lineNumber)
    }

    /// The keys of a request object (`explain`: add the trace of every subexpression's value).
    package static let requestKeys = ["id", "formula", "bindings", "explain"]

    /// One request object `{"id", "formula", "bindings", "explain"}` → its output object; a request
    /// that is not of that shape gets an output object with an `input.*` error for its first
    /// problem, and every problem (path, code, message, hint) in the error's `problems`.
    package static func evaluate(request document: JSONValue, lineNumber: Int = 1) -> JSONValue {
        var problems: [Problem] = []
        let request = JSONReader(document, what: "a request {\"id\", \"formula\", \"bindings\"}", problems: &problems)
            .flatMap { Request.read($0, problems: &problems) }
        if let request { return request.evaluated() }
        let first = problems[0]
        let (code, kind) = inputCode(of: first)
        var output = inputError(id: document["id"], code: code, kind: kind,
                                message: "line \(lineNumber): \(first.message) (at \(first.path))", line: lineNumber, column: 1)
        if case .object(var object) = output, case .object(var error)? = object["error"] {
            error["problems"] = .array(problems.map(\.json))
            object["error"] = .object(error)
            output = .object(object)
        }
        return output
    }

    /// The `input.*` code and kind of an output line for a request's first problem.
    static func inputCode(of problem: Problem) -> (code: String, kind: String) {
        if problem.code == "json.unknown-key" { return ("input.unknown-key", "syntax") }
        for (key, code, kind) in [("formula", "input.formula", "syntax"), ("explain", "input.explain", "type"),
                                  ("bindings", "input.bindings", "type")]
        where problem.path == "$.\(key)" || problem.path.hasPrefix("$.\(key).") {
            return (code, kind)
        }
        return ("input.shape", "syntax")
    }

    /// Compiles against the bindings' types and evaluates (with the trace of every subexpression's
    /// value when `explain` is set).
    package static func evaluate(_ source: String, bindings: [String: Value], explain: Bool = false) -> EvalOutcome {
        let compilation = Formula.compile(source, inputs: bindings.mapValues(\.inputType))
        guard let formula = compilation.formula else {
            return EvalOutcome(source: source, result: .failure(DiagnosticList(items: compilation.errors)), warnings: compilation.warnings)
        }
        if explain {
            let explanation = formula.explain(bindings)
            let result = explanation.result.mapError { DiagnosticList(items: [$0.diagnostic]) }
            return EvalOutcome(source: source, result: result, warnings: compilation.warnings, explanation: explanation)
        }
        do {
            return EvalOutcome(source: source, result: .success(try formula.evaluate(bindings)), warnings: compilation.warnings)
        } catch {
            return EvalOutcome(source: source, result: .failure(DiagnosticList(items: [error.diagnostic])), warnings: compilation.warnings)
        }
    }

    /// An output line for input that never reached the formula (bad JSON, a missing field).
    package static func inputError(id: JSONValue?, code: String, kind: String, message: String, line: Int, column: Int) -> JSONValue {
        var object = JSONObject()
        object["id"] = id ?? .null
        object["ok"] = .bool(false)
        object["error"] = .object(JSONObject([("kind", .string(kind)), ("code", .string(code)), ("message", .string(message)),
                                              ("line", .number(Double(line))), ("column", .number(Double(column)))]))
        return .object(object)
    }
}

/// The result of evaluating one formula, and its JSON form of `docs/formats.md`.
package struct EvalOutcome: Sendable {
    package var source: String
    package var result: Result<Value, DiagnosticList>
    package var warnings: [Diagnostic]
    /// The trace, when the evaluation was explained.
    package var explanation: Explanation?

    package init(source: String, result: Result<Value, DiagnosticList>, warnings: [Diagnostic], explanation: Explanation? = nil) {
        self.source = source
        self.result = result
        self.warnings = warnings
        self.explanation = explanation
    }

    package func json(id: JSONValue?) -> JSONValue {
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
        if let explanation {
            object["trace"] = .array(explanation.trace.map(\.json))
            let failed = explanation.failedConditions
            if !failed.isEmpty { object["failed_conditions"] = .array(failed.map { .string($0.text) }) }
        }
        return .object(object)
    }
}

/// Diagnostics as an `Error`, for `Result`.
package struct DiagnosticList: Error, RandomAccessCollection, Sendable {
    package var items: [Diagnostic]
    package init(items: [Diagnostic]) { self.items = items }
    package var startIndex: Int { items.startIndex }
    package var endIndex: Int { items.endIndex }
    package subscript(position: Int) -> Diagnostic { items[position] }
}
