import CascadeFormula
import CascadeJSON

extension BacktestResult {
    /// `{"ok", "formula", "from", "to", "n", "r_squared", "mae", "rmse", "bias", "worst", "skipped",
    /// "fingerprint", "points"}`: what `cascade formula backtest --json` and the API return.
    package var json: JSONValue {
        guard case .object(var o) = summaryJSON else { return .null }
        o["ok"] = .bool(true)
        o["bias"] = .number(metrics.bias)
        o["worst"] = .array(worst().map(\.json))
        o["skipped"] = .array(skipped.map { .object(JSONObject([("date", .string($0.date)), ("reason", .string($0.reason))])) })
        o["points"] = .array(points.map(\.json))
        return .object(JSONObject([("ok", .bool(true))] + o.pairs.filter { $0.key != "ok" }.map { ($0.key, $0.value) }))
    }

    /// The measured numbers with the window and the fingerprint (what the audit log keeps).
    package var summaryJSON: JSONValue {
        .object(JSONObject([
            ("formula", .string(formula)), ("from", .string(spec.from)), ("to", .string(spec.to)),
            ("n", .number(Double(metrics.n))), ("r_squared", metrics.rSquared.map(JSONValue.number) ?? .null),
            ("mae", .number(metrics.mae)), ("rmse", .number(metrics.rmse)), ("fingerprint", .string(fingerprint)),
        ]))
    }
}

extension BacktestPoint {
    package var json: JSONValue {
        .object(JSONObject([("date", .string(date)), ("observed", .number(observed)), ("predicted", .number(predicted)),
                            ("error", .number(error))]))
    }
}

extension BacktestMetrics {
    /// `{"n", "r_squared", "mae", "rmse", "bias", "sign_share"}` (r² null when the observations do not vary).
    package var json: JSONValue {
        .object(JSONObject([
            ("n", .number(Double(n))), ("r_squared", rSquared.map(JSONValue.number) ?? .null), ("mae", .number(mae)),
            ("rmse", .number(rmse)), ("bias", .number(bias)), ("sign_share", .number(signShare)),
        ]))
    }
}
