@testable import CascadeEngine
import Testing

/// The interner gives each distinct text (byte for byte) one index, in first-seen order, whether
/// the text comes as a string or as bytes, through the table's growth.
struct TextInternerTests {
    @Test(arguments: [
        ("repeats", (0..<2_000).map { "return source.delta * \($0 % 37);" }),
        ("many distinct (the table grows)", (0..<1_500).map { "{\"formula\": \"f\($0 % 700)\"}" }),
        ("byte-different look-alikes", ["é", "e\u{301}", "", "a", "a ", "é", "e\u{301}", ""]),
    ])
    func eachDistinctTextHasOneIndex(name: String, texts: [String]) {
        var expected: [String] = []
        var fromStrings = TextInterner(), fromBytes = TextInterner()
        for (k, text) in texts.enumerated() {
            let index = expected.firstIndex { Array($0.utf8) == Array(text.utf8) } ?? expected.count
            if index == expected.count { expected.append(text) }
            #expect(fromStrings.intern(text) == Int32(index), "\(name): \(k)")
            var copy = text
            #expect(copy.withUTF8 { fromBytes.intern(bytes: $0) } == Int32(index), "\(name): \(k)")
        }
        #expect(fromStrings.texts.map { Array($0.utf8) } == expected.map { Array($0.utf8) })
        #expect(fromBytes.texts.map { Array($0.utf8) } == expected.map { Array($0.utf8) })
    }
}
