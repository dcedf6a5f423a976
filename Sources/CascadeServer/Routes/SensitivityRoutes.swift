import CascadeEngine
import CascadeJSON
import CascadeStore

extension API {
    static let sensitivityEndpoints: [Endpoint] = [
        Endpoint(method: .get, path: "/v1/scenarios/{id}/sensitivities", access: .runners, query: ["entity"],
                 summary: "Each entity's exact sensitivity to every variable and shock of a scenario") { call in
            let scenario = try await visibleScenario(call)
            let entity = call.query["entity"].flatMap { $0.isEmpty ? nil : $0 }
            let document = try await call.store { store in
                try ScenarioService(store: store).run(scenario.id, includeEntities: true, sensitivities: true).sensitivities(entity: entity)
            }
            return .json(document)
        },
    ]

    /// The document with `"sensitivities": true` (`POST /v1/scenarios?sensitivities=true`); a
    /// document that is not an object is left for the validation to refuse.
    static func withSensitivities(_ document: JSONValue) -> JSONValue {
        guard case .object(var object) = document else { return document }
        object["sensitivities"] = .bool(true)
        return .object(object)
    }
}
