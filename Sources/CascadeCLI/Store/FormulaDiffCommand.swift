import ArgumentParser
import CascadeFormula
import CascadeJSON
import CascadeStore

/// `cascade formula diff NAME@A NAME@B [--backtest SPEC]`: the text difference, and where the two compute different values.
struct FormulaDiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show how two formula versions differ: their text, and the inputs on which they compute different values.",
        discussion: """
            Both versions are evaluated on the union of their test inputs, the dates of --backtest (if \
            given), and points just below, on and just above every constant either compares an input \
            against; the differing inputs are listed with both results and the largest difference.
            """)

    @OptionGroup var store: StoreOptions
    @Argument(help: "NAME@A.") var first: String
    @Argument(help: "NAME@B.") var second: String
    @Option(help: "A backtest spec whose dates' inputs are probed too.") var backtest: String?
    @Option(parsing: .unconditional, help: "Differing points listed.", transform: NumericOption.integer(1...10_000)) var top = 10

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let opened = try store.openStore()
            let versions = try [first, second].map { try opened.formula(try FormulaReference.parseArgument($0, requireVersion: true)) }
            let compiled = try versions.map(Self.compile)
            var bases: [[String: Value]] = versions.flatMap { version in
                version.document.testCases.map { testCase in
                    testCase.inputs.reduce(into: [String: Value]()) { bindings, member in bindings[member.key] = try? member.value.formulaValue() }
                }
            }
            if let backtest {
                var spec = try FormulaDocumentFile.readBacktestSpec(backtest)
                for version in versions {
                    spec.formula = FormulaReference(name: version.name, version: version.version)
                    bases += try opened.backtest(spec).points.map(\.inputs)
                }
            }
            let difference = FormulaDifference.compare(compiled[0], compiled[1],
                                                       probes: bases + FormulaDifference.thresholdProbes(compiled, bases: bases))
            let text = TextDiff.lines(versions[0].document.formulaText, versions[1].document.formulaText)
            if store.json {
                StoreOutput.printJSON(.object(JSONObject([
                    ("ok", .bool(true)), ("a", .string(versions[0].reference)), ("b", .string(versions[1].reference)),
                    ("text", .array(text.map(JSONValue.string))), ("probes", .number(Double(difference.probeCount))),
                    ("identical", .bool(difference.differing.isEmpty)),
                    ("differing", .array(difference.differing.prefix(top).map(Self.json))),
                    ("differing_count", .number(Double(difference.differing.count))),
                    ("largest", difference.largest.map(Self.json) ?? .null),
                ])))
                return
            }
            StoreOutput.print("--- \(versions[0].reference)\n+++ \(versions[1].reference)")
            StoreOutput.print(text.joined(separator: "\n"))
            if difference.differing.isEmpty {
                StoreOutput.print("identical on all \(difference.probeCount) probe points")
                return
            }
            StoreOutput.print("different on \(difference.differing.count) of \(difference.probeCount) probe points:")
            StoreOutput.print(StoreOutput.table(["  inputs", versions[0].reference, versions[1].reference], difference.differing.prefix(top).map { p in
                ["  " + Self.inputs(p.bindings), p.a, p.b]
            }))
            if let largest = difference.largest, let d = largest.difference {
                StoreOutput.print("largest difference: \(JSNumber.format(d)) at \(Self.inputs(largest.bindings))")
            }
        }
    }

    static func compile(_ version: FormulaVersion) throws -> CompiledFormula {
        var inputs: [String: InputType] = [:]
        for (name, type) in version.document.parameters {
            if let declared = type.stringValue.flatMap(InputType.init(declared:)) { inputs[name] = declared }
        }
        guard let formula = Formula.compile(version.document.formulaText, inputs: inputs).formula else {
            throw StoreError(.invalidInput, "\(version.reference) does not compile with this binary", hint: "`cascade formula test \(version.reference)` shows why")
        }
        return formula
    }

    static func inputs(_ bindings: [String: Value]) -> String {
        bindings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    static func json(_ point: FormulaDifference.Point) -> JSONValue {
        .object(JSONObject([
            ("inputs", .object(JSONObject(point.bindings.sorted { $0.key < $1.key }.map { ($0.key, JSONValue($0.value)) }))),
            ("a", .string(point.a)), ("b", .string(point.b)), ("difference", point.difference.map(JSONValue.number) ?? .null),
        ]))
    }
}

/// A line difference by longest common subsequence: `  ` kept, `- ` only in the first, `+ ` only in the second.
enum TextDiff {
    static func lines(_ a: String, _ b: String) -> [String] {
        let x = a.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let y = b.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var common = Array(repeating: Array(repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in stride(from: x.count - 1, through: 0, by: -1) {
            for j in stride(from: y.count - 1, through: 0, by: -1) {
                common[i][j] = x[i] == y[j] ? common[i + 1][j + 1] + 1 : max(common[i + 1][j], common[i][j + 1])
            }
        }
        var out: [String] = []
        var i = 0, j = 0
        while i < x.count || j < y.count {
            if i < x.count, j < y.count, x[i] == y[j] {
                out.append("  " + x[i]); i += 1; j += 1
            } else if i < x.count, j == y.count || common[i + 1][j] >= common[i][j + 1] {
                out.append("- " + x[i]); i += 1
            } else {
                out.append("+ " + y[j]); j += 1
            }
        }
        return out
    }
}
