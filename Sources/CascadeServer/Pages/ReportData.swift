import CascadeEngine
import CascadeFormula
import CascadeJSON
import CascadeStore

/// What a report page renders, as the JSON text embedded in it: the scenario, its result
/// summary, the entity results (every one of a small result; the largest movers per level of a
/// large one), the names of their contributions' sources, the run explanations of the entities
/// the charts show (when asked for), and the diff with `--against`.
///
/// The entity results are spliced in as the result's own JSON texts, so every number in the page
/// is the same double, written the same way, as in `cascade scenario run --json`. The largest
/// movers are ranked from the result's columns and only the embedded ones are serialised.
package struct ReportData {
    /// Entities embedded per level when a result lists more than `entitiesPerLevel × 10`: the
    /// page shows the largest movers, not every node, so a page of a million-entity world stays
    /// well under a megabyte or two of entity results (250 per level made 7.5 MB at 100 k).
    package static let entitiesPerLevel = 50
    /// Entities explained per level: the movers the cascade chart draws (`NODES_PER_LEVEL` in the
    /// renderer), which include the bars of the top movers.
    package static let explainedPerLevel = 12
    /// Diff rows embedded (the largest differences).
    static let diffRows = 500

    /// The JSON text, safe inside `<script type="application/json">` (every `<` is `\u003c`).
    package let text: String
    /// Entities embedded and entities the result reports.
    package let shown: Int, reported: Int

    /// With `explain`, the explanations of the largest movers the charts draw are embedded
    /// (`explanations`: id → the explanation document of `GET /v1/scenarios/{id}/explain`,
    /// without the formula traces); it is given the entity ids and returns one explanation each.
    package init(scenario: StoredScenario, outcome: ScenarioService.Outcome, diff: ScenarioDiff?,
                 explain: (([String]) throws -> [RunExplanation])? = nil) throws {
        // Ranked from the result's columns; only the entities kept are serialised.
        let ranking = try outcome.largestMovers()
        reported = ranking?.count ?? 0
        var kept = reported > Self.entitiesPerLevel * 10 ? ranking!.positions(perLevel: Self.entitiesPerLevel) : Array(0..<reported)
        if kept.count < reported, let ranking {
            kept = Self.withWidestBands(kept, summary: outcome.summary, ranking: ranking)
        }
        shown = kept.count
        var explanations = JSONValue.null
        if let explain, let ranking {
            let ids = ranking.positions(perLevel: Self.explainedPerLevel, movedOnly: true, among: kept).map(ranking.id(at:))
            var byID = JSONObject()
            for (id, explanation) in zip(ids, ids.isEmpty ? [] : try explain(ids)) { byID[id] = Self.withoutTraces(explanation.json) }
            explanations = .object(byID)
        }

        var summary = outcome.summary.objectValue ?? JSONObject()
        let sourceNames = summary["source_names"] ?? .object(JSONObject())
        for key in ["top_movers", "source_names", "entities"] { summary[key] = nil }
        let document = scenario.document
        let object = JSONObject([
            ("format", .number(1)),
            ("scenario", .object(JSONObject([
                ("id", .string(scenario.id)), ("name", .string(scenario.name)), ("author", .string(scenario.author)),
                ("description", document["description"] ?? .null), ("as_of", scenario.asOf.map(JSONValue.string) ?? .null),
                ("is_public", .bool(scenario.isPublic)),
            ]))),
            ("result", .object(summary)),
            ("entities", .string(Self.marker)),
            ("entities_shown", .number(Double(shown))),
            ("entities_reported", .number(Double(reported))),
            ("entities_per_level", .number(Double(Self.entitiesPerLevel))),
            ("source_names", sourceNames),
            ("diff", diff?.json(limit: Self.diffRows) ?? .null),
            ("explanations", explanations),
        ])
        let entities = "[" + kept.map { outcome.entityText(at: $0) }.joined(separator: ",") + "]"
        let whole = JSONValue.object(object).serialized().replacingOccurrences(of: JSNumber.quoted(Self.marker), with: entities)
        // `<` occurs in JSON only inside strings, where `\u003c` means the same; so `</script>`
        // and `<!--` in a name cannot end or change the data block.
        text = whole.replacingOccurrences(of: "<", with: "\\u003c")
    }

    /// `kept` and the positions of the entities a Monte Carlo summary names in
    /// `monte_carlo.widest_bands` (the page draws their bands from their `distribution`), ascending.
    /// - Complexity: O(n) in the result's entities, for a Monte Carlo result only.
    static func withWidestBands(_ kept: [Int], summary: JSONValue, ranking: LargestMovers) -> [Int] {
        guard let bands = summary["monte_carlo"]?["widest_bands"]?.objectValue else { return kept }
        var wanted = Set(bands.pairs.flatMap { ($0.value.arrayValue ?? []).compactMap { $0["id"]?.stringValue } })
        for k in kept { wanted.remove(ranking.id(at: k)) }
        guard !wanted.isEmpty else { return kept }
        let added = (0..<ranking.count).filter { wanted.contains(ranking.id(at: $0)) }
        return (kept + added).sorted()
    }

    /// An explanation without its formulas' traces (every subexpression's value, twice per
    /// contribution): the page shows the arithmetic, `cascade scenario explain` the traces.
    package static func withoutTraces(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(var object):
            object["scenario_trace"] = nil
            object["baseline_trace"] = nil
            for (key, inner) in object { object[key] = withoutTraces(inner) }
            return .object(object)
        case .array(let items): return .array(items.map(withoutTraces))
        default: return value
        }
    }

    /// Stands for the entity list until the texts are spliced in (see `ScenarioService.entitiesMarker`).
    static let marker = "\u{0}REPORT-ENTITIES\u{0}"
}
