@testable import CascadeEngine
import CascadeJSON
import CascadeStore
import Testing

/// A large result's world part (`ResultColumns` version 3) is stored once per world, owner and
/// key, on both backends: two scenarios on one world store one; a changed world stores a second;
/// replacing or deleting results deletes a world part no result uses and keeps one that is used;
/// a missing or damaged world part is an error that says what to do, and `--force` repairs it.
struct ResultWorldTests {
    static func scenario(_ name: String, shock: String) -> JSONValue {
        .object(JSONObject([
            ("name", .string(name)), ("author", .string("tests")), ("as_of", .string("2025-06-30")),
            ("macro_variables", .object(JSONObject())), ("entity_shocks", .object(JSONObject([(shock, .number(-0.02))]))),
        ]))
    }

    /// The keys of the stored world parts, with the scenarios that use each and its stored part count.
    static func worlds(_ store: Store) throws -> [String: (users: Int, parts: Int)] {
        try store.read { db in
            var found: [String: (users: Int, parts: Int)] = [:]
            for row in try db.query("""
                SELECT w.world_key AS k, w.parts AS declared,
                  (SELECT COUNT(*) FROM scenario_result_worlds r WHERE r.owner = w.owner AND r.world_key = w.world_key) AS users,
                  (SELECT COUNT(*) FROM result_world_parts p WHERE p.owner = w.owner AND p.world_key = w.world_key) AS parts
                FROM result_worlds w
                """) {
                #expect(row.int("declared") == row.int("parts"))
                found[row.string("k") ?? ""] = (row.int("users") ?? -1, row.int("parts") ?? -1)
            }
            return found
        }
    }

    static func rename(_ store: Store, _ entity: String, to name: String) throws {
        try store.write { db in
            _ = try db.execute("UPDATE entities SET name = ? WHERE external_id = ?", .text(name), .text(entity))
        }
    }

    @Test(arguments: ScenarioServiceTests.Backend.available)
    func twoScenariosOnOneWorldStoreOneWorldPartAndAChangedWorldASecond(_ backend: ScenarioServiceTests.Backend) throws {
        try backend.withStore { store in
            _ = try store.importWorld(ResultColumnsTests.world(), file: "world.json")
            let service = ScenarioService(store: store, snapshots: .off)
            let (a, _) = try service.submit(Self.scenario("a", shock: "e5"), today: "2025-06-30")
            let (b, _) = try service.submit(Self.scenario("b", shock: "e9"), today: "2025-06-30")
            let freshA = try service.run(a, includeEntities: true), freshB = try service.run(b, includeEntities: true)
            let first = try Self.worlds(store)
            #expect(first.count == 1 && first.values.first?.users == 2, "\(first)")
            // The run log says how long the world part took to encode and hash (part of `store`).
            let timings = try #require(try store.runs(limit: 1).first?.counts?["timings_ms"])
            let worldPart = try #require(timings["store_world_part"]?.numberValue), storing = try #require(timings["store"]?.numberValue)
            #expect(worldPart >= 0 && worldPart <= storing, "\(timings)")
            // Each reads back byte for byte from its run part and the shared world part.
            #expect(try service.run(a, includeEntities: true).entityTexts == freshA.entityTexts)
            #expect(try service.run(b, includeEntities: true).entityTexts == freshB.entityTexts)
            // Run again with --force: the same world part is kept, not written again.
            _ = try service.run(a, force: true)
            #expect(try Self.worlds(store).keys == first.keys)

            // A changed world: `a` run on it stores a second world part, `b` keeps the first.
            try Self.rename(store, "e7", to: "Entity seven")
            let changedA = try service.run(a, includeEntities: true)
            #expect(!changedA.isCached && changedA.entityTexts?.contains { $0.contains("Entity seven") } == true)
            let second = try Self.worlds(store)
            #expect(second.count == 2 && second.values.allSatisfy { $0.users == 1 }, "\(second)")
            #expect(try service.run(a, includeEntities: true).entityTexts == changedA.entityTexts)
            // `b` run on the changed world too: the first world part, used by nothing, is deleted.
            _ = try service.run(b)
            let third = try Self.worlds(store)
            #expect(third.count == 1 && third.values.first?.users == 2 && !first.keys.contains(third.keys.first!), "\(third)")
        }
    }

