import CascadeFormula
import CascadeJSON

/// The result of propagating a scenario: per-entity impacts with their causes, and the run's inputs.
package struct RunResult: Sendable {
    package var scenarioID: String?
    package var fingerprint: String
    package var cached: Bool
    package var asOf: String
    package var inputs: RunInputs
    package var macros: [MacroResult]
    /// Every entity when the graph is small; otherwise those that moved or did not finish `ok`.
    package var entities: EntityResults
    package var warnings: [String]
    package var stats: RunStats
    /// A Monte Carlo run's draws, seed, threshold and distributions (nil for a point run);
    /// its entities then carry `distribution` (docs/propagation.md, "Monte Carlo").
    package var monteCarlo: MonteCarlo? = nil
}

/// Exactly what a run read, for reproducibility.
package struct RunInputs: Sendable {
    package var engineVersion: String
    package var formulas: [String]
    package var coefficients: [CoefficientUse]
    package var macroData: [MacroPoint]
    package var inlineFormulas: Int
}

package struct CoefficientUse: Sendable, Equatable {
    package var id: String
    package var sector: String
    package var coefficientType: String
    package var value: Double
    package var effectiveDate: String
}

/// A macro variable's node: its scenario value against its baseline (in decimals).
package struct MacroResult: Sendable, Equatable {
    package var id: String
    package var name: String
    package var variable: String
    package var level: Int
    package var value: Double
    package var baseline: Double
    /// The entity's `metadata.unit` (values are normalised to decimals for `%` and `bp`).
    package var unit: String?
    package var delta: Double { value - baseline }
}

package struct EntityResult: Sendable {
    package var id: String
    package var name: String
    package var type: String
    package var level: Int
    package var impact: Double
    package var impactUnclamped: Double
    package var isClamped: Bool
    /// The entity's `metadata.current_value` (nil when it has none): what `projectedValue` moves from.
    package var baselineValue: Double?
    package var projectedValue: Double?
    package var status: EntityStatus
    package var contributions: [ContributionResult]
    /// `macro:<variable>`, `shock:<entity>` or `other` → share of the impact; sums to `impact`.
    package var attribution: [(key: String, value: Double)]
    /// Up to three chains of entity ids from a cause to this entity, strongest first.
    package var topPaths: [[String]]
    /// Rounds of the fixed point, for members of a same-level cycle.
    package var cycleRounds: Int?
    /// With sensitivities: ∂impact/∂value per `macro:<variable>` and `shock:<entity>` key (keys
    /// ascending, zeros left out), and the keys where the derivative does not exist.
    package var sensitivities: [(key: String, value: Double)]? = nil
    package var sensitivitiesUndefined: [String]? = nil
    /// In a Monte Carlo result: the entity's impact over the draws.
    package var distribution: ImpactDistribution? = nil
}

package struct ContributionResult: Sendable, Equatable {
    package var relationshipID: String
    package var sourceID: String
    /// What counted toward the unclamped impact (0 for skipped, blocked, failed, non-binding edges).
    package var value: Double
    /// `counted`, `no_value`, `not_binding`, `skipped`, `blocked` or `failed`.
    package var note: String
    package var error: String?
    /// Set when the contribution is the exogenous shock rather than an edge.
    package var isShock: Bool
}

package struct RunStats: Sendable {
    package var entities: Int
    package var relationships: Int
    package var edges: Int
    package var edgesEvaluated: Int
    package var formulaEvaluations: Int
    package var programs: Int
    package var cycles: Int
    package var unconvergedCycles: Int
    package var skippedFeedbackEdges: Int
    /// Feedback passes run after the first pass.
    package var feedbackRounds: Int = 0
    /// With `"feedback_rounds": "converge"`: whether the last pass moved no impact by more than
    /// `feedback_tolerance` (nil for a fixed number of rounds).
    package var feedbackConverged: Bool? = nil
    /// With sensitivities: the edges whose scenario value was differentiated (each time a pass
    /// differentiated it) — the phase's work, proportional to what the directions reach.
    package var sensitivityEdges: Int? = nil
    package var durationMs: Double
    package var timings: [(phase: String, ms: Double)]
    /// This thread's CPU time of `propagate()`'s steps (propagate, attribute, sensitivities, draws,
    /// results), in ms: `stats.cpu_timings_ms`, which a busy machine does not inflate as it does
    /// `timings_ms`.
    package var cpuTimings: [(phase: String, ms: Double)] = []
    /// Where the run's world came from: `"snapshot"` or `"store"` (nil for a world built in memory).
    package var worldSource: String?
    /// Where the digest of the world's entities and relationships came from: `"snapshot"`,
    /// `"store"` (recorded at the world version by an import or an earlier run) or `"hashed"`
    /// (`stats.world_digest`; nil for a world built in memory).
    package var worldDigest: String?
    /// Whether the run recomputed every entity or reused a previous result (`stats.recompute`);
    /// nil for a run made without looking for one.
    package var recompute: Recompute?
    /// Threads the propagation could use (`CASCADE_THREADS`; 1: single-threaded): `stats.threads`.
    package var threads = 1

    /// Adds a phase measured outside `propagate()` (loading the world) to `timings` and the duration.
    mutating func addTiming(_ phase: String, _ duration: Duration, first: Bool) {
        let entry = (phase: phase, ms: duration.milliseconds)
        if first { timings.insert(entry, at: 0) } else { timings.append(entry) }
        durationMs += entry.ms
    }
}

