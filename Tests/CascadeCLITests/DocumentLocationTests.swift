import CascadeJSON
import Foundation
import Testing

/// Every document the CLI reads from a file reports each bad value at `FILE:LINE:COLUMN: $.path`
/// (docs/formats.md), and its `--json` error gives `line` and `column` per problem. Input
/// checks only: nothing reaches the store, so SQLite alone is used.
@Suite("document problems located by line and column (end to end)")
struct DocumentLocationTests {
    /// (the command after `cascade`, with `FILE` for the document; the file's name; its text;
    /// the problem's path; the line:column expected; whether the file name starts the place).
    static let cases: [(String, String, String, String, String, Bool)] = [
        ("formula register FILE --dry-run", "bad-formula.json", """
         {"name": "f", "nme": "x", "formula_type": "IMPACT_CALCULATION",
          "formula_text": "return 1;", "effective_date": "2025-01-01",
          "r_squared": "high"}
         """, "$.nme", "1:15", true),
        ("formula register FILE --dry-run", "bad-formula.json", """
         {"name": "f", "nme": "x", "formula_type": "IMPACT_CALCULATION",
          "formula_text": "return 1;", "effective_date": "2025-01-01",
          "r_squared": "high"}
         """, "$.r_squared", "3:15", true),
        ("run FILE", "bad-scenario.json", """
         {"name": "s", "author": "me",
          "macro_variables": {"oil_price": 78.75},
          "feedback_rounds": -1}
         """, "$.feedback_rounds", "3:21", false),
        ("import FILE", "bad-world.json", """
         {"entities": [
           {"id": "a", "type": "MACRO", "name": "A", "ontology_level": 12}]}
         """, "$.entities[0].ontology_level", "2:63", true),
    ]

    @Test(arguments: DocumentLocationTests.cases)
    func aBadValueIsReportedAtItsLineAndColumn(_ command: String, _ name: String, _ text: String,
                                               _ path: String, _ place: String, _ withFile: Bool) throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(.sqlite)
        defer { cleanup() }
        try #require(try StoreCLI.run(["init", "--db", db], in: dir).status == 0)
        let file = try StoreCLI.write(text, to: name, in: dir)
        let arguments = command.split(separator: " ").map { $0 == "FILE" ? file : String($0) }
        let result = try StoreCLI.run(arguments + ["--json", "--db", db], in: dir)
        #expect(result.status == 1)
        let expected = (withFile ? "\(file):" : "") + "\(place): \(path): "
        #expect(result.stderr.contains("  " + expected), "\(result.stderr)")
        let problems = try #require(result.json?["error"]?["problems"]?.arrayValue, "\(result.stdout)")
        let problem = try #require(problems.first { $0["path"]?.stringValue?.hasSuffix(path) == true }, "\(problems)")
        let (line, column) = (place.split(separator: ":")[0], place.split(separator: ":")[1])
        #expect(problem["line"] == .number(Double(line)!) && problem["column"] == .number(Double(column)!), "\(problem)")
    }

    /// Every command that reads a JSON file reads it through one reader (`JSONFile`), so a file
    /// that is not JSON, or is not there, is reported in the same words by each: the place of a
    /// syntax mistake as `FILE:LINE:COLUMN: $.path`, and a missing file by its name.
    static let fileCommands = ["formula register FILE --dry-run", "scenario submit FILE", "run FILE", "formula backtest FILE",
                               "formula compare f@1 f@2 --backtest FILE", "import FILE"]

    @Test(arguments: DocumentLocationTests.fileCommands)
    func aFileThatIsNotJSONOrIsMissingIsReportedAlikeByEveryCommand(_ command: String) throws {
        let (dir, db, cleanup) = try StoreCLI.fresh(.sqlite)
        defer { cleanup() }
        try #require(try StoreCLI.run(["init", "--db", db], in: dir).status == 0)
        let file = try StoreCLI.write("{\"name\": \"s\",\n \"author\": tru}", to: "broken.json", in: dir)
        for (path, expected) in [(file, "error: \(file):2:12: $.author: "), (file + ".missing", "error: \(file).missing: cannot read the ")] {
            let arguments = command.split(separator: " ").map { $0 == "FILE" ? path : String($0) }
            let result = try StoreCLI.run(arguments + ["--db", db], in: dir)
            #expect(result.status == 1)
            let reason = result.stderr.split(separator: "\n").first { $0.hasPrefix("error: ") }.map(String.init) ?? ""
            #expect(reason.hasPrefix(expected), "\(command): \(result.stderr)")
            #expect(result.stderr.contains(path == file ? "not valid JSON: " : "(hint: check the path)"), "\(command): \(result.stderr)")
        }
    }
}
