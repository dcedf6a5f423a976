import CascadeEngine
import CascadeJSON
import CascadeStore

extension API {
    static let diffEndpoints: [Endpoint] = [
        Endpoint(method: .get, path: "/v1/scenarios/{id}/diff/{other}", access: .everyone, query: ["limit"],
                 summary: "Compare two scenarios' stored results") { call in
            let a = try await visibleScenario(call), b = try await visibleScenario(call, parameter: "other")
            let limit = try call.integer("limit", default: 1_000, in: 1...100_000)
            let diff = try await call.store { store in try ScenarioService(store: store).diff(a.id, b.id, computing: false) }
            return .json(diff.json(limit: limit))
        },
    ]
}
