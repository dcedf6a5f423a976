import CascadeEngine
import CascadeJSON
import CascadeStore

extension API {
    /// The whole graph replayed against history (`cascade backtest`), for calibration scripts.
    static let replayEndpoints: [Endpoint] = [
        Endpoint(method: .post, path: "/v1/backtest", access: .calibrators, hasBody: true,
                 summary: "Replay the realized macro moves between two dates and score the graph") { call in
            let (from, to, metric) = try BodyReader.read(call.document) { body, problems -> (String, String, String)? in
                body.rejectUnknownKeys(["from", "to", "metric"], problems: &problems)
                let from = body.string("from", required: true, problems: &problems)
                let to = body.string("to", required: true, problems: &problems)
                let metric = body.string("metric", problems: &problems) ?? "share_price"
                guard let from, let to else { return nil }
                return (from, to, metric)
            }
            let replay = try await call.store { store in try ScenarioService(store: store).replay(from: from, to: to, metric: metric, today: CalendarDate.today()) }
            return .json(replay.json)
        },
    ]
}
