import ArgumentParser
import CascadeJSON
import CascadeStore
import Foundation

/// Output for the store and scenario commands: human text or one JSON document on stdout, notes
/// on stderr, tables. Errors go through `Failure`. Human text is printed through
/// `Terminal.escaped`, so names in it cannot drive the terminal.
enum StoreOutput {
    static func print(_ text: String) {
        FileHandle.standardOutput.write(Data((Terminal.escaped(text) + "\n").utf8))
    }

    /// Human text whose names were escaped already (a coloured summary: its colour codes stay).
    static func printEscaped(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func printJSON(_ value: JSONValue) {
        printJSON(text: value.serialized(pretty: false))
    }

    /// A serialized JSON document (its strings' control characters are JSON escapes already).
    static func printJSON(text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func note(_ text: String) {
        FileHandle.standardError.write(Data((Terminal.escaped(text) + "\n").utf8))
    }

    /// Runs a command body; any failure is reported by `Failure`, the one place errors become text.
    static func run(json: Bool, _ body: () throws -> Void) throws {
        try Failure.guarding(json: json, body)
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