extension Duration {
    var milliseconds: Double { Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15 }
}

extension RunResult {
    /// The result without its per-entity list: `entity_count`, `moved_per_level`, and
    /// `top_movers` — per level (as a string key), up to `top` entities that moved most, by |impact|.
    package func summaryJSON(top: Int = 10) -> JSONValue {
        var object = json(includeEntities: false).objectValue!
        object["entity_count"] = .number(Double(entities.count))
        var movers = JSONObject()
        var movedCounts = JSONObject()
        var byLevel: [[Int]] = Array(repeating: [], count: 10)
        for k in entities.indices where entities.impact(at: k) != 0 {
            let level = entities.level(at: k)
            if (0...9).contains(level) { byLevel[level].append(k) }
        }
        var topPositions: [Int] = []
        for level in 0...9 where !byLevel[level].isEmpty {
            let largest = firstRanked(top, of: byLevel[level]) {
                let (a, b) = (abs(entities.impact(at: $0)), abs(entities.impact(at: $1)))
                return a > b || (a == b && entities.id(at: $0) < entities.id(at: $1))
            }
            topPositions += largest
            movers[String(level)] = .array(largest.map { entities[$0].json })
            movedCounts[String(level)] = .number(Double(byLevel[level].count))
        }
        object["top_movers"] = .object(movers)
        object["moved_per_level"] = .object(movedCounts)
        // The names of the sources the top movers' contributions come from (reported entities
        // and macro variables), for "why" lines.
        var sourceNames = JSONObject()
        if let table = entities.table {
            var isNamed = Array(repeating: false, count: table.ids.count)
            for position in entities.positions { isNamed[Int(position)] = true }
            var macroNames: [String: String] = [:]
            for macro in macros { macroNames[macro.id] = macro.name }
            for k in topPositions {
                let i = Int(entities.positions[k])
                for e in table.incomingStart[i]..<table.incomingStart[i + 1] {
                    let s = Int(table.edgeSource[e])
                    if isNamed[s] {
                        sourceNames[table.ids[s]] = .string(table.names[s])
                    } else if let name = macroNames[table.ids[s]] {
                        sourceNames[table.ids[s]] = .string(name)
                    }
                }
            }
        }
        object["source_names"] = .object(sourceNames)
        if let largest = largestSensitivities(top: top) { object["largest_sensitivities"] = largest }
        if var monteCarlo = object["monte_carlo"]?.objectValue, let widest = widestBands(top: top) {
            monteCarlo["widest_bands"] = widest
            object["monte_carlo"] = .object(monteCarlo)
        }
        return JSONValue.object(object).withSortedKeys()
    }

    /// The result document of `docs/formats.md`.
    package var json: JSONValue { json(includeEntities: true) }

