import CascadeEngine
import CascadeJSON
import CascadeStore

extension API {
    /// The whole graph replayed against history (`cascade backtest`), for calibration scripts.
    static let replayEndpoints: [Endpoint] = [
        Endpoint(method: .post, path: "/v1/backtest", access: .calibrators, hasBody: true,
                 summary: "Replay the realized macro moves between two dates and score the graph") { call in
            guard case .object(let body) = call.document else {
                throw APIError.badRequest("the body must be an object", path: "$", hint: #"e.g. {"from": "2007-10-09", "to": "2009-03-09"}"#)
            }
            for pair in body.pairs where !["from", "to", "metric"].contains(pair.key) {
                throw APIError.badRequest("unknown field `\(pair.key)`", path: "$.\(pair.key)", hint: "the fields are from, to and metric")
            }
            func text(_ key: String, required: Bool) throws -> String? {
                switch body[key] {
                case .string(let value)?: return value
                case nil where !required: return nil
                case nil: throw APIError.badRequest("`\(key)` is missing", path: "$.\(key)", hint: "a date, YYYY-MM-DD")
                case _?: throw APIError.badRequest("`\(key)` must be a string", path: "$.\(key)")
                }
            }
            let from = try text("from", required: true)!, to = try text("to", required: true)!
            let metric = try text("metric", required: false) ?? "share_price"
            let replay = try await call.store { store in try ScenarioService(store: store).replay(from: from, to: to, metric: metric, today: CalendarDate.today()) }
            return .json(replay.json)
        },
    ]
}
