import CascadeFormula
import CascadeJSON

/// Reading and writing a scenario's Monte Carlo members: a distribution in place of a macro
/// variable's value, and the top-level `draws`, `seed`, `correlation` and `threshold`.
extension Scenario {
    static let monteCarloKeys = ["draws", "seed", "correlation", "threshold"]
    static let distributionExample = #"a distribution is {"normal": {"mean": 0.025, "sd": 0.005}}, {"uniform": {"min": 0.02, "max": 0.03}} or {"triangular": {"min": 0.02, "mode": 0.025, "max": 0.03}}, each optionally with "unit""#

    /// Whether a macro variable's object value is a distribution (not `{"value": …, "unit": …}`).
    static func isDistribution(_ value: JSONObject) -> Bool {
        !value.keys.contains("value") && !value.keys.contains("unit")
            && (value.keys.contains { key in Distribution.kinds.contains { $0.name == key } } || value.pairs.contains { if case .object = $0.value { true } else { false } })
    }

    /// `{"normal": {"mean": 2.5, "sd": 0.5, "unit": "%"}}` → `.normal(mean: 0.025, sd: 0.005)`.
    static func readDistribution(_ reader: JSONReader, problems: inout [Problem]) -> Distribution? {
        reader.rejectUnknownKeys(Set(Distribution.kinds.map(\.name)), what: "distribution", example: distributionExample, problems: &problems)
        let given = Distribution.kinds.filter { reader.object.keys.contains($0.name) }
        guard given.count == 1, let kind = given.first else {
            if given.count > 1 {
                problems.append(reader.problemHere("scenario.distribution", "a variable has one distribution, not " + given.map { "`\($0.name)`" }.joined(separator: " and "),
                                                   hint: distributionExample))
            } else if reader.object.keys.allSatisfy({ key in Distribution.kinds.contains { $0.name == key } }) {
                problems.append(reader.problemHere("scenario.distribution", "an empty object is neither a value nor a distribution", hint: distributionExample))
            }
            return nil
        }
        guard let parameters = reader.nested(kind.name, what: "the parameters of `\(kind.name)`", problems: &problems) else {
            if reader.object[kind.name] == .null {
                problems.append(reader.problem(kind.name, "json.type", "the parameters of `\(kind.name)` must be an object, not null", hint: distributionExample))
            }
            return nil
        }
        parameters.rejectUnknownKeys(Set(kind.parameters + ["unit"]), what: "parameter of `\(kind.name)`", problems: &problems)
        var divisor = 1.0
        if parameters.has("unit") {
            let known = explicitUnits.flatMap(\.names)
            guard let unit = parameters.choice("unit", among: known, problems: &problems) else { return nil }
            divisor = explicitUnits.first { $0.names.contains(unit) }?.divisor ?? 1
        }
        var values: [String: Double] = [:]
        for name in kind.parameters {
            if let x = parameters.number(name, required: true, problems: &problems) { values[name] = x / divisor }
        }
        guard values.count == kind.parameters.count else { return nil }
        switch kind.name {
        case "normal":
            guard values["sd"]! >= 0 else {
                problems.append(parameters.problem("sd", "json.range", "`sd` must be 0 or more, not \(JSNumber.format(values["sd"]! * divisor))"))
                return nil
            }
            return .normal(mean: values["mean"]!, sd: values["sd"]!)
        case "uniform":
            guard values["min"]! <= values["max"]! else {
                problems.append(parameters.problem("max", "json.range", "`max` must be at least `min`",
                                                   hint: "\(JSNumber.format(values["min"]! * divisor)) > \(JSNumber.format(values["max"]! * divisor)); swap them?"))
                return nil
            }
            return .uniform(min: values["min"]!, max: values["max"]!)
        default:
            let (lo, mode, hi) = (values["min"]!, values["mode"]!, values["max"]!)
            guard lo <= mode, mode <= hi else {
                problems.append(parameters.problem("mode", "json.range", "a triangular distribution needs `min` ≤ `mode` ≤ `max`",
                                                   hint: "the values are min \(JSNumber.format(lo * divisor)), mode \(JSNumber.format(mode * divisor)), max \(JSNumber.format(hi * divisor))"))
                return nil
            }
            return .triangular(min: lo, mode: mode, max: hi)
        }
    }

