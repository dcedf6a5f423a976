import CascadeEngine
import CascadeJSON
import CascadeStore

extension API {
    static let healthEndpoints: [Endpoint] = [
        Endpoint(method: .get, path: "/v1/health", access: .open, summary: "Check that the server and its store are up") { call in
            let (schema, queue, dialect) = try await call.store { store in
                (try store.schemaStatus(), try store.queueCounts(), store.dialect)
            }
            return .json(.object(JSONObject([
                ("status", .string("ok")), ("backend", .string(dialect.rawValue)),
                ("schema", .string(schema.applied.last ?? "")),
                ("queue", .object(JSONObject([
                    ("queued", .number(Double(queue.queued))), ("running", .number(Double(queue.running))),
                    ("succeeded", .number(Double(queue.succeeded))), ("failed", .number(Double(queue.failed))),
                ]))),
            ])))
        },
    ]
}
