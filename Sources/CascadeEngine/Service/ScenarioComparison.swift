import CascadeJSON
import CascadeStore

/// One scenario run twice, with a formula pinned first to the control version and then to the
/// treatment (as `cascade run --use` pins it): how many entities' impacts differ, and the largest
/// differences. Neither run is stored.
package struct ScenarioComparison: Sendable {
    package struct Change: Sendable, Equatable {
        package var id: String
        package var name: String
        package var level: Int
        package var control: Double
        package var treatment: Double
        package var difference: Double { treatment - control }
    }

    package var scenario: String
    /// Entities whose impact differs between the two runs.
    package var changedCount: Int
    /// The largest differences by magnitude, largest first (ties by id).
    package var largest: [Change]

    /// Runs `scenario` under both versions.
    /// - Complexity: two preparations and propagations of the world, O(n log n) to rank the changes.
    package static func run(_ scenario: Scenario, world: EngineWorld, control: FormulaReference, treatment: FormulaReference,
                           top: Int) throws -> ScenarioComparison {
        let a = try Engine.prepare(scenario, world: try world.pinning([control])).propagate().entities
        let b = try Engine.prepare(scenario, world: try world.pinning([treatment])).propagate().entities
        var before: [String: Double] = [:]
        for i in a.indices { before[a.id(at: i)] = a.impact(at: i) }
        var changes: [Change] = []
        for i in b.indices {
            let id = b.id(at: i), impact = b.impact(at: i), old = before[id] ?? 0
            if impact != old {
                changes.append(Change(id: id, name: b.name(at: i), level: b.level(at: i), control: old, treatment: impact))
            }
        }
        changes.sort { abs($0.difference) != abs($1.difference) ? abs($0.difference) > abs($1.difference) : $0.id < $1.id }
        return ScenarioComparison(scenario: scenario.name, changedCount: changes.count, largest: Array(changes.prefix(top)))
    }

    package var json: JSONValue {
        .object(JSONObject([
            ("scenario", .string(scenario)), ("changed", .number(Double(changedCount))),
            ("largest", .array(largest.map { c in
                .object(JSONObject([("id", .string(c.id)), ("name", .string(c.name)), ("level", .number(Double(c.level))),
                                    ("control", .number(c.control)), ("treatment", .number(c.treatment)),
                                    ("difference", .number(c.difference))]))
            })),
        ]))
    }
}
