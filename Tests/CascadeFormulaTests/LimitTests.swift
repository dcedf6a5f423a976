import CascadeFormula
import Testing

/// Inputs of any size or shape end in a clean `limit` diagnostic: no crash, no stack overflow,
/// no unbounded work. (Durations are printed for the record, never asserted.)
struct LimitTests {
    static func timed<T>(_ label: String, _ body: () -> T) -> T {
        let clock = ContinuousClock()
        var result: T?
        let duration = clock.measure { result = body() }
        print("\(label): \(duration)")
        return result!
    }

    static var unlimitedSource: Limits {
        var limits = Limits()
        limits.maxSourceBytes = 64 << 20
        return limits
    }

    @Test func hundredThousandNestedParentheses() {
        let source = String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000)
        let bySize = LimitTests.timed("100k parens, default limits") { Formula.compile(source, inputs: [:]) }
        #expect(bySize.formula == nil)
        #expect(bySize.errors.map(\.code) == ["limit.source-size"])

        let byDepth = LimitTests.timed("100k parens, no size limit") {
            Formula.compile(source, inputs: [:], limits: LimitTests.unlimitedSource)
        }
        #expect(byDepth.errors.map(\.code) == ["limit.depth"])
    }

    /// Source and node limits raised far past any nesting test (16 MiB, 10 M nodes): only the
    /// depth guard stands between these inputs and a stack overflow.
    static var raisedLimits: Limits {
        var limits = Limits()
        limits.maxSourceBytes = 16 << 20
        limits.maxNodes = 10_000_000
        return limits
    }

    /// 100 000 levels of every way to nest, each with the size and node limits out of the way.
    static let deepNesting: [(label: String, source: String)] = [
        ("(", String(repeating: "(", count: 100_000) + "x" + String(repeating: ")", count: 100_000)),
        ("[", String(repeating: "[", count: 100_000) + "x" + String(repeating: "]", count: 100_000)),
        ("x[", String(repeating: "x[", count: 100_000) + "\"a\"" + String(repeating: "]", count: 100_000)),
        ("new", String(repeating: "new ", count: 100_000) + "x"),
        ("!", String(repeating: "!", count: 100_000) + "x"),
        ("-", String(repeating: "- ", count: 100_000) + "x"),
        ("?:", String(repeating: "x ? ", count: 100_000) + "1" + String(repeating: " : 2", count: 100_000)),
        ("if (…) {", String(repeating: "if (x) { ", count: 100_000) + "return 1;" + String(repeating: " }", count: 100_000)),
        ("{ in an expression", "return " + String(repeating: "{", count: 100_000) + String(repeating: "}", count: 100_000)),
        ("=>", String(repeating: "y => ", count: 100_000) + "x"),
        ("**", Array(repeating: "x", count: 100_000).joined(separator: " ** ")),
        ("call", String(repeating: "Math.abs(", count: 100_000) + "x" + String(repeating: ")", count: 100_000)),
        ("function body", "function f() " + String(repeating: "{", count: 100_000)),
    ]

    @Test(arguments: deepNesting.indices)
    func deepNestingIsALimitErrorWhateverTheOtherLimits(_ index: Int) {
        let (label, source) = Self.deepNesting[index]
        let compilation = Formula.compile(source, inputs: ["x": .boolean], limits: Self.raisedLimits)
        #expect(compilation.formula == nil, "\(label)")
        // A rejected construct (`new`, `function`, `=>`) is reported before the depth it reaches.
        #expect(compilation.errors.contains { $0.code == "limit.depth" }, "\(label): \(compilation.errors.map(\.code))")
        #expect(compilation.diagnostics.count <= Limits.default.maxDiagnostics + 2)  // the cap, the limit, "n more"
    }

    @Test func deepUnaryAndTernaryAndBlockNesting() {
        for source in [String(repeating: "- ", count: 100_000) + "1",
                       String(repeating: "!", count: 100_000) + "true",
                       String(repeating: "x ? ", count: 50_000) + "1" + String(repeating: " : 2", count: 50_000),
                       String(repeating: "{", count: 100_000) + String(repeating: "}", count: 100_000),
                       String(repeating: "if (x) ", count: 50_000) + "return 1;",
                       String(repeating: "Math.abs(", count: 50_000) + "1" + String(repeating: ")", count: 50_000)] {
            let compilation = Formula.compile(source, inputs: ["x": .boolean], limits: LimitTests.unlimitedSource)
            #expect(compilation.formula == nil)
            #expect(compilation.errors.first?.code == "limit.depth", "\(source.prefix(20)): \(compilation.errors.map(\.code))")
        }
    }

    @Test func tenMegabyteFormula() {
        let source = String(repeating: "x + ", count: 2_500_000) + "x"
        #expect(source.utf8.count >= 10_000_000)
        let compilation = LimitTests.timed("10 MB formula") { Formula.compile(source, inputs: ["x": .number]) }
        #expect(compilation.errors.map(\.code) == ["limit.source-size"])
    }

    @Test func hundredThousandTermAndChain() {
        let source = Array(repeating: "a", count: 100_000).joined(separator: " && ")
        let bySize = Formula.compile(source, inputs: ["a": .boolean])
        #expect(bySize.errors.map(\.code) == ["limit.source-size"])
        let byNodes = LimitTests.timed("100k && chain, no size limit") {
            Formula.compile(source, inputs: ["a": .boolean], limits: LimitTests.unlimitedSource)
        }
        #expect(byNodes.errors.map(\.code) == ["limit.nodes"])
    }

    @Test func theLargestAcceptedChainEvaluates() throws {
        // Just under the node limit: a left-deep chain of 999 additions compiles and runs.
        let source = Array(repeating: "x", count: 1_000).joined(separator: " + ")
        let formula = try #require(Formula.compile(source, inputs: ["x": .number]).formula)
        #expect(try formula.evaluate(["x": .number(1)]) == .number(1_000))
    }

    @Test func otherLimits() {
        var limits = Limits()
        limits.maxLocals = 3
        let locals = Formula.compile("const a = 1; const b = 2; const c = 3; const d = 4; return a;", inputs: [:], limits: limits)
        #expect(locals.errors.map(\.code) == ["limit.locals"])

        let longString = "\"" + String(repeating: "a", count: 2_000) + "\""
        #expect(Formula.compile(longString, inputs: [:]).errors.map(\.code) == ["limit.string-length"])

        let arguments = "Math.max(" + Array(repeating: "1", count: 40).joined(separator: ", ") + ")"
        #expect(Formula.compile(arguments, inputs: [:]).errors.map(\.code) == ["limit.arguments"])

        limits = Limits()
        limits.maxCost = 10
        let cost = Formula.compile("x + x + x + x + x + x + x", inputs: ["x": .number], limits: limits)
        #expect(cost.errors.map(\.code) == ["limit.cost"])
    }

    @Test func binaryGarbageIsRejectedCleanly() {
        var generator = SplitMix64(seed: 0xC0FFEE)  // seeded: a failure reproduces
        for _ in 0..<200 {
            let bytes = (0..<generator.below(600)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let source = String(decoding: bytes, as: UTF8.self)
            let compilation = Formula.compile(source, inputs: ["x": .number])
            for diagnostic in compilation.diagnostics {
                #expect(diagnostic.range.end <= source.utf8.count + 1)
                _ = diagnostic.rendered(source: source)
            }
        }
    }
}
