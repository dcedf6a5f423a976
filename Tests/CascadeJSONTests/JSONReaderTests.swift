@testable import CascadeJSON
import Testing

/// The one document reader: every field kind, every problem it reports (all of them, each with
/// its path and code), and did-you-mean on unknown keys and choices.
struct JSONReaderTests {
    /// Reads `{"name", "count", "ratio", "on", "kind", "tags", "meta"}` the way a document type declares it.
    static func read(_ text: String, file: String? = nil) throws -> [Problem] {
        var problems: [Problem] = []
        guard let r = JSONReader(try JSONValue.parse(text), file: file, what: "a sample", problems: &problems) else { return problems }
        r.rejectUnknownKeys(["name", "count", "ratio", "on", "kind", "tags", "meta"], problems: &problems)
        _ = r.string("name", required: true, maxLength: 5, problems: &problems)
        _ = r.integer("count", in: 1...10, problems: &problems)
        _ = r.number("ratio", problems: &problems)
        _ = r.bool("on", problems: &problems)
        _ = r.choice("kind", among: ["linear", "log"], problems: &problems)
        _ = r.array("tags", problems: &problems)
        if let meta = r.nested("meta", what: "`meta`", problems: &problems) {
            meta.rejectUnknownKeys(["owner"], problems: &problems)
            _ = meta.string("owner", required: true, problems: &problems)
        }
        return problems
    }

    static let cases: [(String, [String])] = [
        (#"{"name": "a"}"#, []),
        (#"{"name": "a", "count": 3, "ratio": 0.5, "on": true, "kind": "log", "tags": [], "meta": {"owner": "x"}}"#, []),
        (#"[1]"#, ["$ json.type"]),
        (#"{}"#, ["$.name json.missing"]),
        (#"{"name": ""}"#, ["$.name json.empty"]),
        (#"{"name": "abcdefg"}"#, ["$.name json.too-long"]),
        (#"{"name": 1}"#, ["$.name json.type"]),
        (#"{"name": "a", "count": 2.5}"#, ["$.count json.range"]),
        (#"{"name": "a", "count": 11}"#, ["$.count json.range"]),
        (#"{"name": "a", "count": "3"}"#, ["$.count json.type"]),
        (#"{"name": "a", "on": "yes"}"#, ["$.on json.type"]),
        (#"{"name": "a", "kind": "lin"}"#, ["$.kind json.choice"]),
        (#"{"name": "a", "tags": {}}"#, ["$.tags json.type"]),
        (#"{"name": "a", "meta": 3}"#, ["$.meta json.type"]),
        (#"{"name": "a", "meta": {"ownr": "x"}}"#, ["$.meta.ownr json.unknown-key", "$.meta.owner json.missing"]),
        (#"{"name": "a", "nmae": "b"}"#, ["$.nmae json.unknown-key"]),
        // Every problem at once, never only the first.
        (#"{"count": 0, "ratio": "x", "on": 1, "kind": "cubic", "extra": 1, "meta": {}}"#,
         ["$.extra json.unknown-key", "$.name json.missing", "$.count json.range", "$.ratio json.type", "$.on json.type",
          "$.kind json.choice", "$.meta.owner json.missing"]),
    ]

    @Test(arguments: JSONReaderTests.cases)
    func everyProblemIsReportedWithItsPathAndCode(_ text: String, _ expected: [String]) throws {
        let problems = try Self.read(text)
        #expect(problems.map { "\($0.path) \($0.code)" } == expected, "\(problems)")
    }

    @Test func unknownKeysAndChoicesSuggestTheNearestKnownOne() throws {
        let problems = try Self.read(#"{"nmae": "a", "kind": "lgo"}"#)
        #expect(problems.first?.message == "unknown key `nmae`")
        #expect(problems.first?.hint == "did you mean `name`? known keys: count, kind, meta, name, on, ratio, tags")
        // Said once, in the hint: the rendered problem does not repeat it.
        #expect(problems.first.map { $0.description.ranges(of: "did you mean").count } == 1, "\(problems)")
        #expect(problems.last?.hint == #"did you mean `log`? one of "linear", "log""#)
    }

    @Test func aFileNamePrecedesThePath() throws {
        let problems = try Self.read(#"{"meta": {}}"#, file: "sample.json")
        #expect(problems.map(\.path) == ["sample.json: $.name", "sample.json: $.meta.owner"])
        #expect(problems.first?.description == "sample.json: $.name: `name` is required")
    }
}