    /// Reads `draws`, `seed`, `correlation` and `threshold` given the distributions read from
    /// `macro_variables`; nil for a point scenario (then none of them may be present).
    /// `wroteDistribution`: some variable was written as a distribution, even one with problems
    /// of its own (then `draws` and the rest are read as for a Monte Carlo scenario).
    static func readMonteCarlo(_ document: JSONReader, distributions: [String: Distribution], wroteDistribution: Bool,
                               problems: inout [Problem]) -> MonteCarlo? {
        guard wroteDistribution else {
            for key in monteCarloKeys where document.has(key) {
                problems.append(document.problem(key, "scenario.monte-carlo", "`\(key)` applies only when some macro variable gives a distribution",
                                                 hint: distributionExample))
            }
            return nil
        }
        let limit = MonteCarlo.drawsLimit
        var draws: Int?
        if !document.has("draws") {
            let names = distributions.keys.sorted(by: byteOrder).prefix(3).map { "`\($0)`" }.joined(separator: ", ")
            problems.append(document.problem("draws", "json.missing", "`draws` is required when a macro variable gives a distribution (\(names))",
                                             hint: "add \"draws\": 1000 (1 to \(limit)) and a \"seed\""))
        } else {
            draws = document.integer("draws", in: 1...limit, problems: &problems)
        }
        let seed = document.has("seed") ? document.integer("seed", in: 0...MonteCarlo.seedLimit, problems: &problems) : 0
        let threshold = document.number("threshold", problems: &problems) ?? 0
        var correlation: Correlation?
        if let reader = document.nested("correlation", what: "`correlation` (an object with `variables` and `matrix`)", problems: &problems) {
            correlation = readCorrelation(reader, distributions: distributions, problems: &problems)
        } else if document.object["correlation"] == .null {
            problems.append(document.problem("correlation", "json.type", "`correlation` must be an object with `variables` and `matrix`, not null"))
        }
        guard let draws, let seed else { return nil }
        return MonteCarlo(draws: draws, seed: seed, distributions: distributions, correlation: correlation, threshold: threshold)
    }

    /// The most variables a correlation matrix may relate (its factor is n² doubles).
    static let correlationLimit = 100

