import CascadeFormula
import CascadeJSON

/// Why an entity moved: each contribution into it with what produced it (relationship, source,
/// sign, damping, weight, the formula, the inputs it read in the scenario and the baseline
/// context, both results and their difference), the sum, the clamp — and the same for its largest
/// contributing sources, down to the macro variables.
///
/// Built by `PreparedScenario.explain(_:depth:)` from a finished propagation; a value, printed by
/// the CLI and served by the API as `json`.
package struct RunExplanation: Sendable {
    /// One input a formula read: its path (`source.value`, a parameter name) and its value.
    package struct Input: Sendable, Equatable {
        package var path: String
        package var scenario: JSONValue
        package var baseline: JSONValue
    }

    /// One contribution into an entity.
    package struct Contribution: Sendable {
        package var relationshipID: String
        package var sourceID: String
        package var sourceName: String
        /// The entity's own exogenous shock (no relationship, no formula).
        package var isShock: Bool
        package var sign: Double
        package var weight: Double
        package var damping: Double
        /// `name@version` of a registry formula, the inline formula's text, or nil for a linear pass-through.
        package var formula: String?
        package var isInline: Bool
        /// The source's impact the edge read (the previous pass's for a feedback edge).
        package var sourceImpact: Double
        package var inputs: [Input]
        /// f(scenario) and f(baseline); nil when the formula gave no value (or for a pass-through's baseline).
        package var scenarioResult: Double?
        package var baselineResult: Double?
        /// The formula's evaluation in each context, every subexpression's value in source order
        /// (`CompiledFormula.explain`); empty for a pass-through.
        package var scenarioTrace: [TraceEntry] = []
        package var baselineTrace: [TraceEntry] = []
        /// What counted toward the unclamped impact: `sign · damping · weight · (f(scenario) − f(baseline))`,
        /// 0 for an edge that did not count.
        package var value: Double
        /// `counted`, `no_value`, `not_binding`, `skipped`, `blocked` or `failed`.
        package var note: String
        package var error: String?
    }

    /// One explained entity (or a macro variable, where the explanation ends).
    package struct Node: Sendable {
        package var id: String
        package var name: String
        package var type: String
        package var level: Int
        package var isMacro: Bool
        /// For a macro variable: its variable, scenario value and baseline (decimals) and unit.
        package var variable: String?
        package var value: Double?
        package var baseline: Double?
        package var unit: String?
        package var impact: Double
        package var impactUnclamped: Double
        package var clamp: ClosedRange<Double>
        package var status: String
        /// "cycle member, converged in 14 rounds" (or did not converge), for members of a same-level cycle.
        package var cycle: String?
        /// In the run's order — relationship order, the shock last — the order they are summed in.
        package var contributions: [Contribution]
        /// The largest contributing sources, explained in turn (to the depth asked for).
        package var sources: [Node]
        /// Set when the entity was explained earlier on the page (it is not repeated).
        package var isExplainedAbove: Bool
    }

    package var scenarioName: String
    package var fingerprint: String
    package var depth: Int
    package var root: Node

    /// Sources explained further per entity.
    package static let sourcesPerEntity = 3
    /// The deepest explanation asked for.
    package static let depthLimit = 10
}

extension RunExplanation.Node {
    /// The contributions, largest |value| first (an earlier one wins a tie).
    package var contributionsByValue: [RunExplanation.Contribution] {
        contributions.enumerated()
            .sorted { abs($0.element.value) != abs($1.element.value) ? abs($0.element.value) > abs($1.element.value) : $0.offset < $1.offset }
            .map(\.element)
    }

    /// The counted contributions added in the run's order: the unclamped impact, exactly.
    package var sum: Double { contributions.reduce(0.0) { $0 + $1.value } }
}

extension RunExplanation {
    package var json: JSONValue {
        .object(JSONObject([("scenario", .string(scenarioName)), ("fingerprint", .string(fingerprint)),
                            ("depth", .number(Double(depth))), ("entity", Self.json(root))]))
    }

    static func number(_ x: Double?) -> JSONValue { x.map(JSONValue.number) ?? .null }

    static func json(_ node: Node) -> JSONValue {
        var object = JSONObject([("id", .string(node.id)), ("name", .string(node.name)), ("type", .string(node.type)),
                                 ("level", .number(Double(node.level)))])
        if node.isMacro {
            object["macro"] = .object(JSONObject([("variable", node.variable.map(JSONValue.string) ?? .null),
                                                  ("value", number(node.value)), ("baseline", number(node.baseline)),
                                                  ("unit", node.unit.map(JSONValue.string) ?? .null)]))
            return .object(object)
        }
        object["impact"] = .number(node.impact)
        object["impact_unclamped"] = .number(node.impactUnclamped)
        object["clamp"] = .array([.number(node.clamp.lowerBound), .number(node.clamp.upperBound)])
        object["clamped"] = .bool(node.impact != node.impactUnclamped)
        object["status"] = .string(node.status)
        if let cycle = node.cycle { object["cycle"] = .string(cycle) }
        if node.isExplainedAbove {
            object["explained_above"] = .bool(true)
            return .object(object)
        }
        object["contributions"] = .array(node.contributions.map { c in
            var entry = JSONObject()
            if c.isShock {
                entry["shock"] = .bool(true)
            } else {
                entry["relationship_id"] = .string(c.relationshipID)
                entry["source_id"] = .string(c.sourceID)
                entry["source_name"] = .string(c.sourceName)
                entry["sign"] = .number(c.sign)
                entry["damping"] = .number(c.damping)
                entry["weight"] = .number(c.weight)
                entry["formula"] = c.formula.map(JSONValue.string) ?? .null
                entry["formula_kind"] = .string(c.formula == nil ? "pass_through" : c.isInline ? "inline" : "registry")
                entry["source_impact"] = .number(c.sourceImpact)
                entry["inputs"] = .array(c.inputs.map { input in
                    .object(JSONObject([("path", .string(input.path)), ("scenario", input.scenario), ("baseline", input.baseline)]))
                })
                entry["scenario_result"] = number(c.scenarioResult)
                entry["baseline_result"] = number(c.baselineResult)
                entry["difference"] = c.scenarioResult.map { .number($0 - (c.baselineResult ?? 0)) } ?? .null
                if !c.scenarioTrace.isEmpty || !c.baselineTrace.isEmpty {
                    entry["scenario_trace"] = .array(c.scenarioTrace.map(\.json))
                    entry["baseline_trace"] = .array(c.baselineTrace.map(\.json))
                }
            }
            entry["value"] = .number(c.value)
            entry["note"] = .string(c.note)
            if let error = c.error { entry["error"] = .string(error) }
            return .object(entry)
        })
        object["sources"] = .array(node.sources.map(json))
        return .object(object)
    }
}
