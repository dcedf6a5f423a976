@testable import CascadeEngine
import CascadeJSON
import CascadeStore
import CascadeTestSupport
import Foundation
import Testing

/// The world digest kept in the store (`world_digest`, `WorldDigest`): an import leaves it, a run
/// that hashed the world records it, the next run without a snapshot uses it instead of hashing,
/// and it always equals the digest a full hash of the world gives; a write made behind Cascade's
/// back (SQL straight to the tables, as `psql` or `sqlite3` would) makes the next run hash again,
/// miss the cache and get another fingerprint, with and without a world snapshot. On SQLite and,
/// when the test command started one, PostgreSQL.
struct WorldDigestTests {
    typealias Backend = ScenarioServiceTests.Backend

    static let sampleWorld = WorldSnapshotTests.sampleWorld

    /// The run's `stats.world_digest`.
    static func digestSource(_ outcome: ScenarioService.Outcome) -> String? { outcome.summary["stats"]?["world_digest"]?.stringValue }

    /// The fingerprint of `id`'s scenario over the store's world with its digest computed from
    /// every row (no snapshot, no recorded digest).
    static func fullyHashedFingerprint(_ store: Store, _ file: String) throws -> String {
        let scenario = try Scenario.parse(try ScenarioServiceTests.scenarioFile(file), defaultAsOf: "2025-06-30")
        let world = try EngineWorld.load(from: store)
        #expect(world.worldDigest == nil)
        return try Engine.prepare(scenario, world: world).fingerprint
    }

    /// How a world gets into the store: one file, or split in two (entities and everything else
    /// first, relationships second) imported together.
    enum Import: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case oneFile, twoFiles
        var testDescription: String { rawValue }

        func run(_ store: Store, directory: URL) throws {
            switch self {
            case .oneFile:
                _ = try store.importWorld(path: WorldDigestTests.sampleWorld)
            case .twoFiles:
                var world = try #require(try JSONValue.parse(String(contentsOfFile: WorldDigestTests.sampleWorld, encoding: .utf8)).objectValue)
                let relationships = try #require(world["relationships"])
                world["relationships"] = nil
                let first = directory.appendingPathComponent("world-1.json"), second = directory.appendingPathComponent("world-2.json")
                try JSONValue.object(world).serialized().write(to: first, atomically: true, encoding: .utf8)
                try JSONValue.object(JSONObject([("relationships", relationships)])).serialized().write(to: second, atomically: true, encoding: .utf8)
                _ = try store.importWorlds(paths: [first.path, second.path])
            }
        }
    }

    @Test(arguments: Import.allCases, Backend.available)
    func theFirstRunAfterAnImportUsesTheDigestItLeftWhichEqualsAFullHash(_ kind: Import, _ backend: Backend) throws {
        let (location, _, directory, cleanup) = try TestStores.fresh(postgres: backend == .postgresql, prefix: "cascade-digest")
        defer { cleanup() }
        let store = try Store(location, actor: "tests")
        try store.migrate()
        try kind.run(store, directory: directory)
        var service = ScenarioService(store: store)
        service.snapshots = .off
        let id = try WorldSnapshotTests.submit(service, "fed-rate-cut-2025.json")
        let first = try service.run(id)
        #expect(Self.digestSource(first) == "store", "the run did not use the digest the import left")
        #expect(first.fingerprint == (try Self.fullyHashedFingerprint(store, "fed-rate-cut-2025.json")))
    }

    @Test(arguments: Backend.available)
    func aRunThatHashedTheWorldRecordsItsDigestForTheNext(_ backend: Backend) throws {
        try WorldSnapshotTests.withSampleService(backend) { store, service in
            var service = service
            service.snapshots = .off
            // A write the import did not make (the digest it left is then stale): the run hashes.
            try store.write { db in _ = try db.execute("UPDATE entities SET name = 'Renamed' WHERE external_id = 'macro-global-gdp'") }
            let id = try WorldSnapshotTests.submit(service, "fed-rate-cut-2025.json")
            let first = try service.run(id)
            #expect(Self.digestSource(first) == "hashed")
            let second = try service.run(try WorldSnapshotTests.submit(service, "financial-crisis-2008.json"))
            #expect(Self.digestSource(second) == "store", "the second run hashed the world again")
            #expect(second.fingerprint == (try Self.fullyHashedFingerprint(store, "financial-crisis-2008.json")))
            #expect(try service.run(id, force: true).fingerprint == first.fingerprint)
        }
    }

    /// SQL written straight to a table, as `psql` or `sqlite3` would: no audit row.
    struct DirectWrite: CustomTestStringConvertible, Sendable {
        var name: String
        var sql: String
        var testDescription: String { name }
    }

    static let directWrites: [DirectWrite] = [
        DirectWrite(name: "entity name", sql: "UPDATE entities SET name = 'Renamed behind Cascade' WHERE external_id = 'macro-global-gdp'"),
        DirectWrite(name: "entity metadata", sql: "UPDATE entities SET metadata = NULL WHERE external_id = 'macro-global-gdp'"),
        DirectWrite(name: "relationship weight", sql: "UPDATE relationships SET weight = 0.125 WHERE external_id = 'rel-0001'"),
        DirectWrite(name: "relationship deleted", sql: "DELETE FROM relationships WHERE external_id = 'rel-0001'"),
        // Not part of the digest, but read by the run (and kept in the snapshot): the count must see them too.
        DirectWrite(name: "coefficient values", sql: "UPDATE sector_coefficients SET value = value * 2"),
        DirectWrite(name: "macro data point", sql: "UPDATE macro_data SET value = value + 0.5 WHERE variable_name = 'us_unemployment'"),
    ]

    @Test(arguments: directWrites, [true, false])
    func aDirectSQLWriteChangesTheNextRunsFingerprint(_ write: DirectWrite, _ withSnapshot: Bool) throws {
        for backend in Backend.available {
            try WorldSnapshotTests.withSampleService(backend) { store, service in
                var service = service
                if !withSnapshot { service.snapshots = .off }
                let id = try WorldSnapshotTests.submit(service, "fed-rate-cut-2025.json")
                let before = try service.run(id)
                let warm = try service.run(id, force: true)
                #expect(Self.digestSource(warm) == (withSnapshot ? "snapshot" : "store"), "\(backend)")
                try store.write { db in _ = try db.execute(write.sql) }
                // Not forced: the data version must see the write too.
                let after = try service.run(id)
                #expect(!after.isCached, "\(backend): a write behind Cascade's back returned the cached result")
                #expect(after.fingerprint != before.fingerprint, "\(backend): the fingerprint did not change")
                #expect(WorldSnapshotTests.source(after) == "store" && Self.digestSource(after) == "hashed", "\(backend)")
                #expect(after.fingerprint == (try Self.fullyHashedFingerprint(store, "fed-rate-cut-2025.json")), "\(backend)")
                let again = try service.run(id, force: true)
                #expect(again.fingerprint == after.fingerprint && Self.digestSource(again) == (withSnapshot ? "snapshot" : "store"), "\(backend)")
            }
        }
    }
}
