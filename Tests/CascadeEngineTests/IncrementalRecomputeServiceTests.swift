@testable import CascadeEngine
import CascadeJSON
import CascadeStore
import Testing

/// Through the store, on both backends: after a coefficient row is added, a re-run reuses the
/// scenario's previous stored result and stores what a forced full run stores; a damaged
/// previous result makes the run full, never an error.
struct IncrementalRecomputeServiceTests {
    /// 3 000 entities on 10 levels in two sectors, each below the first fed by three of the level
    /// above, two-entity cycles in every level; every fourth edge into the last level (and, with
    /// `betaEverywhere`, into every level) goes through a formula reading `coeff.beta`.
    static func world(betaEverywhere: Bool = false) -> JSONValue {
        let entities = (0..<3_000).map { i in
            JSONValue.object(JSONObject([("id", .string("e\(i)")), ("type", .string("COMPANY")), ("name", .string("Entity \(i)")),
                                         ("category", .string(i % 2 == 0 ? "SEMICONDUCTOR" : "BANKING")),
                                         ("ontology_level", .number(Double(i / 300)))]))
        }
        var relationships: [JSONValue] = []
        func edge(_ source: Int, _ target: Int, formula: Bool) {
            var object = JSONObject([("id", .string("r\(relationships.count)")), ("source_entity_id", .string("e\(source)")),
                                     ("target_entity_id", .string("e\(target)")), ("type", .string("SUPPLIES")), ("weight", .number(0.3))])
            if formula { object["impact_formula"] = .string("return source.impact * coeff.beta;") }
            relationships.append(.object(object))
        }
        for i in 300..<3_000 {
            for k in 0..<3 { edge((i / 300 - 1) * 300 + (i * 7 + k * 101) % 300, i, formula: (i + k) % 4 == 0 && (betaEverywhere || i >= 2_700)) }
            if i % 10 == 0 {
                edge(i, i + 2, formula: false)
                edge(i + 2, i, formula: false)
            }
        }
        return .object(JSONObject([("entities", .array(entities)), ("relationships", .array(relationships))]))
    }

    static func beta(_ sector: String, _ value: Double, from date: String) -> SectorCoefficient {
        SectorCoefficient(sector: sector, coefficientType: "beta", value: value, effectiveDate: date)
    }

    static func recompute(_ outcome: ScenarioService.Outcome) -> JSONValue? { outcome.summary["stats"]?["recompute"] }

    static func withoutStats(_ outcome: ScenarioService.Outcome) -> JSONValue {
        var summary = outcome.summary.objectValue!
        summary["stats"] = nil
        return .object(summary)
    }

    /// A change that reaches most of the graph runs in full, before the previous result's columns
    /// are read (they are damaged here: reading them would say so).
    @Test(arguments: ScenarioServiceTests.Backend.available)
    func aChangeThatReachesMostEntitiesRunsInFull(_ backend: ScenarioServiceTests.Backend) throws {
        try backend.withStore { store in
            _ = try store.importWorld(Self.world(betaEverywhere: true), file: "world.json")
            _ = try store.addCoefficient(Self.beta("SEMICONDUCTOR", 0.5, from: "2025-01-01"))
            _ = try store.addCoefficient(Self.beta("BANKING", 0.8, from: "2025-01-01"))
            let service = ScenarioService(store: store, snapshots: .off)
            let (id, _) = try service.submit(Self.scenario(), today: "2025-06-30")
            _ = try service.run(id)
            try store.write { db in _ = try db.execute("UPDATE scenario_result_parts SET data = ?", .text("AAAA")) }
            _ = try store.addCoefficient(Self.beta("SEMICONDUCTOR", 0.25, from: "2025-03-01"))
            let rerun = try service.run(id)
            #expect(Self.recompute(rerun)?["mode"]?.stringValue == "full")
            let reason = Self.recompute(rerun)?["reason"]?.stringValue ?? ""
            #expect(reason.hasSuffix("entities are downstream of the change: a full run costs less"), "\(reason)")
        }
    }

    static func scenario() -> JSONValue {
        let shocks = JSONObject((0..<30).map { ("e\($0 * 7)", JSONValue.number(-0.01 * Double($0 % 5 + 1))) })
        return .object(JSONObject([
            ("name", .string("incremental")), ("author", .string("tests")), ("as_of", .string("2025-06-30")),
            ("macro_variables", .object(JSONObject())), ("entity_shocks", .object(shocks)),
        ]))
    }

    @Test(arguments: ScenarioServiceTests.Backend.available)
    func aReRunAfterACoefficientChangeReusesThePreviousResult(_ backend: ScenarioServiceTests.Backend) throws {
        try backend.withStore { store in
            _ = try store.importWorld(Self.world(), file: "world.json")
            _ = try store.addCoefficient(Self.beta("SEMICONDUCTOR", 0.5, from: "2025-01-01"))
            _ = try store.addCoefficient(Self.beta("BANKING", 0.8, from: "2025-01-01"))
            let service = ScenarioService(store: store, snapshots: .off)
            let (id, _) = try service.submit(Self.scenario(), today: "2025-06-30")
            let first = try service.run(id, includeEntities: true)
            #expect(Self.recompute(first)?["mode"]?.stringValue == "full")
            #expect(Self.recompute(first)?["reason"]?.stringValue == "no previous result")

            _ = try store.addCoefficient(Self.beta("SEMICONDUCTOR", 0.25, from: "2025-03-01"))
            let incremental = try service.run(id, includeEntities: true)
            #expect(Self.recompute(incremental)?["mode"]?.stringValue == "incremental")
            let recomputed = try #require(Self.recompute(incremental)?["entities"]?.numberValue)
            #expect(recomputed > 0 && recomputed < 300, "\(recomputed)")
            #expect(incremental.summary["stats"]?["timings_ms"]?["previous"] != nil)
            let full = try service.run(id, force: true, includeEntities: true)
            #expect(Self.recompute(full)?["reason"]?.stringValue == "--force recomputes every entity")
            #expect(incremental.fingerprint == full.fingerprint && incremental.fingerprint != first.fingerprint)
            let sameEntities = try #require(incremental.entityTexts) == full.entityTexts
            #expect(sameEntities, "the stored entities differ")
            let sameSummary = Self.withoutStats(incremental) == Self.withoutStats(full)
            #expect(sameSummary, "the stored summaries differ")

            // The stored columns damaged: the next run is full, and succeeds.
            try store.write { db in _ = try db.execute("UPDATE scenario_result_parts SET data = ?", .text("AAAA")) }
            _ = try store.addCoefficient(Self.beta("BANKING", 0.6, from: "2025-03-01"))
            let afterDamage = try service.run(id, includeEntities: true)
            #expect(Self.recompute(afterDamage)?["reason"]?.stringValue == "the previous result's columns are damaged")
            let again = try service.run(id, force: true, includeEntities: true)
            let sameAfterDamage = try #require(afterDamage.entityTexts) == again.entityTexts
            #expect(sameAfterDamage, "the stored entities differ")
        }
    }
}
