@testable import CascadeEngine
import CascadeStore

/// A small DSL for in-memory worlds in tests.
struct WorldBuilder {
    var world = EngineWorld(entities: [], relationships: [])
    var nextRelationship = 1

    mutating func macro(_ id: String, _ name: String, level: Int = 0, value: Double?, unit: String? = nil, variable: String? = nil) {
        var meta: [String] = []
        if let value { meta.append("\"current_value\": \(value)") }
        if let unit { meta.append("\"unit\": \"\(unit)\"") }
        if let variable { meta.append("\"variable\": \"\(variable)\"") }
        world.entities.append(EntityRecord(id: id, type: "MACRO", name: name, category: "MACRO", ontologyLevel: level,
                                           metadata: "{" + meta.joined(separator: ", ") + "}"))
    }

    mutating func entity(_ id: String, level: Int, type: String = "COMPANY", sector: String = "SEMICONDUCTOR",
                         currentValue: Double? = nil, metadata extra: String? = nil) {
        var meta: [String] = []
        if let currentValue { meta.append("\"current_value\": \(currentValue)") }
        if let extra { meta.append(extra) }
        world.entities.append(EntityRecord(id: id, type: type, name: id.uppercased(), category: sector, ontologyLevel: level,
                                           metadata: "{" + meta.joined(separator: ", ") + "}"))
    }

    @discardableResult
    mutating func edge(_ source: String, _ target: String, type: String = "IMPACTS", weight: Double? = 1,
                       formula: String? = nil, metadata: String? = nil, id: String? = nil) -> String {
        let rid = id ?? String(format: "rel-%04d", nextRelationship)
        nextRelationship += 1
        world.relationships.append(RelationshipRecord(id: rid, sourceID: source, targetID: target, type: type, weight: weight,
                                                      impactFormula: formula, metadata: metadata))
        return rid
    }

    mutating func coefficient(_ sector: String, _ type: String, _ value: Double, from date: String, active: Bool = true) {
        world.coefficients.append(SectorCoefficient(sector: sector, coefficientType: type, value: value, effectiveDate: date,
                                                    isActive: active))
    }

    func run(_ scenario: Scenario) throws -> RunResult {
        try Engine.prepare(scenario, world: world).propagate()
    }
}

func scenario(_ variables: [String: Double], asOf: String = "2025-06-30", levels: [Int: LevelSettings] = [:],
              shocks: [String: Double] = [:], feedbackRounds: Int = 0) -> Scenario {
    Scenario(name: "test", author: "tests", macroVariables: variables, asOf: asOf, levelSettings: levels,
             entityShocks: shocks, feedbackRounds: feedbackRounds)
}

extension RunResult {
    func entity(_ id: String) -> EntityResult? { entities.first { $0.id == id } }
    func impact(_ id: String) -> Double { entity(id)?.impact ?? .nan }
}

import Foundation
