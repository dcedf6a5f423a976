import ArgumentParser
import CascadeFormula
import CascadeJSON
import CascadeStore

/// The one place where failures become text, JSON and an exit status.
enum Failure {
    /// Prints the failure — one line on stderr (rendered formula diagnostics, or every problem of
    /// an input document, after it), and with `--json` a JSON error object on stdout — and returns
    /// the exit code to throw.
    static func report(_ error: Error, json: Bool) -> ExitCode {
        if let failure = error as? CLIError {
            if let detail = failure.detail {
                printError(detail, terminator: "")  // rendered diagnostics: their headline is the reason
            } else {
                printError("error: " + Terminal.escaped(failure.description))
            }
            if json { print(JSONValue.object(JSONObject([("ok", .bool(false)), ("error", failure.json)])).serialized()) }
            return ExitCode(1)
        }
        let storeError: StoreError
        if let e = error as? StoreError {
            storeError = e
        } else if let e = error as? JSONError {
            storeError = StoreError(.invalidInput, "not valid JSON: \(e.message)", location: e.place(file: nil))
        } else {
            storeError = StoreError(.io, "\(error)")
        }
        var line = "error: "
        if let location = storeError.location { line += "\(location): " }
        line += storeError.message
        if let hint = storeError.hint { line += " (hint: \(hint))" }
        printError(Terminal.escaped(line))
        for problem in storeError.problems {
            printError("  " + Terminal.escaped("\(problem)"))
            if let rendered = problem.rendered {
                for renderedLine in rendered.split(separator: "\n") { printError("    \(renderedLine)") }
            }
        }
        if json { print(errorJSON(storeError).serialized()) }
        return ExitCode(1)
    }

    /// Runs a command body, mapping any failure through `report`.
    static func guarding(json: Bool, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw report(error, json: json)
        }
    }

    /// A store or input failure as the JSON error object (the shape `CLIError` has, plus `problems`).
    static func errorJSON(_ error: StoreError) -> JSONValue {
        var o = JSONObject()
        o["kind"] = .string(error.kind == .invalidInput || error.kind == .io ? "input" : "store")
        o["code"] = .string("store.\(error.kind.name)" + (error.code.map { ".\($0)" } ?? ""))
        o["message"] = .string(error.message)
        if let location = error.location { o["location"] = .string(location) }
        if let hint = error.hint { o["hint"] = .string(hint) }
        o["problems"] = .array(error.problems.map(\.json))
        return .object(JSONObject([("ok", .bool(false)), ("error", .object(o))]))
    }
}
