import CascadeFormula
import CascadeStore
import CascadeJSON

extension RunResult {
    /// Per level (a string key), the `top` largest |∂impact/∂value| of the reported entities, each
    /// `{"id", "name", "key", "label", "unit", "value"}`: `label` names the cause (the MACRO
    /// entity's name, the variable, or `shock to <entity name>`), `unit` is the variable's unit
    /// (`%`, `bp`, …; null for a shock or a plain decimal). Nil for a run without sensitivities.
    func largestSensitivities(top: Int) -> JSONValue? {
        guard let table = entities.table, let columns = table.sensitivities else { return nil }
        let k = columns.width
        var labels: [String] = [], units: [String?] = []
        var shockNames: [String: String] = [:]
        let shockIDs = Set(columns.keys.filter { $0.hasPrefix("shock:") }.map { String($0.dropFirst(6)) })
        if !shockIDs.isEmpty {
            for i in table.ids.indices where shockIDs.contains(table.ids[i]) { shockNames[table.ids[i]] = table.names[i] }
        }
        for key in columns.keys {
            if key.hasPrefix("macro:") {
                let variable = String(key.dropFirst(6))
                let macro = macros.first { $0.variable == variable }
                labels.append(macro?.name ?? variable)
                units.append(macro?.unit)
            } else {
                let id = String(key.dropFirst(6))
                labels.append("shock to \(shockNames[id] ?? id)")
                units.append(nil)
            }
        }
        var byLevel: [[(position: Int, key: Int, value: Double)]] = Array(repeating: [], count: 10)
        for position in entities.indices {
            let i = Int(entities.positions[position])
            let level = table.levels[i]
            guard (0...9).contains(level) else { continue }
            for j in 0..<k where !columns.undefined[i * k + j] && columns.values[i * k + j] != 0 {
                byLevel[level].append((position, j, columns.values[i * k + j]))
            }
        }
        var object = JSONObject()
        for level in 0...9 where !byLevel[level].isEmpty {
            let largest = firstRanked(top, of: byLevel[level]) {
                abs($0.value) != abs($1.value) ? abs($0.value) > abs($1.value)
                    : ($0.position, $0.key) < ($1.position, $1.key)
            }
            object[String(level)] = .array(largest.map { entry in
                .object(JSONObject([("id", .string(entities.id(at: entry.position))), ("name", .string(entities.name(at: entry.position))),
                                    ("key", .string(columns.keys[entry.key])), ("label", .string(labels[entry.key])),
                                    ("unit", units[entry.key].map(JSONValue.string) ?? .null), ("value", .number(entry.value))]))
            })
        }
        return .object(object)
    }
}

extension ScenarioService.Outcome {
    /// The sensitivities of a result that has them (`cascade scenario sensitivities`, and
    /// `GET /v1/scenarios/{id}/sensitivities`): `keys`, and per reported entity (only `entity`,
    /// by id or name, when given) its `sensitivities` and `sensitivities_undefined`.
    package func sensitivities(entity: String?) throws -> JSONValue {
        var entities: [JSONValue] = []
        for text in entityTexts ?? [] {
            guard let object = try JSONValue.parse(text).objectValue else { continue }
            if let entity, object["id"]?.stringValue != entity && object["name"]?.stringValue != entity { continue }
            entities.append(.object(JSONObject([
                ("id", object["id"] ?? .null), ("name", object["name"] ?? .null), ("type", object["type"] ?? .null),
                ("level", object["level"] ?? .null), ("impact", object["impact"] ?? .null),
                ("sensitivities", object["sensitivities"] ?? .object(JSONObject())),
                ("sensitivities_undefined", object["sensitivities_undefined"] ?? .array([])),
            ])))
        }
        if let entity, entities.isEmpty {
            throw StoreError(.notFound, "no entity `\(entity)` in the result of scenario \(scenarioID)",
                             hint: "give an entity id, or its name as the result lists it")
        }
        return .object(JSONObject([
            ("scenario_id", .string(scenarioID)), ("fingerprint", .string(fingerprint)), ("cached", .bool(isCached)),
            ("keys", summary["sensitivity_keys"] ?? .array([])), ("entities", .array(entities)),
        ]))
    }
}

extension ResultCSV {
    package static let sensitivityHeader = ["id", "name", "level", "key", "sensitivity", "defined"]

    /// `Outcome.sensitivities` as RFC 4180 CSV: one row per entity and key whose derivative is
    /// not 0 or does not exist (`defined` false, `sensitivity` empty), entities in id order, keys ascending.
    package static func sensitivities(_ document: JSONValue) -> String {
        var out = CSV.record(sensitivityHeader)
        for entity in document["entities"]?.arrayValue ?? [] {
            let id = entity["id"]?.stringValue ?? "", name = entity["name"]?.stringValue ?? ""
            let level = entity["level"]?.numberValue.map { JSNumber.format($0) } ?? ""
            var rows: [(key: String, fields: [String])] = []
            for (key, value) in entity["sensitivities"]?.objectValue ?? JSONObject() {
                rows.append((key, [id, name, level, key, value.numberValue.map { JSNumber.format($0) } ?? "", "true"]))
            }
            for key in entity["sensitivities_undefined"]?.arrayValue ?? [] {
                let key = key.stringValue ?? ""
                rows.append((key, [id, name, level, key, "", "false"]))
            }
            for row in rows.sorted(by: { byteOrder($0.key, $1.key) }) { out += CSV.record(row.fields) }
        }
        return out
    }
}
