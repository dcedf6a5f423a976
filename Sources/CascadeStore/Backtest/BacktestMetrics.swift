/// Goodness of fit of predictions against observations: the numbers a backtest reports and stores.
package struct BacktestMetrics: Sendable, Equatable {
    package var n: Int
    /// 1 − SS_res / SS_tot; nil when the observations do not vary (SS_tot = 0). Negative when
    /// the predictions do worse than the observations' mean.
    package var rSquared: Double?
    /// Mean absolute error.
    package var mae: Double
    /// Root mean squared error.
    package var rmse: Double
    /// Mean of predicted − observed: positive when the formula over-predicts.
    package var bias: Double
    /// The share of points whose prediction has the observation's sign (both positive, both
    /// negative, or both zero): does the model at least get the direction right?
    package var signShare: Double

    /// The metrics of `predicted` against `observed` (same length, at least one point).
    /// Sums run in order, as numpy's do on short arrays, so results agree to rounding.
    package init(observed: [Double], predicted: [Double]) {
        precondition(observed.count == predicted.count && !observed.isEmpty, "metrics need paired, non-empty series")
        n = observed.count
        let count = Double(n)
        let mean = observed.reduce(0, +) / count
        var ssRes = 0.0, ssTot = 0.0, absolute = 0.0, signed = 0.0, sameSign = 0
        for (y, p) in zip(observed, predicted) {
            let e = y - p
            ssRes += e * e
            ssTot += (y - mean) * (y - mean)
            absolute += abs(e)
            signed += p - y
            if (y > 0 && p > 0) || (y < 0 && p < 0) || (y == 0 && p == 0) { sameSign += 1 }
        }
        rSquared = ssTot == 0 ? nil : 1 - ssRes / ssTot
        mae = absolute / count
        rmse = (ssRes / count).squareRoot()
        bias = signed / count
        signShare = Double(sameSign) / count
    }
}
