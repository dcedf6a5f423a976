import CascadeJSON
import CascadeStore

/// A what-if run: the base scenario, the changes, the modified scenario they gave (an ordinary
/// stored scenario, cached under its own fingerprint) and how its result differs from the base's.
package struct WhatIfRun: Sendable {
    package var baseID: String
    package var changes: WhatIfChanges
    package var outcome: ScenarioService.Outcome
    package var diff: ScenarioDiff

    /// The modified scenario's id.
    package var scenarioID: String { outcome.scenarioID }

    /// The impact summary a session keeps per change: the changes, the modified scenario, whether
    /// its result came from the cache, and the diff against the base with its `limit` largest rows.
    package func summary(limit: Int = 10) -> JSONValue {
        var object = diff.json(limit: limit).objectValue ?? JSONObject()
        object["changes"] = changes.json
        object["scenario_id"] = .string(outcome.scenarioID)
        object["fingerprint"] = .string(outcome.fingerprint)
        object["cached"] = .bool(outcome.isCached)
        return .object(object)
    }
}

extension ScenarioService {
    /// Applies `changes` to the stored scenario `baseKey`, stores the modified scenario (validated
    /// as any submitted scenario; nothing is stored when it is not valid) and runs both, computing
    /// a result only where none is cached. `author` (the API's user) owns the modified scenario;
    /// by default it is the base's author. Submitting the same modified document again finds the
    /// stored scenario, so an unchanged what-if is a cache hit.
    package func whatIf(base baseKey: String, changes: WhatIfChanges, author: String? = nil, today: String) throws -> WhatIfRun {
        guard let base = try store.scenario(baseKey) else {
            throw StoreError(.notFound, "no scenario `\(baseKey)`", hint: "`cascade scenario list` shows the stored ones")
        }
        guard !changes.isEmpty else {
            throw StoreError(.invalidInput, "a what-if needs at least one change",
                             hint: "give --set VARIABLE=VALUE, --shock ENTITY=VALUE or --level LEVEL.FIELD=VALUE")
        }
        var document = changes.applied(to: base.document, name: "\(base.name) · what-if")
        if let author, var object = document.objectValue {
            object["author"] = .string(author)
            object["is_public"] = .bool(false)
            document = .object(object)
        }
        let modified: String
        do {
            modified = try submit(document, today: today).id
        } catch let error as ScenarioError {
            throw error.storeError("the what-if's changes do not give a valid scenario")
        }
        let baseOutcome = try run(base.id, includeEntities: true)
        let outcome = try run(modified, includeEntities: true)
        let baseScenario = try Scenario.parse(base.document, defaultAsOf: base.asOf ?? today)
        let modifiedScenario = try Scenario.parse(document, defaultAsOf: base.asOf ?? today)
        let diff = try ScenarioDiff(a: baseOutcome, baseScenario, b: outcome, modifiedScenario)
        return WhatIfRun(baseID: base.id, changes: changes, outcome: outcome, diff: diff)
    }
}
