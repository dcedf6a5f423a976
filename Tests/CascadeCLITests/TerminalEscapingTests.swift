@testable import CascadeCLI
import CascadeJSON
import Foundation
import Testing

/// Names printed to a terminal cannot drive it: control characters are shown as escapes.
@Suite("names printed to a terminal are escaped")
struct TerminalEscapingTests {
    @Test(arguments: [
        ("plain name, ünïcode · ok", "plain name, ünïcode · ok"),
        ("title\u{1B}]0;pwned\u{07}", "title\\e]0;pwned\\x07"),
        ("clear\u{1B}[2J\u{1B}[H", "clear\\e[2J\\e[H"),
        ("over\rwrite\u{08}", "over\\rwrite\\b"),
        ("line\nand\ttab", "line\nand\ttab"),
        ("del\u{7F} csi\u{9B}2J", "del\\x7f csi\\u{9b}2J"),
        ("bidi\u{202E}txt.exe", "bidi\\u{202e}txt.exe"),
    ])
    func escaping(_ text: String, _ shown: String) {
        #expect(Terminal.escaped(text) == shown)
    }

    static let evil = "evil\u{1B}]0;pwned\u{07}\u{1B}[2J"
    static let shown = "evil\\e]0;pwned\\x07\\e[2J"

    /// Scenario, author, user and sector names (and a formula name in an error) reach the terminal escaped in every human listing
    /// and message; `--json` keeps them exact (as JSON escapes).
    @Test(arguments: CLIBackend.available)
    func namesInHumanOutputAreEscaped(_ backend: CLIBackend) throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(backend)
        defer { cleanup() }
        try StoreCLI.run(["init", "--db", db], in: dir)
        let scenario = try StoreCLI.write(JSONValue.object(JSONObject([
            ("name", .string(Self.evil)), ("author", .string(Self.evil)), ("macro_variables", .object(JSONObject())),
            ("as_of", .string("2025-06-30")),
        ])).serialized(), to: "evil.json", in: dir)
        let formula = try StoreCLI.write(StoreCLI.formulaDocument(name: Self.evil), to: "formula.json", in: dir)
        var outputs: [StoreCLI.Result] = []
        for arguments in [["scenario", "submit", scenario], ["scenario", "list"], ["scenario", "show", Self.evil],
                          ["user", "add", Self.evil, "--role", "viewer"], ["user", "list"], ["user", "deactivate", Self.evil],
                          ["formula", "register", formula], ["formula", "list"], ["formula", "show", Self.evil + "@9"],
                          ["coefficient", "add", "--sector", Self.evil, "--type", "t", "--value", "1", "--effective-date", "2025-01-01"],
                          ["coefficient", "list"]] {
            let result = try StoreCLI.run(arguments + ["--db", db], in: dir)
            outputs.append(result)
            #expect(!(result.stdout + result.stderr).contains("\u{1B}"), "\(arguments): \(result.stdout.debugDescription) \(result.stderr.debugDescription)")
        }
        let all = outputs.map { $0.stdout + $0.stderr }.joined()
        #expect(all.contains(Self.shown))
        #expect(outputs[1].stdout.contains(Self.shown), "scenario list: \(outputs[1].stdout)")
        #expect(outputs[4].stdout.contains(Self.shown), "user list: \(outputs[4].stdout)")
        #expect(outputs[6].stderr.contains("a formula name cannot contain control characters"), "formula names are refused")
        #expect(outputs[10].stdout.contains(Self.shown), "coefficient list: \(outputs[10].stdout)")
        #expect(outputs[8].stderr.contains(Self.shown), "formula show error: \(outputs[8].stderr)")
        let json = try StoreCLI.run(["scenario", "list", "--db", db, "--json"], in: dir)
        #expect(json.json?.arrayValue?.first?["name"] == .string(Self.evil))
    }
}
