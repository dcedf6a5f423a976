import CascadeJSON

extension RunResult {
    /// `"monte_carlo"` of a Monte Carlo result: the draws, seed and threshold, each variable's
    /// distribution (decimals) and the correlated variables; nil for a point result.
    func monteCarloJSON() -> JSONValue? {
        guard let monteCarlo else { return nil }
        var object = JSONObject()
        object["draws"] = .number(Double(monteCarlo.draws))
        object["seed"] = .number(Double(monteCarlo.seed))
        object["threshold"] = .number(monteCarlo.threshold)
        object["variables"] = .object(JSONObject(monteCarlo.variables.map { ($0, Scenario.distributionJSON(monteCarlo.distributions[$0]!)) }))
        if let correlation = monteCarlo.correlation {
            let n = correlation.variables.count
            object["correlation"] = .object(JSONObject([
                ("variables", .array(correlation.variables.map(JSONValue.string))),
                ("matrix", .array((0..<n).map { i in .array((0..<n).map { j in .number(correlation.matrix[i * n + j]) }) })),
            ]))
        }
        return .object(object)
    }

    /// Per level (a string key), up to `top` reported entities with the widest 5–95 % band of
    /// impact, widest first (ties by id): `id`, `name`, `mean`, `p5`, `p95`, `band`, `p_below`.
    func widestBands(top: Int) -> JSONValue? {
        guard monteCarlo != nil, let table = entities.table, let columns = table.distributions else { return nil }
        var byLevel: [[(position: Int, distribution: ImpactDistribution)]] = Array(repeating: [], count: 10)
        for k in entities.indices {
            let i = Int(entities.positions[k])
            guard (0...9).contains(table.levels[i]), let d = columns.distribution(i), d.band > 0 else { continue }
            byLevel[table.levels[i]].append((k, d))
        }
        var object = JSONObject()
        for level in 0...9 where !byLevel[level].isEmpty {
            let widest = firstRanked(top, of: byLevel[level]) {
                $0.distribution.band != $1.distribution.band ? $0.distribution.band > $1.distribution.band
                    : byteOrder(entities.id(at: $0.position), entities.id(at: $1.position))
            }
            object[String(level)] = .array(widest.map { entry in
                .object(JSONObject([
                    ("id", .string(entities.id(at: entry.position))), ("name", .string(entities.name(at: entry.position))),
                    ("mean", .number(entry.distribution.mean)), ("p5", .number(entry.distribution.quantiles[1])),
                    ("p95", .number(entry.distribution.quantiles[3])), ("band", .number(entry.distribution.band)),
                    ("p_below", .number(entry.distribution.pBelow)),
                ]))
            })
        }
        return .object(object)
    }
}
