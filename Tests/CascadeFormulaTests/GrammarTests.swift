import CascadeFormula
import Foundation
import Testing

/// Every example in Grammar/formula.ebnf parses and checks (`(*> … *)`) or is rejected (`(*! … *)`).
struct GrammarTests {
    struct Example: CustomTestStringConvertible, Sendable {
        var source: String
        var mustPass: Bool
        var testDescription: String { (mustPass ? "accepts " : "rejects ") + source }
    }

    static let grammarPath = String(#filePath).split(separator: "/").dropLast(3).joined(separator: "/")
        + "/Grammar/formula.ebnf"

    static let examples: [Example] = {
        let path = "/" + grammarPath
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        var examples: [Example] = []
        var rest = Substring(text)
        // Examples start at the beginning of a line.
        while let open = [rest.range(of: "\n(*> "), rest.range(of: "\n(*! ")].compactMap({ $0 }).min(by: { $0.lowerBound < $1.lowerBound }) {
            let mustPass = rest[open].hasPrefix("\n(*>")
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.range(of: " *)") else { break }
            examples.append(Example(source: String(afterOpen[..<close.lowerBound]), mustPass: mustPass))
            rest = afterOpen[close.upperBound...]
        }
        return examples
    }()

    static let inputs: [String: InputType] = [
        "x": .number, "y": .number, "z": .number, "gdpGrowth": .number, "baseline": .number, "elasticity": .number,
        "flag": .boolean, "region": .string,
        "source": .record(["value": .number, "baseline": .number, "delta": .number, "impact": .number,
                           "metadata": .record(["price": .number, "region": .string])]),
    ]

    @Test func theGrammarFileHasExamples() {
        #expect(GrammarTests.examples.filter(\.mustPass).count >= 30)
        #expect(GrammarTests.examples.filter { !$0.mustPass }.count >= 9)
    }

    @Test(arguments: GrammarTests.examples)
    func example(_ example: Example) {
        let compilation = Formula.compile(example.source, inputs: GrammarTests.inputs)
        if example.mustPass {
            #expect(compilation.errors.isEmpty, "\(compilation.errors.map { $0.rendered(source: example.source) })")
        } else {
            #expect(!compilation.errors.isEmpty)
        }
    }
}
