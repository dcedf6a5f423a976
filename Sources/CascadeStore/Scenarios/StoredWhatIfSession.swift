import CascadeJSON

/// A what-if session row: its base, the modifications so far, the modified scenario they give,
/// its status and the impact summary recorded at each change (oldest first).
package struct StoredWhatIfSession: Sendable {
    /// `active` sessions take changes; `completed` and `cancelled` ones are closed.
    package enum Status: String, Sendable, CaseIterable {
        case active, completed, cancelled
    }

    package var id: String
    package var name: String
    package var author: String
    package var baseScenarioID: String
    /// The modified scenario of the latest change.
    package var scenarioID: String
    package var status: Status
    /// `WhatIfChanges`' JSON form: every change so far, merged.
    package var modifications: JSONValue
    /// One impact summary per change, oldest first.
    package var history: [JSONValue]
    package var createdAt: String
    package var updatedAt: String

    /// The session as the CLI's `--json` and the API show it.
    package var json: JSONValue {
        .object(JSONObject([
            ("id", .string(id)), ("name", .string(name)), ("author", .string(author)),
            ("base_scenario_id", .string(baseScenarioID)), ("scenario_id", .string(scenarioID)),
            ("status", .string(status.rawValue)), ("modifications", modifications), ("history", .array(history)),
            ("created_at", .string(createdAt)), ("updated_at", .string(updatedAt)),
        ]))
    }
}
