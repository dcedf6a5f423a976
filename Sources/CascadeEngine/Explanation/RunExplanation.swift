import CascadeFormula
import CascadeJSON

/// Why an entity moved: each contribution into it with what produced it (relationship, source,
/// sign, damping, weight, the formula, the inputs it read in the scenario and the baseline
/// context, both results and their difference), the sum, the clamp — and the same for its largest
/// contributing sources, down to the macro variables.
///
/// Built by `PreparedScenario.explain(_:depth:)` from a finished propagation; a value, printed by
/// the CLI and served by the API as `json`.
public struct RunExplanation: Sendable {
    /// One input a formula read: its path (`source.value`, a parameter name) and its value.
    public struct Input: Sendable, Equatable {
        public var path: String
        public var scenario: JSONValue
        public var baseline: JSONValue
    }

    /// One contribution into an entity.
    public struct Contribution: Sendable {
        public var relationshipID: String
        public var sourceID: String
        public var sourceName: String
        /// The entity's own exogenous shock (no relationship, no formula).
        public var isShock: Bool
        public var sign: Double
        public var weight: Double
        public var damping: Double
        /// `name@version` of a registry formula, the inline formula's text, or nil for a linear pass-through.
        public var formula: String?
        public var isInline: Bool
        /// The source's impact the edge read (the previous pass's for a feedback edge).
        public var sourceImpact: Double
        public var inputs: [Input]
        /// f(scenario) and f(baseline); nil when the formula gave no value (or for a pass-through's baseline).
        public var scenarioResult: Double?
        public var baselineResult: Double?
        /// The formula's evaluation in each context, every subexpression's value in source order
        /// (`CompiledFormula.explain`); empty for a pass-through.
        public var scenarioTrace: [TraceEntry] = []
        public var baselineTrace: [TraceEntry] = []
        /// What counted toward the unclamped impact: `sign · damping · weight · (f(scenario) − f(baseline))`,
        /// 0 for an edge that did not count.
        public var value: Double
        /// `counted`, `no_value`, `not_binding`, `skipped`, `blocked` or `failed`.
        public var note: String
        public var error: String?
    }

    /// One explained entity (or a macro variable, where the explanation ends).
    public struct Node: Sendable {
        public var id: String
        public var name: String
        public var type: String
        public var level: Int
        public var isMacro: Bool
        /// For a macro variable: its variable, scenario value and baseline (decimals) and unit.
        public var variable: String?
        public var value: Double?
        public var baseline: Double?
        public var unit: String?
        public var impact: Double
        public var impactUnclamped: Double
        public var clamp: ClosedRange<Double>
        public var status: String
        /// "cycle member, converged in 14 rounds" (or did not converge), for members of a same-level cycle.
        public var cycle: String?
        /// In the run's order — relationship order, the shock last — the order they are summed in.
        public var contributions: [Contribution]
        /// The largest contributing sources, explained in turn (to the depth asked for).
        public var sources: [Node]
        /// Set when the entity was explained earlier on the page (it is not repeated).
        public var isExplainedAbove: Bool
    }

    public var scenarioName: String
    public var fingerprint: String
    public var depth: Int
    public var root: Node

    /// Sources explained further per entity.
    public static let sourcesPerEntity = 3
    /// The deepest explanation asked for.
    public static let depthLimit = 10
}

extension RunExplanation.Node {
    /// The contributions, largest |value| first (an earlier one wins a tie).
    public var contributionsByValue: [RunExplanation.Contribution] {
        contributions.enumerated()
            .sorted { abs($0.element.value) != abs($1.element.value) ? abs($0.element.value) > abs($1.element.value) : $0.offset < $1.offset }
            .map(\.element)
    }

    /// The counted contributions added in the run's order: the unclamped impact, exactly.
    public var sum: Double { contributions.reduce(0.0) { $0 + $1.value } }
}

extension RunExplanation {
    public var json: JSONValue {
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
