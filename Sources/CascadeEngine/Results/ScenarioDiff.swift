import CascadeFormula
import CascadeJSON
import CascadeStore

/// How two scenarios' results differ: per entity its impact under A and under B and the
/// difference B − A, with the causes of that difference (attribution under B minus under A);
/// and the macro variables and entity shocks whose values differ.
///
/// Entities a large result does not list (it lists only those that moved) count with impact 0.
package struct ScenarioDiff: Sendable {
    package struct Side: Sendable {
        package var id: String
        package var name: String
        package var fingerprint: String
    }

    package struct Row: Sendable {
        package var id: String
        package var name: String
        package var type: String
        package var level: Int
        package var impactA: Double
        package var impactB: Double
        package var difference: Double { impactB - impactA }
        /// Attribution keys whose share differs, largest difference first (`macro:x`, `shock:id`, `other`).
        package var causes: [(key: String, difference: Double)]
    }

    /// A macro variable or an entity shock whose value differs (nil: not in that scenario).
    package struct Input: Sendable {
        package var key: String
        package var name: String
        package var a: Double?
        package var b: Double?
        package var unit: String?
    }

    package var a: Side
    package var b: Side
    /// Every entity whose impact differs, by |difference| (largest first), then id.
    package var rows: [Row]
    package var inputs: [Input]

    /// Compares two results (with their entities) of the scenarios `scenarioA` and `scenarioB`.
    /// - Complexity: O(n log n) in the entities listed.
    package init(a outcomeA: ScenarioService.Outcome, _ scenarioA: Scenario,
                b outcomeB: ScenarioService.Outcome, _ scenarioB: Scenario) throws {
        a = Side(id: outcomeA.scenarioID, name: scenarioA.name, fingerprint: outcomeA.fingerprint)
        b = Side(id: outcomeB.scenarioID, name: scenarioB.name, fingerprint: outcomeB.fingerprint)
        let entitiesA = try Self.entities(outcomeA), entitiesB = try Self.entities(outcomeB)
        var rows: [Row] = []
        for id in Set(entitiesA.keys).union(entitiesB.keys) {
            let ea = entitiesA[id], eb = entitiesB[id]
            let impactA = ea?["impact"]?.numberValue ?? 0, impactB = eb?["impact"]?.numberValue ?? 0
            guard impactA != impactB, let any = eb ?? ea else { continue }
            let attributionA = ea?["attribution"]?.objectValue ?? JSONObject(), attributionB = eb?["attribution"]?.objectValue ?? JSONObject()
            var causes: [(key: String, difference: Double)] = []
            for key in Set(attributionA.keys).union(attributionB.keys) {
                let d = (attributionB[key]?.numberValue ?? 0) - (attributionA[key]?.numberValue ?? 0)
                if d != 0 { causes.append((key, d)) }
            }
            causes.sort { abs($0.difference) != abs($1.difference) ? abs($0.difference) > abs($1.difference) : byteOrder($0.key, $1.key) }
            rows.append(Row(id: id, name: any["name"]?.stringValue ?? id, type: any["type"]?.stringValue ?? "",
                            level: Int(any["level"]?.numberValue ?? -1), impactA: impactA, impactB: impactB, causes: causes))
        }
        rows.sort { abs($0.difference) != abs($1.difference) ? abs($0.difference) > abs($1.difference) : byteOrder($0.id, $1.id) }
        self.rows = rows

        var inputs: [Input] = []
        let macrosA = Self.macros(outcomeA), macrosB = Self.macros(outcomeB)
        for variable in Set(macrosA.keys).union(macrosB.keys).sorted(by: byteOrder) {
            let ma = macrosA[variable], mb = macrosB[variable]
            let va = ma?["value"]?.numberValue, vb = mb?["value"]?.numberValue
            guard va != vb, let any = mb ?? ma else { continue }
            inputs.append(Input(key: "macro:\(variable)", name: any["name"]?.stringValue ?? variable, a: va, b: vb,
                                unit: any["unit"]?.stringValue))
        }
        for id in Set(scenarioA.entityShocks.keys).union(scenarioB.entityShocks.keys).sorted(by: byteOrder)
        where scenarioA.entityShocks[id] != scenarioB.entityShocks[id] {
            let name = entitiesB[id]?["name"]?.stringValue ?? entitiesA[id]?["name"]?.stringValue ?? id
            inputs.append(Input(key: "shock:\(id)", name: name, a: scenarioA.entityShocks[id], b: scenarioB.entityShocks[id], unit: nil))
        }
        self.inputs = inputs
    }

    static func entities(_ outcome: ScenarioService.Outcome) throws -> [String: JSONObject] {
        var byID: [String: JSONObject] = [:]
        for text in outcome.entityTexts ?? [] {
            guard let entity = try JSONValue.parse(text).objectValue, let id = entity["id"]?.stringValue else { continue }
            byID[id] = entity
        }
        return byID
    }

    static func macros(_ outcome: ScenarioService.Outcome) -> [String: JSONObject] {
        var byVariable: [String: JSONObject] = [:]
        for macro in outcome.summary["macro"]?.arrayValue ?? [] {
            if let object = macro.objectValue, let variable = object["variable"]?.stringValue { byVariable[variable] = object }
        }
        return byVariable
    }

    /// The diff as JSON, with at most `limit` rows (the largest differences).
    package func json(limit: Int = .max) -> JSONValue {
        func side(_ s: Side) -> JSONValue {
            .object(JSONObject([("id", .string(s.id)), ("name", .string(s.name)), ("fingerprint", .string(s.fingerprint))]))
        }
        func number(_ x: Double?) -> JSONValue { x.map(JSONValue.number) ?? .null }
        return .object(JSONObject([
            ("a", side(a)), ("b", side(b)),
            ("inputs", .array(inputs.map { input in
                .object(JSONObject([("key", .string(input.key)), ("name", .string(input.name)), ("a", number(input.a)),
                                    ("b", number(input.b)), ("unit", input.unit.map(JSONValue.string) ?? .null)]))
            })),
            ("entity_count", .number(Double(rows.count))),
            ("entities", .array(rows.prefix(limit).map { row in
                .object(JSONObject([
                    ("id", .string(row.id)), ("name", .string(row.name)), ("type", .string(row.type)),
                    ("level", .number(Double(row.level))), ("impact_a", .number(row.impactA)), ("impact_b", .number(row.impactB)),
                    ("difference", .number(row.difference)),
                    ("causes", .object(JSONObject(row.causes.map { ($0.key, .number($0.difference)) }))),
                ]))
            })),
        ]))
    }

    /// RFC 4180 CSV (`CSV`), a header row and one row per entity whose impact differs (numbers with
    /// round-trip precision; `causes` as `key=difference` pairs separated by `;`).
    package var csv: String {
        var out = CSV.record(["id", "name", "type", "level", "impact_a", "impact_b", "difference", "causes"])
        for row in rows {
            let causes = row.causes.map { "\($0.key)=\(JSNumber.format($0.difference))" }.joined(separator: ";")
            out += CSV.record([row.id, row.name, row.type, String(row.level), JSNumber.format(row.impactA), JSNumber.format(row.impactB),
                               JSNumber.format(row.difference), causes])
        }
        return out
    }
}

