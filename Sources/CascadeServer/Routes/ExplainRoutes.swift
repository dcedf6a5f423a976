import CascadeEngine
import CascadeJSON
import CascadeStore

extension API {
    static let explainEndpoints: [Endpoint] = [
        Endpoint(method: .get, path: "/v1/scenarios/{id}/explain", access: .everyone, query: ["entity", "depth"],
                 summary: "Explain why an entity moved under a scenario") { call in
            let scenario = try await visibleScenario(call)
            guard let entity = call.query["entity"], !entity.isEmpty else {
                throw APIError.badRequest("query parameter `entity` is required (an entity id or unique name)", path: "?entity")
            }
            let depth = try call.integer("depth", default: 3, in: 1...RunExplanation.depthLimit)
            let explanation = try await call.store { store in
                try ScenarioService(store: store).explain(scenario.id, entity: entity, depth: depth)
            }
            return .json(explanation.json)
        },
    ]
}
