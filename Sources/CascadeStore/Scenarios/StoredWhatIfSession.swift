import CascadeJSON

/// A what-if session row: its base, the modifications so far, the modified scenario they give,
/// its status and the impact summary recorded at each change (oldest first).
public struct StoredWhatIfSession: Sendable {
    /// `active` sessions take changes; `completed` and `cancelled` ones are closed.
    public enum Status: String, Sendable, CaseIterable {
        case active, completed, cancelled
    }

    public var id: String
    public var name: String
    public var author: String
    public var baseScenarioID: String
    /// The modified scenario of the latest change.
    public var scenarioID: String
    public var status: Status
    /// `WhatIfChanges`' JSON form: every change so far, merged.
    public var modifications: JSONValue
    /// One impact summary per change, oldest first.
    public var history: [JSONValue]
    public var createdAt: String
    public var updatedAt: String

    /// The session as the CLI's `--json` and the API show it.
    public var json: JSONValue {
        .object(JSONObject([
            ("id", .string(id)), ("name", .string(name)), ("author", .string(author)),
            ("base_scenario_id", .string(baseScenarioID)), ("scenario_id", .string(scenarioID)),
            ("status", .string(status.rawValue)), ("modifications", modifications), ("history", .array(history)),
            ("created_at", .string(createdAt)), ("updated_at", .string(updatedAt)),
        ]))
    }
}
