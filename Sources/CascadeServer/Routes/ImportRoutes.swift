import CascadeJSON
import CascadeStore

extension API {
    /// `POST /v1/import`: `cascade import` for scripts. The body is a world document
    /// (docs/formats.md), read and checked completely by the store's one world reader, then
    /// written in one transaction or not at all; problems come back by JSON path.
    static let importEndpoints: [Endpoint] = [
        Endpoint(method: .post, path: "/v1/import", access: .calibrators, hasBody: true,
                 summary: "Import a world document, all or nothing") { call in
            let document = call.document
            let report = try await call.store { store in try store.importWorld(document, file: nil) }
            return .json(report.json, status: report.totalWritten > 0 ? .created : .ok)
        },
    ]
}