    @Test(arguments: ScenarioServiceTests.Backend.available)
    func deletingAndReplacingResultsKeepsAUsedWorldPartAndDeletesAnUnusedOne(_ backend: ScenarioServiceTests.Backend) throws {
        try backend.withStore { store in
            _ = try store.importWorld(ResultColumnsTests.world(), file: "world.json")
            let service = ScenarioService(store: store, snapshots: .off)
            let (a, _) = try service.submit(Self.scenario("a", shock: "e5"), today: "2025-06-30")
            let (b, _) = try service.submit(Self.scenario("b", shock: "e9"), today: "2025-06-30")
            _ = try service.run(a)
            let freshB = try service.run(b, includeEntities: true)
            try store.deleteScenario(a, by: "tests", isAdmin: false)
            #expect(try Self.worlds(store).values.map(\.users) == [1])
            #expect(try service.run(b, includeEntities: true).entityTexts == freshB.entityTexts)
            // Replacing `b`'s document drops its result: nothing uses the world part any more.
            let replaced = try #require(try store.scenario(b))
            try store.replaceScenario(b, name: "b", description: nil, author: "tests", asOf: "2025-06-30", isPublic: true,
                                      document: Self.scenario("b", shock: "e11"), by: "tests", isAdmin: false)
            #expect(replaced.resultFingerprint != nil)
            #expect(try Self.worlds(store).isEmpty)
            let rows = try store.read { db in try db.queryOne("SELECT COUNT(*) AS n FROM result_world_parts")?.int("n") }
            #expect(rows == 0)
            // Run again and deleted: nothing left.
            _ = try service.run(b)
            #expect(try Self.worlds(store).count == 1)
            try store.deleteScenario(b, by: "tests", isAdmin: false)
            #expect(try Self.worlds(store).isEmpty)
        }
    }

    /// A world part whose bytes are damaged or gone: reading the cached result is an error naming
    /// the world part and saying to run with `--force` (never a crash, never other entities), and
    /// `--force` writes the world part again (its key is stored: without the rewrite the damage
    /// would stay).
    @Test(arguments: ScenarioServiceTests.Backend.available, ["damaged", "missing"])
    func aDamagedOrMissingWorldPartIsAnErrorThatForceRepairs(_ backend: ScenarioServiceTests.Backend, _ damage: String) throws {
        try backend.withStore { store in
            _ = try store.importWorld(ResultColumnsTests.world(), file: "world.json")
            let service = ScenarioService(store: store, snapshots: .off)
            let (a, _) = try service.submit(Self.scenario("a", shock: "e5"), today: "2025-06-30")
            let fresh = try service.run(a, includeEntities: true)
            try store.write { db in
                if damage == "missing" {
                    _ = try db.execute("DELETE FROM result_world_parts")
                } else {
                    let part = try #require(try db.queryOne("SELECT data FROM result_world_parts WHERE part = 0")?.bytes("data"))
                    var damaged = part
                    damaged[damaged.count / 2] ^= 0x10
                    _ = try db.execute("UPDATE result_world_parts SET data = ? WHERE part = 0", .blob(damaged))
                }
            }
            let error = try #require(throws: StoreError.self) { try service.run(a, includeEntities: true) }
            #expect(error.message.contains("world part"), "\(error)")
            #expect(error.hint?.contains("--force") == true, "\(error)")
            let repaired = try service.run(a, force: true, includeEntities: true)
            #expect(repaired.entityTexts == fresh.entityTexts)
            #expect(try service.run(a, includeEntities: true).entityTexts == fresh.entityTexts)
        }
    }
}
