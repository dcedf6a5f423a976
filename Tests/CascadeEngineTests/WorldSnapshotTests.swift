@testable import CascadeEngine
import CascadeJSON
import CascadeStore
import CascadeTestSupport
import Foundation
import Testing

/// World snapshots (`WorldSnapshotFile`): a second run reads the world from the snapshot and
/// gives the result (and fingerprint) of a run without one; every kind of write a run reads
/// makes the next run read the store again; a damaged or foreign file is ignored and replaced.
/// On SQLite and, when the test command started one, PostgreSQL.
struct WorldSnapshotTests {
    typealias Backend = ScenarioServiceTests.Backend

    static let sampleWorld = PackageExecutables.root.appendingPathComponent("Scenarios/world/sample-world.json").path

    /// A migrated store holding the sample world, and a service whose snapshots live in the
    /// store's own temporary directory (PostgreSQL's too, not the user's cache).
    static func withSampleService<T>(_ backend: Backend, _ body: (Store, ScenarioService) throws -> T) throws -> T {
        let (location, _, directory, cleanup) = try TestStores.fresh(postgres: backend == .postgresql, prefix: "cascade-snapshot")
        defer { cleanup() }
        let store = try Store(location, actor: "tests")
        try store.migrate()
        _ = try store.importWorld(path: sampleWorld)
        let service = ScenarioService(store: store, snapshots: SnapshotSettings(cacheDirectory: directory.appendingPathComponent("cache").path))
        return try body(store, service)
    }

    static func submit(_ service: ScenarioService, _ file: String) throws -> String {
        try service.submit(try ScenarioServiceTests.scenarioFile(file), today: "2025-06-30").id
    }

    /// The run's `stats.world`.
    static func source(_ outcome: ScenarioService.Outcome) -> String? { outcome.summary["stats"]?["world"]?.stringValue }

    /// Runs `id` with snapshots off (recomputed): the reference a snapshot run must equal.
    static func withoutSnapshot(_ service: ScenarioService, _ id: String) throws -> ScenarioService.Outcome {
        var plain = service
        plain.snapshots = .off
        return try plain.run(id, force: true, includeEntities: true)
    }

    @Test(arguments: Backend.available)
    func aSecondRunReadsTheSnapshotAndMatchesARunWithout(_ backend: Backend) throws {
        try Self.withSampleService(backend) { store, service in
            let path = try #require(service.snapshots.path(for: store.location))
            let first = try service.run(try Self.submit(service, "fed-rate-cut-2025.json"), includeEntities: true)
            #expect(Self.source(first) == "store")
            #expect(FileManager.default.fileExists(atPath: path), "no snapshot at \(path)")
            // A different scenario on the same world: read from the snapshot.
            let id = try Self.submit(service, "financial-crisis-2008.json")
            let second = try service.run(id, includeEntities: true)
            #expect(Self.source(second) == "snapshot")
            #expect(second.summary["stats"]?["timings_ms"]?["load"]?.numberValue != nil)
            let plain = try Self.withoutSnapshot(service, id)
            #expect(Self.source(plain) == "store")
            #expect(second.fingerprint == plain.fingerprint)
            let texts = try #require(second.entityTexts), plainTexts = try #require(plain.entityTexts)
            #expect(texts.count == plainTexts.count && texts.count > 100)
            #expect(texts == plainTexts, "the entities of the snapshot run differ from those of a run without it")
        }
    }