    func json(includeEntities: Bool) -> JSONValue {
        var object = JSONObject()
        object["scenario_id"] = scenarioID.map(JSONValue.string) ?? .null
        object["fingerprint"] = .string(fingerprint)
        object["cached"] = .bool(cached)
        object["as_of"] = .string(asOf)
        object["inputs"] = .object(JSONObject([
            ("engine", .string(inputs.engineVersion)),
            ("formulas", .array(inputs.formulas.map(JSONValue.string))),
            ("inline_formulas", .number(Double(inputs.inlineFormulas))),
            ("coefficients", .array(inputs.coefficients.map { c in
                .object(JSONObject([("id", .string(c.id)), ("sector", .string(c.sector)),
                                    ("coefficient_type", .string(c.coefficientType)), ("value", .number(c.value)),
                                    ("effective_date", .string(c.effectiveDate))]))
            })),
            ("macro_data", .array(inputs.macroData.map { p in
                .object(JSONObject([("date", .string(p.date)), ("variable_name", .string(p.variable)),
                                    ("value", .number(p.value)), ("unit", p.unit.map(JSONValue.string) ?? .null)]))
            })),
        ]))
        object["macro"] = .array(macros.map { m in
            .object(JSONObject([("id", .string(m.id)), ("name", .string(m.name)), ("variable", .string(m.variable)),
                                ("level", .number(Double(m.level))), ("value", .number(m.value)),
                                ("baseline", .number(m.baseline)), ("delta", .number(m.delta)),
                                ("unit", m.unit.map(JSONValue.string) ?? .null)]))
        })
        if includeEntities { object["entities"] = .array(entities.map(\.json)) }
        if let keys = entities.table?.sensitivities?.keys { object["sensitivity_keys"] = .array(keys.map(JSONValue.string)) }
        if let monteCarlo = monteCarloJSON() { object["monte_carlo"] = monteCarlo }
        object["warnings"] = .array(warnings.map(JSONValue.string))
        var statistics = JSONObject([
            ("entities", .number(Double(stats.entities))), ("relationships", .number(Double(stats.relationships))),
            ("edges", .number(Double(stats.edges))), ("edges_evaluated", .number(Double(stats.edgesEvaluated))),
            ("formula_evaluations", .number(Double(stats.formulaEvaluations))), ("programs", .number(Double(stats.programs))),
            ("cycles", .number(Double(stats.cycles))), ("unconverged_cycles", .number(Double(stats.unconvergedCycles))),
            ("skipped_feedback_edges", .number(Double(stats.skippedFeedbackEdges))),
            ("feedback_rounds", .number(Double(stats.feedbackRounds))),
            ("feedback_converged", stats.feedbackConverged.map(JSONValue.bool) ?? .null),
            ("duration_ms", .number((stats.durationMs * 1000).rounded() / 1000)),
            ("timings_ms", Self.phases(stats.timings)),
        ])
        if !stats.cpuTimings.isEmpty {
            statistics["cpu_timings_ms"] = Self.phases(stats.cpuTimings)
        }
        if let edges = stats.sensitivityEdges { statistics["sensitivity_edges"] = .number(Double(edges)) }
        if let source = stats.worldSource { statistics["world"] = .string(source) }
        if let digest = stats.worldDigest { statistics["world_digest"] = .string(digest) }
        if let recompute = stats.recompute { statistics["recompute"] = recompute.json }
        statistics["threads"] = .number(Double(stats.threads))
        object["stats"] = .object(statistics)
        return .object(object)
    }

    /// Phase timings as a JSON object, to the microsecond.
    private static func phases(_ timings: [(phase: String, ms: Double)]) -> JSONValue {
        .object(JSONObject(timings.map { ($0.phase, .number(($0.ms * 1000).rounded() / 1000)) }))
    }
}

extension EntityResult {
    package var json: JSONValue {
        var object = JSONObject()
        object["id"] = .string(id)
        object["name"] = .string(name)
        object["type"] = .string(type)
        object["level"] = .number(Double(level))
        object["impact"] = .number(impact)
        object["impact_unclamped"] = .number(impactUnclamped)
        object["clamped"] = .bool(isClamped)
        object["baseline_value"] = baselineValue.map(JSONValue.number) ?? .null
        object["projected_value"] = projectedValue.map(JSONValue.number) ?? .null
        object["status"] = .string(status.rawValue)
        if let cycleRounds { object["cycle_rounds"] = .number(Double(cycleRounds)) }
        if let distribution { object["distribution"] = distribution.json }
        object["contributions"] = .array(contributions.map { c in
            var entry = JSONObject()
            if c.isShock {
                entry["shock"] = .bool(true)
            } else {
                entry["relationship_id"] = .string(c.relationshipID)
                entry["source_id"] = .string(c.sourceID)
            }
            entry["value"] = .number(c.value)
            if c.note != "counted" { entry["note"] = .string(c.note) }
            if let error = c.error { entry["error"] = .string(error) }
            return .object(entry)
        })
        object["attribution"] = .object(JSONObject(attribution.map { ($0.key, .number($0.value)) }))
        object["top_paths"] = .array(topPaths.map { .array($0.map(JSONValue.string)) })
        if let sensitivities {
            object["sensitivities"] = .object(JSONObject(sensitivities.map { ($0.key, .number($0.value)) }))
            object["sensitivities_undefined"] = .array((sensitivitiesUndefined ?? []).map(JSONValue.string))
        }
        return .object(object)
    }
}
