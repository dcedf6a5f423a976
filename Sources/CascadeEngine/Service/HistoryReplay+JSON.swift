import CascadeJSON
import CascadeStore

extension HistoryReplay {
    /// `{"ok", "from", "to", "metric", "overall", "levels", "entities", "left_out", "scenario",
    /// "baselines", "warnings", "fingerprint"}`: what `cascade backtest --json` and
    /// `POST /v1/backtest` return (docs/propagation.md, "Replaying history"; docs/openapi.json `Replay`).
    package var json: JSONValue {
        .object(JSONObject([
            ("ok", .bool(true)), ("from", .string(from)), ("to", .string(to)), ("metric", .string(metric)),
            ("overall", overall.json),
            ("levels", .array(levels.map { level in
                guard case .object(let metrics) = level.metrics.json else { return .null }
                return .object(JSONObject([("level", .number(Double(level.level)))] + metrics.pairs.map { ($0.key, $0.value) }))
            })),
            ("entities", .array(points.map { point in
                .object(JSONObject([
                    ("id", .string(point.entity)), ("level", .number(Double(point.level))), ("predicted", .number(point.predicted)),
                    ("observed", .number(point.observed)), ("from_date", .string(point.change.fromDate)),
                    ("from_value", .number(point.change.fromValue)), ("to_date", .string(point.change.toDate)),
                    ("to_value", .number(point.change.toValue)),
                ]))
            })),
            ("left_out", .array(leftOut.map { .object(JSONObject([("id", .string($0.entity)), ("reason", .string($0.reason))])) })),
            ("scenario", scenario.json),
            ("baselines", .object(JSONObject(baselines.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.number($0.value)) }))),
            ("warnings", .array(warnings.map(JSONValue.string))),
            ("fingerprint", .string(fingerprint)),
        ]))
    }
}