    @Test func snapshotsCanBeTurnedOff() throws {
        #expect(SnapshotSettings.environment(["CASCADE_SNAPSHOT": "off", "HOME": "/h"]).path(for: .sqlite(path: "/x/s.sqlite")) == nil)
        #expect(SnapshotSettings.environment(["HOME": "/h"]).path(for: .sqlite(path: "/x/s.sqlite")) == "/x/s.sqlite.cascade-snapshot")
        let environment = ["HOME": "/h", "XDG_CACHE_HOME": "/xdg"]
        let withPassword = try #require(SnapshotSettings.environment(environment).path(for: .postgresql(url: "postgres://u:secret@db:5432/c")))
        #expect(withPassword.hasPrefix("/xdg/cascade/world-") && withPassword.hasSuffix(".cascade-snapshot"))
        // Named by the connection target without its password: the same file for any password.
        #expect(SnapshotSettings.environment(environment).path(for: .postgresql(url: "postgres://u:other@db:5432/c")) == withPassword)
        #expect(SnapshotSettings.environment(environment).path(for: .postgresql(url: "postgres://u@db:5432/c")) == withPassword)
        #expect(SnapshotSettings.environment(environment).path(for: .postgresql(url: "postgres://v@db:5432/c")) != withPassword)
        #expect(SnapshotSettings.environment(["HOME": "/h", "CASCADE_CACHE_DIR": "/c"]).path(for: .postgresql(url: "postgres://db/c"))?
            .hasPrefix("/c/world-") == true)
        #expect(SnapshotSettings.environment(["HOME": "/h"]).path(for: .postgresql(url: "postgres://db/c"))?.hasPrefix("/h/.cache/cascade/") == true)
        #expect(SnapshotSettings.withoutPassword("postgres://u@db/c?sslmode=disable&password=x") == "postgres://u@db/c?sslmode=disable")
    }

    /// Each kind of write a run reads, and how to see it in the loaded world.
    struct Write: CustomTestStringConvertible, Sendable {
        var name: String
        /// Done before the first run.
        var setup: @Sendable (Store) throws -> Void = { _ in }
        var apply: @Sendable (Store) throws -> Void
        var isVisible: @Sendable (EngineWorld) -> Bool
        /// Whether the write changes what the sample run reads (its fingerprint).
        var isRead = true
        var testDescription: String { name }
    }

    /// A second version of `gdp_sector_impact`, twice the first (in force from the same date).
    static func importDoubledFormula(_ store: Store) throws {
        var formula = try sampleRow("formulas", 0)
        formula["formula_text"] = .string("return (gdpGrowth - baseline) * elasticity * 200;")
        formula["test_cases"] = .array(try #require(formula["test_cases"]?.arrayValue).map { test in
            var test = try #require(test.objectValue)
            test["expected"] = .number(2 * (test["expected"]?.numberValue ?? 0))
            return .object(test)
        })
        try importRows(store, "formulas", [formula])
    }

    static func sampleRow(_ table: String, _ index: Int) throws -> JSONObject {
        let world = try JSONValue.parse(String(contentsOfFile: sampleWorld, encoding: .utf8))
        return try #require(world[table]?.arrayValue?[index].objectValue)
    }

    static func importRows(_ store: Store, _ table: String, _ rows: [JSONObject]) throws {
        _ = try store.importWorld(.object(JSONObject([(table, .array(rows.map(JSONValue.object)))])), file: nil)
    }

    static let writes: [Write] = [
        Write(name: "entity", apply: { store in
            var entity = try sampleRow("entities", 1)
            entity["name"] = .string("Renamed by the snapshot test")
            try importRows(store, "entities", [entity])
        }, isVisible: { $0.entities.contains { $0.name == "Renamed by the snapshot test" } }),
        Write(name: "relationship", apply: { store in
            var relationship = try sampleRow("relationships", 0)
            relationship["weight"] = .number(0.123)
            try importRows(store, "relationships", [relationship])
        }, isVisible: { $0.relationships.contains { $0.weight == 0.123 } }),
        Write(name: "formula version", apply: { try importDoubledFormula($0) },
              isVisible: { $0.formulas.contains { $0.text.contains("* 200") && $0.isActive } }),
        Write(name: "formula activation", setup: { try importDoubledFormula($0) }, apply: { store in
            try store.setActive(FormulaReference(name: "gdp_sector_impact", version: 2), false)
        }, isVisible: { $0.formulas.contains { $0.name == "gdp_sector_impact" && $0.version == 2 && !$0.isActive } }),
        Write(name: "coefficient row", apply: { store in
            _ = try store.addCoefficient(SectorCoefficient(sector: "SEMICONDUCTOR", coefficientType: "gdp_elasticity",
                                                           value: 2.1, effectiveDate: "2025-03-01"))
        }, isVisible: { $0.coefficients.contains { $0.value == 2.1 && $0.effectiveDate == "2025-03-01" } }),
        Write(name: "macro data point", apply: { store in
            try importRows(store, "macro_data", [JSONObject([("date", .string("2025-05-01")), ("variable_name", .string("fed_funds_rate")),
                                                             ("value", .number(4.125)), ("unit", .string("%"))])])
        }, isVisible: { $0.macroData.contains { $0.value == 4.125 && $0.date == "2025-05-01" } }, isRead: false),
        Write(name: "world import", apply: { store in
            // The whole sample world again, one entity's current value changed.
            var world = try #require(try JSONValue.parse(String(contentsOfFile: sampleWorld, encoding: .utf8)).objectValue)
            var entities = try #require(world["entities"]?.arrayValue)
            var entity = try #require(entities[1].objectValue)
            var metadata = try #require(entity["metadata"]?.objectValue)
            metadata["current_value"] = .number(3.25)
            entity["metadata"] = .object(metadata)
            entities[1] = .object(entity)
            world["entities"] = .array(entities)
            _ = try store.importWorld(.object(world), file: nil)
        }, isVisible: { world in
            world.entities.contains { $0.id == "macro-global-gdp" && $0.metadata?.contains("3.25") == true }
        }),
    ]

    @Test(arguments: writes, Backend.available)
    func aWriteARunReadsMakesTheNextRunReadTheStore(_ write: Write, _ backend: Backend) throws {
        try Self.withSampleService(backend) { store, service in
            try write.setup(store)
            let id = try Self.submit(service, "fed-rate-cut-2025.json")
            let before = try service.run(id, includeEntities: true)
            #expect(try Self.source(service.run(id, force: true)) == "snapshot")
            try write.apply(store)
            let loaded = try service.loadWorld()
            #expect(loaded.source == "store", "the snapshot was read after a write")
            #expect(write.isVisible(loaded.world), "the loaded world does not show the write")
            let after = try service.run(id, force: true, includeEntities: true)
            #expect(Self.source(after) == "store")
            let plain = try Self.withoutSnapshot(service, id)
            #expect(after.fingerprint == plain.fingerprint)
            #expect(after.entityTexts == plain.entityTexts)
            if write.isRead {
                #expect(after.fingerprint != before.fingerprint, "the write changed nothing the run reads")
            }
            // The snapshot was rebuilt at the new version, and shows the write.
            let again = try service.loadWorld()
            #expect(again.source == "snapshot")
            #expect(write.isVisible(again.world))
            #expect(try service.run(id, force: true).fingerprint == after.fingerprint)
        }
    }

    /// Damage done to a snapshot file; each must make the next run read the store and replace it.
    struct Damage: CustomTestStringConvertible, Sendable {
        var name: String
        var apply: @Sendable (inout [UInt8]) -> Void
        var testDescription: String { name }
    }

    static let damages: [Damage] = [
        Damage(name: "bad magic") { $0[0] = UInt8(ascii: "X") },
        Damage(name: "empty file") { $0 = [] },
        Damage(name: "short file") { $0.removeLast($0.count / 3) },
        Damage(name: "header only") { $0 = Array($0.prefix(40)) },
        Damage(name: "other format version") { $0[8] &+= 1 },
        Damage(name: "flipped byte in the key") { $0[30] ^= 0x01 },
        Damage(name: "flipped byte in the world digest") { bytes in
            // After magic, format version, section count, file length (24 bytes) and the key.
            let keyLength = Int(bytes[24]) | Int(bytes[25]) << 8
            bytes[24 + 4 + keyLength + 4 + 12] ^= 0x01
        },
        Damage(name: "flipped byte in a section") { $0[$0.count - 5] ^= 0x40 },
        Damage(name: "trailing bytes") { $0.append(contentsOf: [0, 0, 0, 0]) },
        Damage(name: "a position outside the columns") { bytes in
            // A whole file with valid checksums, under the right key, whose first relationship
            // points past the last entity.
            guard var contents = try? bytes.withUnsafeBytes({ try WorldSnapshotFile.decode($0) }),
                  var columns = contents.world.columns else {
                bytes = []
                return
            }
            columns.relationshipSources[0] = Int32(columns.entityIDs.count)
            contents.world.columns = columns
            bytes = WorldSnapshotFile.encode(columns: columns, coefficients: contents.world.coefficients, formulas: contents.world.formulas,
                                             macroData: contents.world.macroData, entityFacts: contents.world.entityFacts ?? EntityFacts(),
                                             key: contents.key, worldDigest: contents.worldDigest)
        },
        Damage(name: "entity facts not one per entity") { bytes in
            reencode(&bytes) { $0.levelValues.removeLast() }
        },
        Damage(name: "a sector index outside the list") { bytes in
            reencode(&bytes) { $0.sectorIndex[0] = Int32($0.sectors.count) }
        },
        Damage(name: "a sector listed twice") { bytes in
            reencode(&bytes) { $0.sectors.append($0.sectors[0]) }
        },
        Damage(name: "a canonical text past the last entity") { bytes in
            reencode(&bytes) { $0.canonicalTexts[$0.levelValues.count] = "{}" }
        },
        Damage(name: "a prepared edge outside the columns") { bytes in
            reencodeGraph(&bytes) { $0.edgeSource[0] = Int32($0.entityCount) }
        },
        Damage(name: "prepared edges not grouped by their targets") { bytes in
            reencodeGraph(&bytes) { $0.edgeTarget.swapAt(0, $0.edgeTarget.count - 1) }
        },
        Damage(name: "a prepared grouping that does not cover the edges") { bytes in
            reencodeGraph(&bytes) { $0.targetStart[$0.targetStart.count - 1] -= 1 }
        },
        Damage(name: "an edge to bind past the last edge") { bytes in
            reencodeGraph(&bytes) { $0.bindingSlots.append(Int32($0.edgeSource.count)) }
        },
        Damage(name: "an empty component") { bytes in
            reencodeGraph(&bytes) { $0.components[9].append([]); $0.componentIsCyclic[9].append(false) }
        },
        Damage(name: "a prepared graph of another world") { bytes in
            reencodeGraph(&bytes) { $0.entityCount += 1 }
        },
        Damage(name: "other data version") { bytes in
            // A whole, valid file of another (empty) world, under another key.
            bytes = WorldSnapshotFile.encode(columns: WorldColumns(), coefficients: [], formulas: [], macroData: [],
                                             entityFacts: EntityFacts(), key: "0:0||", worldDigest: "xxh3-128:0")
        },
    ]

    /// A whole file with valid checksums, under the right key, whose entity facts were changed by `change`.
    static func reencode(_ bytes: inout [UInt8], _ change: (inout EntityFacts) -> Void) {
        guard let contents = try? bytes.withUnsafeBytes({ try WorldSnapshotFile.decode($0) }),
              let columns = contents.world.columns, var facts = contents.world.entityFacts else {
            bytes = []
            return
        }
        change(&facts)
        bytes = WorldSnapshotFile.encode(columns: columns, coefficients: contents.world.coefficients, formulas: contents.world.formulas,
                                         macroData: contents.world.macroData, entityFacts: facts,
                                         preparedGraph: contents.world.preparedGraph, key: contents.key,
                                         worldDigest: contents.worldDigest)
    }

    /// A whole file with valid checksums, under the right key, whose prepared graph was changed by `change`.
    static func reencodeGraph(_ bytes: inout [UInt8], _ change: (inout PreparedGraph) -> Void) {
        guard let contents = try? bytes.withUnsafeBytes({ try WorldSnapshotFile.decode($0) }),
              let columns = contents.world.columns, let facts = contents.world.entityFacts, var graph = contents.world.preparedGraph else {
            bytes = []
            return
        }
        change(&graph)
        bytes = WorldSnapshotFile.encode(columns: columns, coefficients: contents.world.coefficients, formulas: contents.world.formulas,
                                         macroData: contents.world.macroData, entityFacts: facts, preparedGraph: graph,
                                         key: contents.key, worldDigest: contents.worldDigest)
    }

    @Test(arguments: damages, Backend.available)
    func aDamagedOrForeignSnapshotIsIgnoredAndReplaced(_ damage: Damage, _ backend: Backend) throws {
        try Self.withSampleService(backend) { store, service in
            let path = try #require(service.snapshots.path(for: store.location))
            let id = try Self.submit(service, "fed-rate-cut-2025.json")
            let first = try service.run(id, includeEntities: true)
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            damage.apply(&bytes)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let key = try store.worldVersion()
            let isAccepted = (try? WorldSnapshotFile.read(path: path, key: key)) != nil
            #expect(!isAccepted, "the damaged file was accepted")

            let after = try service.run(id, force: true, includeEntities: true)
            #expect(Self.source(after) == "store")
            #expect(after.fingerprint == first.fingerprint)
            #expect(after.entityTexts == first.entityTexts)
            // Replaced: the next run reads the snapshot again.
            #expect(try Self.source(service.run(id, force: true)) == "snapshot")
        }
    }

    @Test func aSnapshotKeepsEveryColumnExactly() throws {
        try Self.withSampleService(.sqlite) { store, service in
            let world = try EngineWorld.load(from: store)
            let columns = try #require(world.columns)
            let facts = EntityFacts(columns)
            let bytes = WorldSnapshotFile.encode(columns: columns, coefficients: world.coefficients, formulas: world.formulas,
                                                 macroData: world.macroData, entityFacts: facts, key: "k", worldDigest: "d")
            let contents = try bytes.withUnsafeBytes { try WorldSnapshotFile.decode($0) }
            #expect(contents.key == "k" && contents.worldDigest == "d")
            #expect(contents.world.entities == world.entities)
            #expect(contents.world.relationships == world.relationships)
            #expect(contents.world.coefficients == world.coefficients)
            #expect(contents.world.formulas == world.formulas)
            #expect(contents.world.macroData == world.macroData)
            #expect(contents.world.columns?.isKnownSorted == true)
            #expect(contents.world.entityFacts == facts)
        }
    }

    /// A run prepared on a snapshot's world takes what the entities' metadata says from the file:
    /// it parses no entity metadata (but a MACRO entity's object), and prepares exactly what a run
    /// on the store's world prepares.
    @Test(arguments: Backend.available)
    func aWarmRunPreparesTheEntitiesFromTheSnapshot(_ backend: Backend) throws {
        try Self.withSampleService(backend) { store, service in
            let path = try #require(service.snapshots.path(for: store.location))
            let id = try Self.submit(service, "fed-rate-cut-2025.json")
            _ = try service.run(id)
            let contents = try #require(try WorldSnapshotFile.read(path: path, key: try store.worldVersion()))
            let scenario = try Scenario.parse(try ScenarioServiceTests.scenarioFile("fed-rate-cut-2025.json"), defaultAsOf: "2025-06-30")
            let warm = try PreparedRun.prepare(scenario, world: contents.world)
            let cold = try PreparedRun.prepare(scenario, world: try EngineWorld.load(from: store))
            #expect(warm.entityFacts.parsedTexts == 0)
            #expect(cold.entityFacts.parsedTexts > 100)
            #expect(warm.entityFacts == cold.entityFacts)
            #expect(warm.metadataTexts == cold.metadataTexts)
            #expect(warm.levelValues.map(\.bitPattern) == cold.levelValues.map(\.bitPattern))
            #expect(warm.hasCurrentValue == cold.hasCurrentValue)
            #expect(warm.sectors == cold.sectors && warm.sectorIndex == cold.sectorIndex)
            #expect(warm.variableNames == cold.variableNames)
            #expect(warm.variableBaselines.map(\.bitPattern) == cold.variableBaselines.map(\.bitPattern))
            #expect(warm.warnings == cold.warnings)
        }
    }

    /// A warm run lays out no edges: it takes them (and the components) from the snapshot's
    /// prepared graph, which is the graph a run on the store's world lays out, and binds the
    /// scenario's programs on it to exactly what that run binds.
    @Test(arguments: Backend.available)
    func aWarmRunTakesTheEdgesFromTheSnapshot(_ backend: Backend) throws {
        try Self.withSampleService(backend) { store, service in
            let path = try #require(service.snapshots.path(for: store.location))
            _ = try service.run(try Self.submit(service, "fed-rate-cut-2025.json"))
            let contents = try #require(try WorldSnapshotFile.read(path: path, key: try store.worldVersion()))
            let graph = try #require(contents.world.preparedGraph, "the snapshot keeps no prepared graph")
            for file in ["fed-rate-cut-2025.json", "financial-crisis-2008.json", "oil-up-5.json"] {
                let scenario = try Scenario.parse(try ScenarioServiceTests.scenarioFile(file), defaultAsOf: "2025-06-30")
                let warm = try PreparedRun.prepare(scenario, world: contents.world)
                let cold = try PreparedRun.prepare(scenario, world: try EngineWorld.load(from: store))
                #expect(PreparedGraph(cold) == graph, "\(file): the kept graph is not the one a run lays out")
                #expect(warm.edgeProgram == cold.edgeProgram && warm.programs.count == cold.programs.count, "\(file)")
                #expect(warm.edgeSource == cold.edgeSource && warm.edgeTarget == cold.edgeTarget, "\(file)")
                #expect(warm.components == cold.components && warm.componentIsCyclic == cold.componentIsCyclic, "\(file)")
                #expect(warm.formulasUsed.keys.sorted() == cold.formulasUsed.keys.sorted(), "\(file)")
                #expect(warm.coefficientRowsRead.keys.sorted() == cold.coefficientRowsRead.keys.sorted(), "\(file)")
                #expect(warm.canonicalMetadata == cold.canonicalMetadata, "\(file)")
                #expect(warm.warnings == cold.warnings, "\(file)")
                #expect(warm.fingerprint() == cold.fingerprint(), "\(file)")
            }
        }
    }

    /// A scenario whose formulas cannot be bound on the snapshot's graph (no registry version is
    /// in force on its date) stops with exactly the problems, in the order, of a run without it.
    @Test(arguments: Backend.available)
    func aScenarioThatCannotBindReportsWhatAColdRunReports(_ backend: Backend) throws {
        try Self.withSampleService(backend) { store, service in
            let path = try #require(service.snapshots.path(for: store.location))
            _ = try service.run(try Self.submit(service, "fed-rate-cut-2025.json"))
            let contents = try #require(try WorldSnapshotFile.read(path: path, key: try store.worldVersion()))
            var document = try #require(try ScenarioServiceTests.scenarioFile("fed-rate-cut-2025.json").objectValue)
            document["as_of"] = .string("2024-06-30")
            let scenario = try Scenario.parse(.object(document), defaultAsOf: "2024-06-30")
            func problems(_ world: EngineWorld) -> [EngineError.Problem] {
                do {
                    _ = try PreparedRun.prepare(scenario, world: world)
                    return []
                } catch {
                    return error.problems
                }
            }
            let warm = problems(contents.world), cold = problems(try EngineWorld.load(from: store))
            #expect(warm.count > 5, "the scenario did not fail to bind: \(warm)")
            #expect(warm == cold)
        }
    }
}