extension ScenarioService {
    /// The diff of two stored scenarios' results. With `computing`, a scenario whose result is
    /// missing or stale is run first (as `run` would); without, only stored results are used and
    /// a scenario without one is a `conflict`.
    package func diff(_ keyA: String, _ keyB: String, computing: Bool) throws -> ScenarioDiff {
        func side(_ key: String) throws -> (ScenarioService.Outcome, Scenario) {
            guard let stored = try store.scenario(key) else {
                throw StoreError(.notFound, "no scenario `\(key)`", hint: "`cascade scenario list` shows the stored ones")
            }
            let scenario = try Scenario.parse(stored.document, defaultAsOf: stored.asOf ?? "1970-01-01")
            if computing { return (try run(stored.id, includeEntities: true), scenario) }
            guard let outcome = try storedResult(stored.id, onlyIfCurrent: false, includeEntities: true) else {
                throw StoreError(.conflict, "scenario `\(stored.id)` has no result yet", hint: "run it first (POST /v1/scenarios/\(stored.id)/runs)")
            }
            return (outcome, scenario)
        }
        let (outcomeA, scenarioA) = try side(keyA), (outcomeB, scenarioB) = try side(keyB)
        return try ScenarioDiff(a: outcomeA, scenarioA, b: outcomeB, scenarioB)
    }
}
