import CascadeJSON
import CascadeStore

extension API {
    static let metricsEndpoints: [Endpoint] = [
        Endpoint(method: .get, path: "/metrics", access: .admins,
                 summary: "Read the server's metrics in Prometheus' text format") { call in
            let metrics = call.api.metrics
            let activity = try await call.store { store in try store.queueActivity(finishedAfter: metrics.lastFinishedAt) }
            return .text(metrics.render(activity), contentType: "text/plain; version=0.0.4; charset=utf-8")
        },
    ]
}
