import CascadeJSON

/// A Monte Carlo result's per-entity distributions, as one column of `fields` doubles per
/// entity (NaN where the entity has none: MACRO entities and those without a level).
struct DistributionColumns: Sendable {
    /// The order of an entity's values: `mean`, `sd`, the quantiles, `p_below`.
    static let fields = 3 + ImpactDistribution.probabilities.count
    let values: [Double]

    init(values: [Double]) { self.values = values }

    /// The columns of `entities` run entities, from the distributions of `impacts`' entities.
    init(entities: Int, impacts: DrawImpacts, distributions: [ImpactDistribution]) {
        var values = [Double](repeating: .nan, count: entities * Self.fields)
        for (position, i) in impacts.entities.enumerated() {
            let d = distributions[position]
            let row = [d.mean, d.sd] + d.quantiles + [d.pBelow]
            for (k, x) in row.enumerated() { values[Int(i) * Self.fields + k] = x }
        }
        self.values = values
    }

    /// Entity `i`'s distribution, or nil.
    func distribution(_ i: Int) -> ImpactDistribution? {
        let base = i * Self.fields
        guard base + Self.fields <= values.count, !values[base].isNaN else { return nil }
        return ImpactDistribution(mean: values[base], sd: values[base + 1], quantiles: Array(values[base + 2 ..< base + Self.fields - 1]),
                                  pBelow: values[base + Self.fields - 1])
    }
}

extension ImpactDistribution {
    /// `{"mean": …, "p1": …, "p5": …, "p50": …, "p95": …, "p99": …, "p_below": …, "sd": …}`
    /// (keys sorted, as every entity document's are).
    package var json: JSONValue {
        var pairs: [(String, JSONValue)] = [("mean", .number(mean))]
        for (name, q) in zip(Self.names, quantiles) { pairs.append((name, .number(q))) }
        pairs += [("p_below", .number(pBelow)), ("sd", .number(sd))]
        return .object(JSONObject(pairs))
    }

    /// `json`'s text, appended (byte for byte `json.serialized()`).
    func appendJSON(to out: inout String) {
        out += "{\"mean\":"
        appendJSONNumber(mean, to: &out)
        for (name, q) in zip(Self.names, quantiles) {
            out += ",\"\(name)\":"
            appendJSONNumber(q, to: &out)
        }
        out += ",\"p_below\":"
        appendJSONNumber(pBelow, to: &out)
        out += ",\"sd\":"
        appendJSONNumber(sd, to: &out)
        out += "}"
    }
}
