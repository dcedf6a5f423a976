import CascadeFormula
import CascadeJSON

/// Two versions of one formula side by side — their text, and the probe points on which they compute
/// different values. The one definition behind `cascade formula diff` and `GET /v1/formulas/{name}/diff`.
package struct FormulaVersionDiff: Sendable {
    package var a: FormulaVersion
    package var b: FormulaVersion
    /// The line difference: `  ` kept, `- ` only in `a`, `+ ` only in `b`.
    package var text: [String]
    package var difference: FormulaDifference

    /// The document `formula diff --json` prints, listing at most `top` differing points.
    package func json(top: Int) -> JSONValue {
        .object(JSONObject([
            ("ok", .bool(true)), ("a", .string(a.reference)), ("b", .string(b.reference)),
            ("text", .array(text.map(JSONValue.string))), ("probes", .number(Double(difference.probeCount))),
            ("identical", .bool(difference.differing.isEmpty)),
            ("differing", .array(difference.differing.prefix(top).map(Self.json))),
            ("differing_count", .number(Double(difference.differing.count))),
            ("largest", difference.largest.map(Self.json) ?? .null),
        ]))
    }

    /// A point's inputs as `name=value` pairs in name order.
    package static func inputs(_ bindings: [String: Value]) -> String {
        bindings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    static func json(_ point: FormulaDifference.Point) -> JSONValue {
        .object(JSONObject([
            ("inputs", .object(JSONObject(point.bindings.sorted { $0.key < $1.key }.map { ($0.key, JSONValue($0.value)) }))),
            ("a", .string(point.a)), ("b", .string(point.b)), ("difference", point.difference.map(JSONValue.number) ?? .null),
        ]))
    }

    /// Compiles a stored version as this binary would run it.
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

    /// A line difference by longest common subsequence.
    /// - Complexity: O(m·n) for texts of m and n lines.
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

extension Store {
    /// Compares two stored versions: evaluated on the union of both versions' test inputs, the inputs
    /// of `backtest`'s dates (run once per version), and points just below, on and just above every
    /// constant either compares an input against.
    package func diff(_ first: FormulaReference, _ second: FormulaReference, backtest: BacktestSpec? = nil) throws -> FormulaVersionDiff {
        let versions = try [first, second].map { try formula($0) }
        let compiled = try versions.map(FormulaVersionDiff.compile)
        var bases: [[String: Value]] = versions.flatMap { version in
            version.document.testCases.map { testCase in
                testCase.inputs.reduce(into: [String: Value]()) { bindings, member in bindings[member.key] = try? member.value.formulaValue() }
            }
        }
        if var spec = backtest {
            for version in versions {
                spec.formula = FormulaReference(name: version.name, version: version.version)
                bases += try self.backtest(spec).points.map(\.inputs)
            }
        }
        let difference = FormulaDifference.compare(compiled[0], compiled[1],
                                                   probes: bases + FormulaDifference.thresholdProbes(compiled, bases: bases))
        return FormulaVersionDiff(a: versions[0], b: versions[1],
                                  text: FormulaVersionDiff.lines(versions[0].document.formulaText, versions[1].document.formulaText),
                                  difference: difference)
    }
}
