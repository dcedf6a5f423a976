import CascadeFormula
import CascadeJSON

/// A formula document's claimed fit (`r_squared`, `mae`, `rmse`) against what its own backtest measured.
package enum BacktestClaims {
    /// How far a claim may be from the measurement.
    package static let tolerance = 1e-4

    /// One problem per claimed number that the measurement contradicts.
    static func disagreements(_ result: BacktestResult, _ document: FormulaDocument, file: String?) -> [Problem] {
        let pairs: [(String, String, Double?, Double?)] = [
            ("r_squared", "r²", document.rSquared, result.metrics.rSquared),
            ("mae", "MAE", document.mae, result.metrics.mae),
            ("rmse", "RMSE", document.rmse, result.metrics.rmse),
        ]
        return pairs.compactMap { key, label, claimed, measured in
            guard let claimed else { return nil }
            if let measured, abs(claimed - measured) <= tolerance { return nil }
            return Problem(path: JSONReader.place(file, JSONPath.root.appending(key)), code: "backtest.claim-differs",
                           message: "the document claims \(label) \(JSNumber.format(claimed)), but its backtest measures \(measured.map(JSNumber.format) ?? "none (the observations do not vary)")",
                           hint: "leave `\(key)` out (the measurement is stored), correct it, or pass --trust-claimed to keep the claim")
        }
    }

    /// The document with the measured numbers in place of missing (or, unless `trustClaimed`, all) claims.
    static func apply(_ result: BacktestResult, to document: FormulaDocument, trustClaimed: Bool) -> FormulaDocument {
        var measured = document
        if !trustClaimed || document.rSquared == nil { measured.rSquared = result.metrics.rSquared }
        if !trustClaimed || document.mae == nil { measured.mae = result.metrics.mae }
        if !trustClaimed || document.rmse == nil { measured.rmse = result.metrics.rmse }
        return measured
    }
}
