import CascadeJSON
import Testing

/// The strict JSON reader: what it accepts, what it refuses, and where it says the problem is.
struct JSONParserTests {
    @Test func valuesRoundTripWithKeyOrderKept() throws {
        let text = #"{"b":1,"a":[true,false,null,"x\n\u00e9\ud83d\ude00"],"c":{"d":-0.5e-3}}"#
        let value = try JSONValue.parse(text)
        #expect(value.objectValue?.keys == ["b", "a", "c"])
        #expect(value["a"]?.arrayValue?[3] == .string("x\né😀"))
        #expect(value["c"]?["d"] == .number(-0.0005))
        #expect(value.serialized() == #"{"b":1,"a":[true,false,null,"x\né😀"],"c":{"d":-0.0005}}"#)
        #expect(value.serialized(sortedKeys: true).hasPrefix(#"{"a":"#))
    }

    static let refused: [(String, String, Int, Int)] = [
        (#"{"a": 1, "a": 2}"#, "duplicate key", 1, 10),
        (#"{"a": NaN}"#, "NaN and Infinity", 1, 7),
        (#"[1, 2,]"#, "expected a value", 1, 7),
        ("{\"a\":\n  01}", "leading zeros", 2, 3),
        (#"{"a": 1e400}"#, "outside the range", 1, 7),
        (#""\ud800""#, "unpaired surrogate", 1, 8),
        (#"{"a": 1} x"#, "after the JSON value", 1, 10),
        ("{\"a\": \"tab\there\"}", "control character", 1, 11),
    ]

    @Test(arguments: JSONParserTests.refused)
    func malformedDocumentsAreLocated(_ text: String, _ message: String, _ line: Int, _ column: Int) {
        do {
            _ = try JSONValue.parse(text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.message.contains(message), "\(error)")
            #expect(error.line == line && error.column == column, "\(error)")
        }
    }

    @Test func errorsCarryThePathOfTheValueBeingRead() {
        do {
            _ = try JSONValue.parse(#"{"relationships": [{"id": "r1"}, {"weight": tru}]}"#)
            Issue.record("accepted")
        } catch {
            #expect(error.path.description == "$.relationships[1].weight")
        }
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONError.self) { try JSONValue.parse(deep) }
    }

    @Test func largeObjectsKeepConstantTimeLookups() throws {
        let keys = (0..<5_000).map { "k\($0)" }
        let text = "{" + keys.map { "\"\($0)\": 1" }.joined(separator: ", ") + "}"
        let object = try #require(try JSONValue.parse(text).objectValue)
        #expect(object.count == 5_000 && object["k4999"] == .number(1) && object["missing"] == nil)
        #expect(throws: JSONError.self) { try JSONValue.parse("{" + keys.map { "\"\($0)\": 1" }.joined(separator: ", ") + ", \"k17\": 2}") }
    }

    /// Keys compare code unit by code unit, as in JavaScript: precomposed `é` and `e` + combining
    /// acute are two keys (Swift's `String ==` calls them equal), in small and indexed objects.
    @Test(arguments: [0, 40])
    func keysCompareByCodeUnitsNotCanonicalEquivalence(_ padding: Int) throws {
        let filler = (0..<padding).map { "\"k\($0)\": 0, " }.joined()
        let object = try #require(try JSONValue.parse("{" + filler + #""\u00e9": 1, "e\u0301": 2}"#).objectValue)
        #expect(object.count == padding + 2)
        #expect(object["\u{e9}"] == .number(1))
        #expect(object["e\u{301}"] == .number(2))
        #expect(JSONValue.object(object) != JSONValue.object(JSONObject([("\u{e9}", .number(1)), ("\u{e9}", .number(2))])))
    }

    /// The canonical form orders keys by UTF-8 bytes: `e` + combining (0x65 …) before `é` (0xC3 …),
    /// and `Z` before `a`.
    @Test func canonicalKeyOrderIsUTF8ByteOrder() throws {
        let value = try JSONValue.parse(#"{"\u00e9": 1, "a": 2, "e\u0301": 3, "Z": 4}"#)
        #expect(value.serialized(sortedKeys: true) == "{\"Z\":4,\"a\":2,\"e\u{301}\":3,\"\u{e9}\":1}")
        #expect(value.withSortedKeys().serialized() == value.serialized(sortedKeys: true))
    }

    @Test func pathsQuoteKeysThatAreNotPlainNames() {
        let path = JSONPath.root.appending("entity_shocks").appending("co nvidia").appending(2)
        #expect(path.description == #"$.entity_shocks["co nvidia"][2]"#)
    }
}
