import CascadeFormula
import CascadeJSON

/// A run's result as RFC 4180 CSV (`CSV`): a header row, then one row per reported entity in
/// id order, with the columns of `ResultCSV.header`.
///
/// Built from the entity documents (`Outcome.entityTexts`), so a cached result and a fresh one
/// give the same bytes. Numbers are written with round-trip precision; a missing value (an
/// entity without `metadata.current_value`) is an empty field; `clamped` is `true` or `false`;
/// `top_contributions` is up to `topContributions` counted contributions, largest |value| first,
/// as `source=value` separated by `;` (the source is the entity id, or `shock:ID` for the
/// entity's own shock — split on the last `=`).
package enum ResultCSV {
    package static let header = ["id", "name", "type", "level", "status", "baseline_value", "projected_value",
                                "impact", "impact_unclamped", "clamped", "top_contributions"]
    /// Contributions listed per entity in `top_contributions`.
    package static let topContributions = 3

    /// The columns a Monte Carlo result adds after `header`: each entity's `distribution`
    /// (`mean`, `sd`, the quantiles `p1` … `p99`, `p_below`).
    package static let distributionHeader = ["mean", "sd"] + ImpactDistribution.names + ["p_below"]

    /// The CSV of `outcome`, which must hold its entities (`includeEntities`); a Monte Carlo
    /// result's rows end with `distributionHeader`'s columns.
    /// - Complexity: O(n) in the entities reported (each parsed once).
    package static func text(_ outcome: ScenarioService.Outcome) throws -> String {
        var out = ""
        try write(outcome) { out += $0 }
        return out
    }

    /// `text(outcome)` in pieces of about `chunkBytes` bytes, handed to `emit` in order, made one
    /// entity at a time (a 1 M-entity result's CSV is never held whole).
    package static func write(_ outcome: ScenarioService.Outcome, chunkBytes: Int = 1 << 20,
                              _ emit: (String) throws -> Void) throws {
        let isMonteCarlo = outcome.summary["monte_carlo"] != nil
        var out = CSV.record(header + (isMonteCarlo ? distributionHeader : []))
        try outcome.forEachEntityText { text in
            guard let entity = try JSONValue.parse(text).objectValue else { return }
            var fields = row(entity)
            if isMonteCarlo {
                let distribution = entity["distribution"]
                fields += distributionHeader.map { key in distribution?[key]?.numberValue.map { JSNumber.format($0) } ?? "" }
            }
            out += CSV.record(fields)
            if out.utf8.count >= chunkBytes {
                try emit(out)
                out = ""
            }
        }
        try emit(out)
    }

    /// One entity document's fields, in `header`'s order.
    static func row(_ entity: JSONObject) -> [String] {
        func number(_ key: String) -> String { entity[key]?.numberValue.map { JSNumber.format($0) } ?? "" }
        let id = entity["id"]?.stringValue ?? ""
        var counted: [(source: String, value: Double)] = []
        for contribution in entity["contributions"]?.arrayValue ?? [] {
            guard let value = contribution["value"]?.numberValue, value != 0 else { continue }
            let source = contribution["shock"] == .bool(true) ? "shock:\(id)" : contribution["source_id"]?.stringValue ?? ""
            counted.append((source, value))
        }
        // Largest first; the earlier contribution wins a tie (the order of the document).
        let top = counted.enumerated()
            .sorted { abs($0.element.value) != abs($1.element.value) ? abs($0.element.value) > abs($1.element.value) : $0.offset < $1.offset }
            .prefix(topContributions)
            .map { "\($0.element.source)=\(JSNumber.format($0.element.value))" }
        return [id, entity["name"]?.stringValue ?? "", entity["type"]?.stringValue ?? "", number("level"),
                entity["status"]?.stringValue ?? "", number("baseline_value"), number("projected_value"),
                number("impact"), number("impact_unclamped"), entity["clamped"] == .bool(true) ? "true" : "false",
                top.joined(separator: ";")]
    }
}
