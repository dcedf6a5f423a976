import CascadeEngine
import CascadeFormula
import CascadeJSON
import CascadeStore

/// What a report page renders, as the JSON text embedded in it: the scenario, its result
/// summary, the entity results (every one of a small result; the largest movers per level of a
/// large one), the names of their contributions' sources, and the diff with `--against`.
///
/// The entity results are spliced in as the result's own JSON texts, so every number in the page
/// is the same double, written the same way, as in `cascade scenario run --json`.
package struct ReportData {
    /// Entities embedded per level when a result lists more than `entitiesPerLevel × 10`: a page
    /// of a million-entity world stays a few megabytes and opens in a second or two.
    package static let entitiesPerLevel = 250
    /// Diff rows embedded (the largest differences).
    static let diffRows = 500

    /// The JSON text, safe inside `<script type="application/json">` (every `<` is `\u003c`).
    package let text: String
    /// Entities embedded and entities the result reports.
    package let shown: Int, reported: Int

    package init(scenario: StoredScenario, outcome: ScenarioService.Outcome, diff: ScenarioDiff?) throws {
        let texts = outcome.entityTexts ?? []
        let kept = try Self.largestMovers(texts, perLevel: Self.entitiesPerLevel)
        shown = kept.count
        reported = texts.count

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
            ("entities_shown", .number(Double(kept.count))),
            ("entities_reported", .number(Double(texts.count))),
            ("entities_per_level", .number(Double(Self.entitiesPerLevel))),
            ("source_names", sourceNames),
            ("diff", diff?.json(limit: Self.diffRows) ?? .null),
        ])
        let entities = "[" + kept.map { texts[$0] }.joined(separator: ",") + "]"
        let whole = JSONValue.object(object).serialized().replacingOccurrences(of: JSNumber.quoted(Self.marker), with: entities)
        // `<` occurs in JSON only inside strings, where `\u003c` means the same; so `</script>`
        // and `<!--` in a name cannot end or change the data block.
        text = whole.replacingOccurrences(of: "<", with: "\\u003c")
    }

    /// Stands for the entity list until the texts are spliced in (see `ScenarioService.entitiesMarker`).
    static let marker = "\u{0}REPORT-ENTITIES\u{0}"

    /// The positions (in result order) of the entities to embed: all when they are few, otherwise
    /// per level the `perLevel` largest by |impact| (ties by id).
    /// - Complexity: O(n log n) in the entities reported.
    package static func largestMovers(_ texts: [String], perLevel: Int) throws -> [Int] {
        guard texts.count > perLevel * 10 else { return Array(texts.indices) }
        var byLevel: [Int: [(magnitude: Double, id: String, position: Int)]] = [:]
        for (position, text) in texts.enumerated() {
            let entity = try JSONValue.parse(text)
            let level = Int(entity["level"]?.numberValue ?? -1)
            byLevel[level, default: []].append((abs(entity["impact"]?.numberValue ?? 0), entity["id"]?.stringValue ?? "", position))
        }
        var kept: [Int] = []
        for (_, movers) in byLevel {
            let largest = movers.sorted { $0.magnitude != $1.magnitude ? $0.magnitude > $1.magnitude : $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
            kept += largest.prefix(perLevel).map(\.position)
        }
        return kept.sorted()
    }
}
