@testable import CascadeEngine
import CascadeJSON
import CascadeStore
import CascadeTestSupport
import Testing

/// A Monte Carlo result as it is serialised and stored: each entity's `distribution`, the
/// summary's `monte_carlo` with the widest bands, on both backends.
struct MonteCarloResultTests {
    static func document() throws -> JSONValue {
        var document = try ScenarioServiceTests.scenarioFile("fed-rate-cut-2025.json").objectValue!
        for (key, value) in try JSONValue.parse("{\(MonteCarloRunTests.uncertain)}").objectValue! { document[key] = value }
        return .object(document)
    }

    /// The direct serialisation of an entity is its document's (`distribution` included), and the
    /// binary columns of a large result carry the distributions back byte for byte.
    @Test func entityTextsAndColumnsCarryTheDistribution() throws {
        try MonteCarloRunTests.withSampleWorld { world in
            let result = try Engine.prepare(try Scenario.parse(try Self.document(), defaultAsOf: "2025-06-30"), world: world).propagate()
            let entities = result.entities
            #expect(entities.allSatisfy { $0.distribution != nil })
            for k in entities.indices {
                #expect(entities.jsonText(at: k) == entities[k].json.withSortedKeys().serialized(), "\(entities.id(at: k))")
            }
            #expect(entities.jsonText(at: 0).contains("\"distribution\":{\"mean\":"))
            let table = try #require(entities.table)
            let encoded = ResultColumns.encode(table, positions: entities.positions)
            let decoded = try ResultColumns.decode(encoded.run, world: encoded.world.bytes)
            #expect(decoded.indices.map { decoded.jsonText(at: $0) } == entities.indices.map { entities.jsonText(at: $0) })
            // A point result's columns are unchanged: no trailer.
            let point = try Engine.prepare(try Scenario.parse(try ScenarioServiceTests.scenarioFile("fed-rate-cut-2025.json"), defaultAsOf: "2025-06-30"), world: world).propagate()
            let pointBytes = ResultColumns.encode(try #require(point.entities.table), positions: point.entities.positions).run
            #expect(pointBytes.firstRange(of: ResultColumns.distributionMagic) == nil && point.entities.allSatisfy { $0.distribution == nil })
        }
    }

    /// Submitted, run, stored and read back from the cache on each backend: the summary names the
    /// draws, the seed (0 when the document gave none, stored explicitly) and the widest 5–95 %
    /// bands per level; every entity document carries its distribution.
    @Test(arguments: ScenarioServiceTests.Backend.available)
    func aMonteCarloResultIsStoredAndReadBack(_ backend: ScenarioServiceTests.Backend) throws {
        try backend.withSampleStore { store in
            let service = ScenarioService(store: store)
            var document = try Self.document().objectValue!
            document["seed"] = nil
            let (id, _) = try service.submit(.object(document), today: "2025-06-30")
            let fresh = try service.run(id, includeEntities: true)
            let cached = try service.run(id, includeEntities: true)
            #expect(!fresh.isCached && cached.isCached)
            let summary = fresh.document["monte_carlo"]
            #expect(summary?["draws"] == .number(400) && summary?["seed"] == .number(0) && summary?["threshold"] == .number(-0.01))
            #expect(summary?["variables"]?["fed_funds_rate"] == .object(JSONObject([("normal", .object(JSONObject([("mean", .number(0.025)), ("sd", .number(0.0075))])))])))
            let bands = try #require(summary?["widest_bands"]?.objectValue)
            #expect(!bands.isEmpty)
            for (_, entries) in bands {
                let widths = (entries.arrayValue ?? []).compactMap { $0["band"]?.numberValue }
                #expect(!widths.isEmpty && widths == widths.sorted(by: >))
            }
            let texts = try #require(fresh.entityTexts)
            #expect(!texts.isEmpty && texts.allSatisfy { $0.contains("\"distribution\":{") })
            #expect(cached.entityTexts == texts)
            #expect(cached.document["monte_carlo"] == fresh.document["monte_carlo"])
            let stored = try #require(try store.scenario(id))
            #expect(stored.document["seed"] == .number(0), "the default seed is not stored explicitly")
        }
    }
}
