@testable import CascadeEngine
import CascadeFormula
import CascadeJSON
import Testing

/// The direct serialisation of results must equal the JSONValue form byte for byte.
struct ResultSerializationTests {
    @Test func numbersAreWrittenAsJSNumberFormatsThem() {
        var g = PropertyTests.Generator(state: 99)
        var values: [Double] = [0, -0.0, 1, -1, 0.1, 1e-7, 1e-6, 1.5e-6, 123456.789, 1e15, 1e16, 1e20, 1e21, 1e22,
                                9_007_199_254_740_991, 9_007_199_254_740_992, 9_007_199_254_740_993, -2.5e-5, 5e-324,
                                .greatestFiniteMagnitude, .nan, .infinity, -.infinity, 0.000123, 1234567890123.25]
        for _ in 0..<20_000 { values.append(Double(bitPattern: g.next())) }
        for _ in 0..<20_000 { values.append((g.unit() - 0.5) * pow10(g.int(-12...25))) }
        for _ in 0..<5_000 { values.append(Double(g.int(-1_000_000...1_000_000))) }
        for x in values {
            var out = ""
            appendJSONNumber(x, to: &out)
            #expect(out == JSONValue.number(x).serialized(), "\(x.bitPattern)")
        }
    }

    func pow10(_ n: Int) -> Double {
        var x = 1.0
        for _ in 0..<abs(n) { x *= 10 }
        return n < 0 ? 1 / x : x
    }

    @Test(arguments: PropertyTests.seeds.prefix(15))
    func entityTextsEqualTheirSortedJSONValues(_ seed: UInt64) throws {
        let result = try PropertyTests.world(seed: seed).run(PropertyTests.shocked(seed))
        #expect(!result.entities.isEmpty)
        for k in result.entities.indices {
            #expect(result.entities.jsonText(at: k) == result.entities[k].json.withSortedKeys().serialized())
        }
    }
}
