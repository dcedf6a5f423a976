import CascadeJSON
import CascadeStore

extension ScenarioService {
    /// Explains why `entity` moved under the stored scenario `key` (see `PreparedScenario.explain`):
    /// the scenario is resolved and propagated again (nothing is stored), so the explanation is
    /// of the inputs as they are now — the fingerprint says which result it matches.
    package func explain(_ key: String, entity: String, depth: Int) throws -> RunExplanation {
        try explain(key, entities: [entity], depth: depth)[0]
    }

    /// The explanations of several entities under the stored scenario `key`, from one load and
    /// one propagation (a report's largest movers).
    package func explain(_ key: String, entities: [String], depth: Int) throws -> [RunExplanation] {
        guard let stored = try store.scenario(key) else {
            throw StoreError(.notFound, "no scenario `\(key)`", hint: "`cascade scenario list` shows the stored ones")
        }
        if entities.isEmpty { return [] }
        let scenario = try Scenario.parse(stored.document, defaultAsOf: stored.asOf ?? "1970-01-01")
        let prepared = try Engine.prepare(scenario, world: try EngineWorld.load(from: store))
        return try prepared.explain(entities, depth: depth, scenarioName: scenario.name)
    }
}
