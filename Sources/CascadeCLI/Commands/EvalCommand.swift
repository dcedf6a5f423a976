import ArgumentParser
import CascadeFormula
import CascadeJSON

/// `cascade eval`: evaluate one formula against JSON bindings, or a JSON-lines batch.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a formula against bindings.",
        discussion: """
            The formula is a bare expression or a function body. Bindings are a JSON object of numbers, \
            booleans, strings, null and objects (read-only records). With --batch, each input line is \
            {"id": …, "formula": "…", "bindings": {…}} and each output line is the result for that line, \
            in order; a bad line is reported on its own output line and never stops the batch. \
            Exit status: 0 when every formula evaluated, 1 otherwise.

            A formula that starts with `-` goes after `--`, which ends the options: \
            cascade eval --bindings '{"x": 1.5}' -- '-x * 2'
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

    @Flag(help: "Show each subexpression's value in source order, the branch each condition took, and why there is no value (with --json: a `trace` array).")
    var explain = false

    static let maxBatchLineBytes = 64 << 20

    func validate() throws {
        if batch != nil && (formula != nil || bindings != nil) {
            throw ValidationError("--batch reads formulas and bindings from its lines; give no formula or --bindings with it")
        }
        if batch != nil && explain {
            throw ValidationError("--explain is for one formula; in a batch, add \"explain\": true to a line")
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
            let document: JSONValue
            do {
                document = try JSONValue.parse(bindings ?? "{}")
            } catch let error as JSONError {
                throw CLIError(kind: "input", code: "input.bindings", message: "--bindings: \(error.message)",
                               location: "\(error.path)", hint: "bindings are a JSON object such as {\"x\": 1.5}")
            }
            var problems: [Problem] = []
            let values = FormulaEvaluation.bindings(from: document, problems: &problems)
            if let first = problems.first {
                throw CLIError(kind: "input", code: "input.bindings",
                               message: "--bindings: " + problems.map { "\($0.message) (at \($0.path))" }.joined(separator: "; "),
                               location: first.path, hint: "bindings are a JSON object such as {\"x\": 1.5}")
            }
            let outcome = FormulaEvaluation.evaluate(formula ?? "", bindings: values, explain: explain)
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
                if let explanation = outcome.explanation { print(explanation.rendered(), terminator: "") }
            case .failure(let diagnostics):
                // The trace up to the error, then the error.
                if let explanation = outcome.explanation { print(explanation.rendered(), terminator: "") }
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
                output = FormulaEvaluation.inputError(id: nil, code: "input.line-too-long", kind: "limit",
                                                message: "line \(lineNumber) is \(bytes) bytes; the limit is \(EvalCommand.maxBatchLineBytes)",
                                                line: lineNumber, column: 1)
            case .text(let bytes):
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                output = FormulaEvaluation.evaluateLine(bytes, lineNumber: lineNumber)
            }
            if output["ok"] != .bool(true) { allOK = false }
            print(output.serialized())
        }
        return allOK
    }
}
