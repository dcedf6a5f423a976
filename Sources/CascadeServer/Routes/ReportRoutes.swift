import CascadeEngine
import CascadeJSON
import CascadeStore

extension API {
    /// What the workbench draws: a scenario's result as the data document of `cascade report`
    /// (`ReportData`), so the page and the report file render the same document the same way.
    static let reportEndpoints: [Endpoint] = [
        Endpoint(method: .get, path: "/v1/scenarios/{id}/report", access: .everyone,
                 summary: "Fetch a scenario's last result as the report's data document") { call in
            let scenario = try await visibleScenario(call)
            guard let outcome = try await call.store({ store in
                try ScenarioService(store: store).storedResult(scenario.id, onlyIfCurrent: false, includeEntities: true)
            }) else {
                throw APIError(.notFound, "no_result", "scenario `\(scenario.id)` has no result yet",
                               hint: "POST /v1/scenarios/\(scenario.id)/runs runs it")
            }
            return APIReply(status: .ok, jsonText: try ReportData(scenario: scenario, outcome: outcome, diff: nil).text)
        },
    ]
}
