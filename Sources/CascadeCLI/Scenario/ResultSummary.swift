import CascadeEngine
import CascadeJSON
import Foundation

/// The readable summary of a run: macro moves, the top movers per level and why, warnings, stats.
struct ResultSummary {
    let outcome: ScenarioService.Outcome
    let top: Int
    /// Said beside the as-of date when the scenario did not give one ("today: set `as_of` to pin it").
    var asOfNote: String?
    /// Warnings listed before the rest are counted (the full list is in `--json`).
    static let shownWarnings = 10
    /// Colour for signs (green up, red down) and clamps (yellow), for a terminal (see
    /// `Terminal.useColor`). The text is then escaped already (every string of the result is,
    /// before the colour codes go in) and is printed as it is.
    var isColoured = false

    var document: JSONValue { isColoured ? Self.escapingStrings(outcome.summary) : outcome.summary }

    /// `value` with every string in it escaped for a terminal (`Terminal.escaped`).
    static func escapingStrings(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text): .string(Terminal.escaped(text))
        case .array(let items): .array(items.map(escapingStrings))
        case .object(let object): .object(JSONObject(object.map { (Terminal.escaped($0.key), escapingStrings($0.value)) }))
        default: value
        }
    }

    /// `text` in the colour of `x`'s sign, or of a clamp (`ansi` 33), on a terminal.
    func paint(_ text: String, sign x: Double) -> String { paint(text, ansi: x > 0 ? 32 : x < 0 ? 31 : 0) }

    func paint(_ text: String, ansi: Int) -> String {
        isColoured && ansi != 0 ? "\u{1B}[\(ansi)m\(text)\u{1B}[0m" : text
    }

    var text: String {
        var lines: [String] = []
        let topMovers = document["top_movers"]?.objectValue ?? JSONObject()
        let macros = document["macro"]?.arrayValue ?? []
        var names: [String: String] = [:]
        for (id, name) in document["source_names"]?.objectValue ?? JSONObject() { names[id] = name.stringValue }
        for item in topMovers.flatMap({ $0.value.arrayValue ?? [] }) + macros {
            if let id = item["id"]?.stringValue { names[id] = item["name"]?.stringValue ?? id }
        }

        lines.append("scenario \(outcome.scenarioID) · as of \(document["as_of"]?.stringValue ?? "?")\(asOfNote.map { " (\($0))" } ?? "") · "
                     + (outcome.isCached ? "cached result (\(outcome.cacheNote))" : "computed (\(outcome.cacheNote))"))
        lines.append("fingerprint \(outcome.fingerprint)")

        let moved = macros.filter { ($0["delta"]?.numberValue ?? 0) != 0 }
        if !moved.isEmpty {
            lines.append("")
            lines.append("Macro variables")
            for macro in moved {
                let unit = macro["unit"]?.stringValue
                let value = macro["value"]?.numberValue ?? 0, baseline = macro["baseline"]?.numberValue ?? 0
                lines.append("  \(pad(macro["name"]?.stringValue ?? "", 28)) \(level(baseline, unit)) → \(level(value, unit))"
                             + "  (\(paint(change(value - baseline, unit), sign: value - baseline)))")
            }
        }

        lines.append("")
        lines.append("Top movers by level (impact vs baseline; ← the largest contributions)")
        var anyMover = false
        for levelNumber in 0...9 {
            let movers = topMovers[String(levelNumber)]?.arrayValue ?? []
            let movedCount = Int(document["moved_per_level"]?[String(levelNumber)]?.numberValue ?? Double(movers.count))
            guard !movers.isEmpty else { continue }
            anyMover = true
            lines.append("  Level \(levelNumber)")
            for entity in movers.prefix(top) {
                let impact = entity["impact"]?.numberValue ?? 0
                var flags: [String] = []
                if entity["clamped"] == .bool(true) { flags.append("clamped") }
                if let status = entity["status"]?.stringValue, status != "ok" { flags.append(status) }
                let why = (entity["contributions"]?.arrayValue ?? [])
                    .filter { ($0["value"]?.numberValue ?? 0) != 0 }
                    .sorted { abs($0["value"]?.numberValue ?? 0) > abs($1["value"]?.numberValue ?? 0) }
                    .prefix(2)
                    .map { c -> String in
                        let source = c["shock"] == .bool(true) ? "shock" : names[c["source_id"]?.stringValue ?? ""] ?? "?"
                        return "\(source) \(percent(c["value"]?.numberValue ?? 0))"
                    }
                lines.append("    \(paint(pad(percent(impact), 9), sign: impact)) \(pad(entity["name"]?.stringValue ?? "", 30))"
                             + (flags.isEmpty ? "" : " [\(paint(flags.joined(separator: ", "), ansi: 33))]")
                             + (why.isEmpty ? "" : " ← " + why.joined(separator: ", ")))
            }
            if movedCount > min(top, movers.count) { lines.append("    … \(movedCount - min(top, movers.count)) more moved") }
        }
        if !anyMover { lines.append("  nothing moved") }
        lines += sensitivityLines()
        lines += monteCarloLines()

        let warnings = document["warnings"]?.arrayValue ?? []
        if !warnings.isEmpty {
            lines.append("")
            lines.append("Warnings (\(warnings.count))")
            for warning in warnings.prefix(Self.shownWarnings) { lines.append("  - \(warning.stringValue ?? "")") }
            if warnings.count > Self.shownWarnings {
                lines.append("  … \(warnings.count - Self.shownWarnings) more (every one is in the --json result)")
            }
        }
        if let stats = document["stats"] {
            func n(_ key: String) -> Int { Int(stats[key]?.numberValue ?? 0) }
            let cycles = n("cycles"), unconverged = n("unconverged_cycles")
            lines.append("")
            lines.append("\(n("entities")) entities · \(n("edges")) edges · \(n("formula_evaluations")) formula evaluations · "
                         + "\(cycles) cycle\(cycles == 1 ? "" : "s")\(cycles > 0 ? (unconverged == 0 ? " (all converged)" : " (\(unconverged) not converged)") : "") · "
                         + String(format: "%.1f ms", stats["duration_ms"]?.numberValue ?? 0))
        }
        return lines.joined(separator: "\n")
    }

    /// "Largest sensitivities" per level, for a run with sensitivities: "Real Estate  −3.15 % per
    /// +1 pp Fed Funds Rate" (a `%` variable or a shock per +1 pp, a `bp` one per +1 bp, others per +1 unit).
    func sensitivityLines() -> [String] {
        let largest = document["largest_sensitivities"]?.objectValue ?? JSONObject()
        guard !largest.isEmpty else { return [] }
        var lines = ["", "Largest sensitivities by level (exact; the change of impact per step of a variable or shock)"]
        for levelNumber in 0...9 {
            guard let entries = largest[String(levelNumber)]?.arrayValue, !entries.isEmpty else { continue }
            lines.append("  Level \(levelNumber)")
            for entry in entries.prefix(top) {
                let value = entry["value"]?.numberValue ?? 0
                let isShock = entry["key"]?.stringValue?.hasPrefix("shock:") ?? false
                let (step, per): (Double, String) = switch isShock ? "%" : entry["unit"]?.stringValue?.lowercased() {
                case "%", "percent", "pct": (0.01, "+1 pp")
                case "bp", "bps": (0.0001, "+1 bp")
                case let unit?: (1, "+1 \(unit)")
                case nil: (1, "+1")
                }
                lines.append("    \(pad(entry["name"]?.stringValue ?? "", 30)) \(paint(pad(percent(value * step), 9), sign: value))"
                             + " per \(per) \(entry["label"]?.stringValue ?? "")")
            }
        }
        return lines
    }

    /// A Monte Carlo result's draws, seed and threshold, and per level the entities with the
    /// widest 5–95 % band of impact: "Real Estate  mean −3.10 %  5–95 % [−4.21 %, −2.02 %]  P(< 0) 100.0 %".
    func monteCarloLines() -> [String] {
        guard let monteCarlo = document["monte_carlo"]?.objectValue else { return [] }
        let draws = Int(monteCarlo["draws"]?.numberValue ?? 0), seed = Int(monteCarlo["seed"]?.numberValue ?? 0)
        let threshold = monteCarlo["threshold"]?.numberValue ?? 0
        let variables = (monteCarlo["variables"]?.objectValue ?? JSONObject()).keys
        var lines = ["", "Monte Carlo: \(draws) draws of \(variables.map { "`\($0)`" }.joined(separator: ", ")) · seed \(seed) · "
                     + "impacts above are the central run (each distribution at its mean)",
                     "Widest 5–95 % bands by level (mean, band, probability the impact is below \(percent(threshold)))"]
        let bands = monteCarlo["widest_bands"]?.objectValue ?? JSONObject()
        for levelNumber in 0...9 {
            guard let entries = bands[String(levelNumber)]?.arrayValue, !entries.isEmpty else { continue }
            lines.append("  Level \(levelNumber)")
            for entry in entries.prefix(top) {
                let mean = entry["mean"]?.numberValue ?? 0
                lines.append("    \(pad(entry["name"]?.stringValue ?? "", 30)) mean \(paint(pad(percent(mean), 9), sign: mean))"
                             + " 5–95 % [\(percent(entry["p5"]?.numberValue ?? 0)), \(percent(entry["p95"]?.numberValue ?? 0))]"
                             + String(format: "  P(below) %.1f %%", (entry["p_below"]?.numberValue ?? 0) * 100))
            }
        }
        if bands.isEmpty { lines.append("  every entity's impact is the same in every draw") }
        return lines
    }

    func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    func percent(_ x: Double) -> String {
        String(format: "%+.2f %%", x * 100)
    }

    /// A macro level in its own unit: percent variables as percent, others as numbers.
    func level(_ x: Double, _ unit: String?) -> String {
        switch unit?.lowercased() {
        case "%", "percent", "pct": String(format: "%.2f %%", x * 100)
        case "bp", "bps": String(format: "%.0f bp", x * 10_000)
        default: String(format: "%g", x) + (unit.map { " \($0)" } ?? "")
        }
    }

    func change(_ d: Double, _ unit: String?) -> String {
        switch unit?.lowercased() {
        case "%", "percent", "pct": String(format: "%+.2f pp", d * 100)
        case "bp", "bps": String(format: "%+.0f bp", d * 10_000)
        default: String(format: "%+g", d)
        }
    }
}
