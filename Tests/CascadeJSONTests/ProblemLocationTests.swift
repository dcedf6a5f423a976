@testable import CascadeJSON
import Testing

/// Every problem of a document read from text gets its line and column: the value's (a wrong
/// type, an out-of-range number, a missing member's object) or, for an unknown key, the key's.
struct ProblemLocationTests {
    static let document = """
    {"name": "a",
     "count": 11,
      "meta": {"ownr": "x"},
     "tags": [1, {"b c": true}],
     "nmae": 2}
    """

    /// (path, whether the key is wanted, expected `line:column` or nil when there is no such value).
    static let offsets: [(String, Bool, String?)] = [
        ("$", false, "1:1"),
        ("$.name", false, "1:10"),
        ("$.count", false, "2:11"),
        ("$.count", true, "2:2"),
        ("$.meta.ownr", true, "3:12"),
        ("$.meta.ownr", false, "3:20"),
        ("$.tags[1]", false, "4:14"),
        (#"$.tags[1]["b c"]"#, false, "4:22"),
        ("$.nmae", true, "5:2"),
        ("$.missing", false, nil),
        ("$.tags[2]", false, nil),
        ("$.name[0]", false, nil),
    ]

    @Test(arguments: ProblemLocationTests.offsets)
    func aPathIsFoundAgainInTheText(_ path: String, _ key: Bool, _ expected: String?) throws {
        let parsed = try #require(JSONPath(parsing: path))
        #expect(parsed.description == path)
        let found = JSONValue.lineColumn(of: parsed, key: key, in: Array(Self.document.utf8))
        #expect(found.map { "\($0.line):\($0.column)" } == expected)
    }

    /// The reader's problems, located: `FILE:LINE:COLUMN: $.path: message` (the file only when
    /// there is one), and `line` and `column` in the JSON form.
    static let problems: [(String?, [String])] = [
        ("doc.json", ["doc.json:5:2: $.nmae: unknown key `nmae`", "doc.json:2:11: $.count: `count` must be a whole number from 1 to 10, not 11",
                      "doc.json:3:12: $.meta.ownr: unknown key `ownr`", "doc.json:3:11: $.meta.owner: `owner` is required"]),
        (nil, ["5:2: $.nmae: unknown key `nmae`", "2:11: $.count: `count` must be a whole number from 1 to 10, not 11",
               "3:12: $.meta.ownr: unknown key `ownr`", "3:11: $.meta.owner: `owner` is required"]),
    ]

    @Test(arguments: ProblemLocationTests.problems)
    func everyReaderProblemIsPrintedWithItsLineAndColumn(_ file: String?, _ expected: [String]) throws {
        let problems = try JSONReaderTests.read(Self.document, file: file).located(in: Array(Self.document.utf8))
        #expect(problems.map { "\($0.path): \($0.message)" }.count == expected.count)
        #expect(problems.map { var p = $0; p.hint = nil; return p.description } == expected)
        #expect(problems.first?.description.hasPrefix(expected[0] + " (hint: did you mean `name`? known keys: ") == true, "\(problems)")
        let json = try #require(problems.first?.json)
        #expect(json["line"] == .number(5) && json["column"] == .number(2), "\(json)")
    }

    @Test func aPathThatIsNotJSONIsLeftAlone() {
        let problem = Problem(path: "--value", code: "json.type", message: "x").located(in: Array("{}".utf8))
        #expect(problem.line == nil && problem.description == "--value: x")
        #expect(JSONPath(parsing: "$.a b") == nil && JSONPath(parsing: "a") == nil)
    }
}
