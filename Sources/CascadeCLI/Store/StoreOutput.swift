import ArgumentParser
import CascadeJSON
import CascadeStore
import Foundation

/// Output for the store commands: human text or one JSON document on stdout; errors become a
/// message on stderr with every problem listed (plus a JSON error object with `--json`) and a
/// non-zero exit status. It mirrors `Failure` and adds `problems`, which `CLIError` lacks.
enum StoreOutput {
    static func print(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func printJSON(_ value: JSONValue) {
        print(value.serialized(pretty: false))
    }

    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Runs a command body, mapping any error to output and `ExitCode.failure`.
    static func run(json: Bool, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as ExitCode {
            throw error
        } catch {
            report(error, json: json)
            throw ExitCode.failure
        }
    }

    static func report(_ error: any Error, json: Bool) {
        let storeError: StoreError
        if let e = error as? StoreError {
            storeError = e
        } else if let e = error as? JSONError {
            storeError = StoreError(.invalidInput, "invalid JSON: \(e.message)", location: "\(e.line):\(e.column) (\(e.path))")
        } else {
            storeError = StoreError(.io, "\(error)")
        }
        var line = "error: "
        if let location = storeError.location { line += "\(location): " }
        line += storeError.message
        if let hint = storeError.hint { line += " (hint: \(hint))" }
        note(line)
        for problem in storeError.problems {
            if let rendered = problem.rendered {
                note("  \(problem.path): \(problem.message)")
                for renderedLine in rendered.trimmingCharacters(in: .newlines).split(separator: "\n", omittingEmptySubsequences: false) { note("    \(renderedLine)") }
            } else {
                note("  \(problem)")
            }
        }
        if json { printJSON(errorJSON(storeError)) }
    }

    static func errorJSON(_ error: StoreError) -> JSONValue {
        // The same shape as `Failure` (Output/CLIError.swift) gives, plus `problems`.
        var o = JSONObject()
        o["kind"] = .string(error.kind == .invalidInput || error.kind == .io ? "input" : "store")
        o["code"] = .string("store.\(error.kind.name)" + (error.code.map { ".\($0)" } ?? ""))
        o["message"] = .string(error.message)
        if let location = error.location { o["location"] = .string(location) }
        if let hint = error.hint { o["hint"] = .string(hint) }
        o["problems"] = .array(error.problems.map(problemJSON))
        return .object(JSONObject([("ok", .bool(false)), ("error", .object(o))]))
    }

    static func problemJSON(_ p: Problem) -> JSONValue {
        var o = JSONObject()
        o["path"] = .string(p.path)
        o["code"] = .string(p.code)
        o["message"] = .string(p.message)
        o["hint"] = p.hint.map(JSONValue.string) ?? .null
        if let rendered = p.rendered { o["rendered"] = .string(rendered) }
        return .object(o)
    }

    /// Left-aligned columns for human tables.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { i in all.map { $0[i].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }.joined(separator: "\n")
    }

    static func number(_ x: Double?) -> String { x.map { JSNumber.format($0) } ?? "-" }
}

import CascadeFormula
