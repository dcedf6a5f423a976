import CascadeJSON
import CascadeStore

/// `cascade backtest --from A --to B`: the whole graph replayed against history. The realized
/// macro moves between two dates become a scenario (each variable's `macro_data` value at `to`,
/// against its value at `from` as the baseline), the ordinary engine propagates it, and each
/// entity's predicted impact is scored against its realized relative change in `financial_data`.
///
/// The run is prepared, not stored: nothing is written, so a calibration script may replay as
/// often as it likes. Its `scenario` is what a scenario author would write (decimals for `%` and
/// `bp` variables, as `docs/propagation.md` says), so it can be saved and run as an ordinary scenario.
package struct HistoryReplay: Sendable {
    /// One scored entity: what the engine predicted and what happened.
    package struct Point: Sendable, Equatable {
        package var entity: String
        package var level: Int
        package var predicted: Double
        package var change: FinancialChange
        package var observed: Double { change.relativeChange }
    }

    package var from: String
    package var to: String
    package var metric: String
    /// The scenario of the realized moves (as_of = today, the model scored): every variable a MACRO entity binds
    /// with `macro_data` on or before `from`.
    package var scenario: Scenario
    /// Each variable's baseline (its decimal value at `from`), by name.
    package var baselines: [String: Double]
    package var points: [Point]
    /// The fit over every scored entity.
    package var overall: BacktestMetrics
    /// The fit per ontology level, in level order.
    package var levels: [(level: Int, metrics: BacktestMetrics)]
    /// Entities with rows of the metric that could not be scored, with why, in id order.
    package var leftOut: [(entity: String, reason: String)]
    package var warnings: [String]
    /// The run's input fingerprint.
    package var fingerprint: String
}

extension ScenarioService {
    /// Replays the realized macro moves between `from` and `to` through the graph and scores the
    /// predicted impacts against `metric`'s realized relative change. Throws (writing nothing)
    /// for a date that is not a date, `from` not before `to`, an unknown metric, no macro data
    /// in the window, or no entity with the metric at both dates.
    /// The graph is today's: formulas and coefficients are resolved at `today` (the scenario's `as_of`).
    package func replay(from: String, to: String, metric: String = "share_price", today: String) throws -> HistoryReplay {
        for (flag, date) in [("--from", from), ("--to", to)] where CalendarDate(date) == nil {
            throw StoreError(.invalidInput, "\(flag) `\(date)` is not a date", hint: "write it as YYYY-MM-DD, e.g. 2007-10-09")
        }
        guard CalendarDate(from)! < CalendarDate(to)! else {
            throw StoreError(.invalidInput, "--from \(from) is not before --to \(to)", hint: "the window runs from the earlier date to the later one")
        }
        guard Store.financialMetrics.contains(metric) else {
            throw StoreError(.invalidInput, "`\(metric)` is not a financial_data metric",
                             hint: "one of " + Store.financialMetrics.joined(separator: ", "))
        }
        let world = try EngineWorld.load(from: store)
        // The variables MACRO entities bind (a variable nothing binds would be refused at submit as a
        // likely typo), with the unit for rows that have none: the entity's, as the engine reads it.
        var entityUnits: [String: String?] = [:]
        for entity in world.entities where entity.type == "MACRO" {
            var meta = JSONObject()
            if let text = entity.metadata, case .object(let object)? = try? JSONValue.parse(text) { meta = object }
            entityUnits[meta["variable"]?.stringValue ?? Units.snakeCase(entity.name)] = .some(meta["unit"]?.stringValue)
        }
        // The latest point on or before each date, per variable.
        let start = CalendarDate(from)!, end = CalendarDate(to)!
        var atFrom: [String: (CalendarDate, MacroPoint)] = [:], atTo: [String: (CalendarDate, MacroPoint)] = [:]
        var movedInWindow = false
        for point in world.macroData {
            guard entityUnits[point.variable] != nil, let date = CalendarDate(point.date), date <= end else { continue }
            if start < date { movedInWindow = true }
            if date <= start, atFrom[point.variable].map({ $0.0 <= date }) ?? true { atFrom[point.variable] = (date, point) }
            if atTo[point.variable].map({ $0.0 <= date }) ?? true { atTo[point.variable] = (date, point) }
        }
        guard movedInWindow, !atFrom.isEmpty else {
            throw StoreError(.invalidInput, "no macro_data between \(from) and \(to)",
                             hint: "a replay needs each variable's value on or before --from and a newer one by --to; `cascade import` a world file with macro_data rows")
        }
        var values: [String: Double] = [:], baselines: [String: Double] = [:]
        for (name, entry) in atFrom {
            let first = entry.1
            guard let last = atTo[name]?.1 else { continue }
            let fallback: String? = entityUnits[name].flatMap { $0 }
            // Normalised as the engine normalises the baseline, so a variable that did not move has
            // exactly its baseline as its value.
            values[name] = last.value * Units.scale(last.unit ?? fallback)
            baselines[name] = first.value * Units.scale(first.unit ?? fallback)
        }
        let scenario = Scenario(name: "Replay \(from) … \(to)", author: "cascade backtest", macroVariables: values, asOf: today,
                                description: "The realized macro moves between \(from) and \(to) (macro_data), against \(from) as the baseline.")
        let result = try Engine.prepare(scenario, world: world, baselines: .history(on: from)).propagate()

        let (changes, missing) = try store.financialChanges(metric: metric, from: from, to: to)
        var predicted: [String: (level: Int, impact: Double)] = [:]
        for position in result.entities.indices {
            predicted[result.entities.id(at: position)] = (result.entities.level(at: position), result.entities.impact(at: position))
        }
        var points: [HistoryReplay.Point] = []
        var leftOut: [(entity: String, reason: String)] = missing.map { ($0, "no `\(metric)` on or before \(from), or 0 there") }
        for change in changes {
            if let run = predicted[change.entity] {
                points.append(.init(entity: change.entity, level: run.level, predicted: run.impact, change: change))
            } else {
                leftOut.append((change.entity, "not in the run's results (a MACRO entity, or one without a level)"))
            }
        }
        leftOut.sort { byteOrder($0.entity, $1.entity) }
        points.sort { byteOrder($0.entity, $1.entity) }
        guard !points.isEmpty else {
            throw StoreError(.invalidInput, "no entity has `\(metric)` on or before both \(from) and \(to)",
                             hint: "`cascade import` financial_data rows for the window (\(leftOut.count) entit\(leftOut.count == 1 ? "y has" : "ies have") only one end)")
        }
        func metrics(_ points: [HistoryReplay.Point]) -> BacktestMetrics {
            BacktestMetrics(observed: points.map(\.observed), predicted: points.map(\.predicted))
        }
        let byLevel = Dictionary(grouping: points, by: \.level)
        return HistoryReplay(from: from, to: to, metric: metric, scenario: scenario, baselines: baselines, points: points,
                             overall: metrics(points), levels: byLevel.keys.sorted().map { ($0, metrics(byLevel[$0]!)) },
                             leftOut: leftOut, warnings: result.warnings, fingerprint: result.fingerprint)
    }
}
