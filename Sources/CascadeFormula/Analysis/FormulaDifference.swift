/// Where two formulas compute different values: both are evaluated on the same probe points (test
/// inputs, history, and points on each side of every constant either compares an input against)
/// and the points whose outcomes differ are listed. A pure stage over the public `evaluate`.
package struct FormulaDifference: Sendable {
    /// One probe point on which the two formulas disagree.
    package struct Point: Sendable, Equatable {
        package var bindings: [String: Value]
        /// The outcome as `eval` prints it: a value, `undefined`, or `error CODE`.
        package var a: String
        package var b: String
        /// |a − b| when both are numbers.
        package var difference: Double?
    }

    package var probeCount: Int
    package var differing: [Point]

    /// The largest numeric difference among the differing points.
    package var largest: Point? {
        differing.filter { $0.difference != nil }.max { ($0.difference ?? 0) < ($1.difference ?? 0) }
    }

    /// Evaluates both formulas on every probe (duplicates removed) and keeps the points where they differ.
    /// - Complexity: O(probes) evaluations of each formula.
    package static func compare(_ a: CompiledFormula, _ b: CompiledFormula, probes: [[String: Value]]) -> FormulaDifference {
        var seen: Set<[String: Value]> = []
        var differing: [Point] = []
        for bindings in probes where seen.insert(bindings).inserted {
            let x = outcome(a, bindings), y = outcome(b, bindings)
            guard x != y else { continue }
            var difference: Double?
            if case .success(.number(let p)) = x, case .success(.number(let q)) = y { difference = abs(p - q) }
            differing.append(Point(bindings: bindings, a: render(x), b: render(y), difference: difference))
        }
        return FormulaDifference(probeCount: seen.count, differing: differing)
    }

    /// From each base point, the points just below, on and just above every constant that either
    /// formula compares a plain numeric input against (as `TestCoverage` finds them).
    package static func thresholdProbes(_ formulas: [CompiledFormula], bases: [[String: Value]]) -> [[String: Value]] {
        var thresholds: [String: Set<Double>] = [:]
        for formula in formulas { CoverageWalk.collectThresholds(formula.checked, into: &thresholds) }
        var probes: [[String: Value]] = []
        for base in bases {
            for input in thresholds.keys.sorted() {
                for t in thresholds[input, default: []].sorted() {
                    let step = max(abs(t) * 1e-6, 1e-6)
                    for x in [t - step, t, t + step] {
                        var probe = base
                        probe[input] = .number(x)
                        probes.append(probe)
                    }
                }
            }
        }
        return probes
    }

    static func outcome(_ formula: CompiledFormula, _ bindings: [String: Value]) -> Result<Value, FormulaError> {
        do { return .success(try formula.evaluate(bindings)) } catch { return .failure(error) }
    }

    static func render(_ outcome: Result<Value, FormulaError>) -> String {
        switch outcome {
        case .success(let value): value.description
        case .failure(let error): "error \(error.diagnostic.code)"
        }
    }
}
