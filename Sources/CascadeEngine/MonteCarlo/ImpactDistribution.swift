/// One entity's impact over a Monte Carlo scenario's draws (its `"distribution"` in a result).
///
/// - `mean`: the arithmetic mean, summed in draw order as x₀ + Σ(xᵢ − x₀)/n (so draws that all
///   agree give exactly that value);
/// - `sd`: the sample standard deviation √(Σ(xᵢ − mean)² / (n − 1)) (0 for one draw), numpy's
///   `std(ddof=1)`;
/// - quantiles 1, 5, 50, 95 and 99 %: numpy's default (`method="linear"`): of the sorted draws
///   x₍₀₎ … x₍ₙ₋₁₎, at h = (n − 1)·p, x₍⌊h⌋₎ + (h − ⌊h⌋)·(x₍⌊h⌋₊₁₎ − x₍⌊h⌋₎) (computed from
///   the nearer of the two, as numpy does);
/// - `pBelow`: the fraction of draws whose impact is below the scenario's `threshold` (strictly).
package struct ImpactDistribution: Sendable, Equatable {
    package var mean: Double
    package var sd: Double
    /// At `ImpactDistribution.probabilities`, in that order.
    package var quantiles: [Double]
    package var pBelow: Double

    /// The quantiles reported, as probabilities, and their JSON names.
    package static let probabilities: [Double] = [0.01, 0.05, 0.5, 0.95, 0.99]
    package static let names = ["p1", "p5", "p50", "p95", "p99"]

    /// The 5–95 % band, p95 − p5: what the summary ranks entities by.
    package var band: Double { quantiles[3] - quantiles[1] }

    /// The summary of `draws` (at least one); `scratch` holds a sorted copy (no allocation when
    /// it has the capacity already).
    package init(_ draws: ArraySlice<Double>, threshold: Double, scratch: inout [Double]) {
        let n = draws.count
        let first = draws.first!
        var shifted = 0.0
        var below = 0
        for x in draws {
            shifted += x - first
            if x < threshold { below += 1 }
        }
        mean = first + shifted / Double(n)
        var squares = 0.0
        for x in draws { squares += (x - mean) * (x - mean) }
        sd = n > 1 ? (squares / Double(n - 1)).squareRoot() : 0
        pBelow = Double(below) / Double(n)
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: draws)
        scratch.sort()
        quantiles = Self.probabilities.map { Self.quantile(sortedDraws: scratch, $0) }
    }

    package init(mean: Double, sd: Double, quantiles: [Double], pBelow: Double) {
        self.mean = mean
        self.sd = sd
        self.quantiles = quantiles
        self.pBelow = pBelow
    }

    /// numpy's linear quantile of sorted values.
    package static func quantile(sortedDraws x: [Double], _ p: Double) -> Double {
        let h = Double(x.count - 1) * p
        let below = Int(h.rounded(.down))
        guard below + 1 < x.count else { return x[below] }
        // numpy's `_lerp`: from the nearer end (b − (b − a)(1 − t) once t ≥ ½), bit for bit.
        let t = h - Double(below), a = x[below], b = x[below + 1]
        return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t
    }
}