    static func readCorrelation(_ reader: JSONReader, distributions: [String: Distribution], problems: inout [Problem]) -> Correlation? {
        reader.rejectUnknownKeys(["variables", "matrix"], problems: &problems)
        let before = problems.count
        var names: [String] = []
        guard let list = reader.array("variables", required: true, problems: &problems) else { return nil }
        do {
            let at = reader.path.appending("variables")
            let known = distributions.keys.sorted(by: byteOrder)
            if list.count > correlationLimit {
                problems.append(reader.problem("variables", "json.range", "a correlation relates at most \(correlationLimit) variables, not \(list.count)"))
                return nil
            }
            for (k, item) in list.enumerated() {
                let place = JSONReader.place(reader.file, at.appending(k))
                guard case .string(let name) = item else {
                    problems.append(Problem(path: place, code: "json.type", message: "a correlated variable is a name, not \(item.typeName)"))
                    continue
                }
                if names.contains(name) {
                    problems.append(Problem(path: place, code: "scenario.correlation", message: "`\(name)` is listed twice"))
                } else if distributions[name] == nil {
                    problems.append(Problem(path: place, code: "scenario.correlation",
                                            message: "`\(name)` gives no distribution in `macro_variables`, so it has nothing to correlate",
                                            hint: JSONReader.didYouMean(name, among: known) ?? "the distribution variables are " + known.map { "`\($0)`" }.joined(separator: ", ")))
                }
                names.append(name)
            }
        }
        let n = names.count
        var matrix: [Double] = []
        if let rows = reader.array("matrix", required: true, problems: &problems) {
            let at = reader.path.appending("matrix")
            if rows.count != n {
                problems.append(reader.problem("matrix", "scenario.correlation", "`matrix` must have one row per variable: \(n), not \(rows.count)"))
                return nil
            }
            for (i, row) in rows.enumerated() {
                let place = JSONReader.place(reader.file, at.appending(i))
                guard case .array(let entries) = row, entries.count == n else {
                    problems.append(Problem(path: place, code: "scenario.correlation", message: "each row of `matrix` must be an array of \(n) numbers"))
                    continue
                }
                for (j, entry) in entries.enumerated() {
                    let cell = JSONReader.place(reader.file, at.appending(i).appending(j))
                    guard case .number(let x) = entry else {
                        problems.append(Problem(path: cell, code: "json.type", message: "a correlation is a number, not \(entry.typeName)"))
                        continue
                    }
                    if i == j && x != 1 {
                        problems.append(Problem(path: cell, code: "scenario.correlation", message: "the diagonal of a correlation matrix is 1, not \(JSNumber.format(x))"))
                    } else if abs(x) > 1 {
                        problems.append(Problem(path: cell, code: "json.range", message: "a correlation is between -1 and 1, not \(JSNumber.format(x))"))
                    }
                    matrix.append(x)
                }
            }
        }
        guard problems.count == before, matrix.count == n * n else { return nil }
        let at = reader.path.appending("matrix")
        for i in 0..<n {
            for j in 0..<i where abs(matrix[i * n + j] - matrix[j * n + i]) > 1e-12 {
                problems.append(Problem(path: JSONReader.place(reader.file, at.appending(i).appending(j)), code: "scenario.correlation",
                                        message: "the matrix is not symmetric: [\(i)][\(j)] is \(JSNumber.format(matrix[i * n + j])) but [\(j)][\(i)] is \(JSNumber.format(matrix[j * n + i]))",
                                        hint: "the correlation of `\(names[i])` with `\(names[j])` is one number; write it in both places"))
            }
        }
        guard problems.count == before else { return nil }
        guard let factor = Correlation.choleskyFactor(matrix, n: n) else {
            problems.append(reader.problem("matrix", "scenario.correlation", "the matrix is not positive semi-definite, so no variables can have these correlations",
                                           hint: "three variables cannot all be strongly negatively correlated with each other; lower the magnitudes"))
            return nil
        }
        return Correlation(variables: names, matrix: matrix, factor: factor)
    }

    /// The Monte Carlo members of the canonical document (absent for a point scenario).
    func writeMonteCarlo(into object: inout JSONObject) {
        guard let monteCarlo else { return }
        object["draws"] = .number(Double(monteCarlo.draws))
        object["seed"] = .number(Double(monteCarlo.seed))
        if let correlation = monteCarlo.correlation {
            let n = correlation.variables.count
            object["correlation"] = .object(JSONObject([
                ("variables", .array(correlation.variables.map { .string($0) })),
                ("matrix", .array((0..<n).map { i in .array((0..<n).map { j in .number(correlation.matrix[i * n + j]) }) })),
            ]))
        }
        object["threshold"] = .number(monteCarlo.threshold)
    }

    /// A distribution variable's canonical value: `{"normal": {"mean": …, "sd": …}}` in decimals.
    static func distributionJSON(_ distribution: Distribution) -> JSONValue {
        let (kind, values) = distribution.parameters
        return .object(JSONObject([(kind, .object(JSONObject(values.map { ($0.0, .number($0.1)) })))]))
    }
}

extension Correlation {
    /// The lower-triangular Cholesky factor of a symmetric matrix, or nil when it is not positive
    /// semi-definite. A pivot within 1e-10 of 0 is a singular (perfectly correlated) direction:
    /// its column is 0, and the rest of that column must then vanish too.
    /// - Complexity: O(n³).
    static func choleskyFactor(_ a: [Double], n: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: n * n)
        let tolerance = 1e-10
        for j in 0..<n {
            var pivot = a[j * n + j]
            for k in 0..<j { pivot -= l[j * n + k] * l[j * n + k] }
            if pivot < -tolerance { return nil }
            let d = pivot > tolerance ? pivot.squareRoot() : 0
            l[j * n + j] = d
            for i in (j + 1)..<n {
                var x = a[i * n + j]
                for k in 0..<j { x -= l[i * n + k] * l[j * n + k] }
                if d == 0 {
                    if abs(x) > tolerance { return nil }
                } else {
                    l[i * n + j] = x / d
                }
            }
        }
        return l
    }
}
