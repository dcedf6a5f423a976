import CascadeFormula
import Testing

/// Two formulas compared on probe points, including points on each side of their thresholds.
struct FormulaDifferenceTests {
    static func compiled(_ source: String) throws -> CompiledFormula {
        try #require(Formula.compile(source, inputs: ["s": .number]).formula)
    }

    /// (a, b, base values of `s`, the values of `s` where they differ).
    static let cases: [(String, String, [Double], [Double])] = [
        // `<` against `<=`: only the threshold itself differs, and only threshold probing finds it.
        ("if (s < 80) return -0.25; return 0;", "if (s <= 80) return -0.25; return 0;", [72, 100], [80]),
        ("return s * 2;", "return s + s;", [1, 2.5], []),
        // A different cut: the points between the two thresholds' probes differ.
        ("if (s > 120) return 1; return 0;", "if (s > 110) return 1; return 0;", [100], [110.00011, 119.99988, 120]),
        // Falling off the end against a value.
        ("if (s > 0) return 1;", "if (s > 0) return 1; return 0;", [5], [-1e-06, 0]),
    ]

    @Test(arguments: cases)
    func differingPointsAreFound(_ a: String, _ b: String, _ bases: [Double], _ expected: [Double]) throws {
        let (x, y) = (try Self.compiled(a), try Self.compiled(b))
        let base = bases.map { ["s": Value.number($0)] }
        let result = FormulaDifference.compare(x, y, probes: base + FormulaDifference.thresholdProbes([x, y], bases: base))
        let found = result.differing.compactMap { point -> Double? in
            if case .number(let s)? = point.bindings["s"] { s } else { nil }
        }
        #expect(Set(found) == Set(expected), "\(result.differing)")
    }

    @Test func outcomesAreRenderedAndTheLargestDifferenceIsNamed() throws {
        let result = FormulaDifference.compare(try Self.compiled("if (s > 0) return s;"), try Self.compiled("return s * 3;"),
                                               probes: [["s": .number(1)], ["s": .number(-2)], ["s": .number(1)]])
        #expect(result.probeCount == 2)
        #expect(result.differing.map(\.a) == ["1", "undefined"])
        #expect(result.differing.map(\.b) == ["3", "-6"])
        #expect(result.largest?.bindings == ["s": .number(1)] && result.largest?.difference == 2)
    }
}
