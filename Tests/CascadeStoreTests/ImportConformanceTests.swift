import CascadeJSON
import Foundation
@testable import CascadeStore
import Testing

@Suite("World import (both backends)")
struct ImportConformanceTests {
    func importText(_ store: Store, _ text: String) throws -> ImportReport {
        try store.importWorld(try JSONValue.parse(text), file: "world.json")
    }

    @Test(arguments: TestBackend.available)
    func aValidWorldIsImportedAndReimportingChangesNothing(_ backend: TestBackend) throws {
        try backend.withStore { store in
            let report = try importText(store, Fixtures.world())
            #expect(report.rowsWritten == ["entities": 5, "relationships": 3, "sector_coefficients": 1, "macro_data": 1,
                                           "financial_data": 1, "formulas": 1])
            #expect(report.formulas.map(\.reference) == ["gdp_sector_impact@1"])

            let counts = try store.tableCounts()
            let auditRows = counts["audit_log"]
            let again = try importText(store, Fixtures.world())
            #expect(again.totalWritten == 0)
            #expect(again.formulas == [Registration(name: "gdp_sector_impact", version: 1, isNew: false, contentHash: report.formulas[0].contentHash)])
            #expect(try store.tableCounts() == counts)
            #expect(try store.tableCounts()["audit_log"] == auditRows)

            let world = try store.loadWorld()
            #expect(world.entities.map(\.id) == ["fed", "h100", "hbm3e", "nvda", "semis"])
            #expect(world.relationships.map(\.id) == ["r1", "r2", "r3"])
            let r1 = world.relationships[0]
            #expect(r1.sourceID == "h100" && r1.targetID == "hbm3e" && r1.type == "REQUIRES" && r1.weight == 0.95)
            let meta = try JSONValue.parse(try #require(r1.metadata))
            #expect(meta["propagation"]?["channel"] == .string("bottleneck"))
            #expect(try store.entity("nvda")?.ontologyLevel == 3)

            let graph = try store.entityGraph(of: "semis")
            #expect(Set(graph.map(\.connectedEntity)) == ["Semiconductor", "NVIDIA"])
            #expect(Set(graph.map(\.entityName)) == ["Fed Funds Rate", "Semiconductor"])

            // Quarters become the quarter's last day.
            let date = try store.read { db in try db.queryOne("SELECT date FROM financial_data")?.date("date") }
            #expect(date == "2024-03-31")
        }
    }

    @Test(arguments: TestBackend.available)
    func changedRowsAreUpdatedInPlace(_ backend: TestBackend) throws {
        try backend.withStore { store in
            _ = try importText(store, Fixtures.world())
            let changed = Fixtures.world().replacingOccurrences(of: "\"name\": \"NVIDIA\"", with: "\"name\": \"NVIDIA Corp\"")
            let report = try importText(store, changed)
            #expect(report.rowsWritten["entities"] == 1)
            #expect(report.totalWritten == 1)
            #expect(try store.entity("nvda")?.name == "NVIDIA Corp")
        }
    }

    @Test(arguments: TestBackend.available)
    func everyBadRowIsReportedByPathAndNothingIsWritten(_ backend: TestBackend) throws {
        try backend.withStore { store in
            let before = try store.tableCounts()
            let bad = Fixtures.world(
                extraEntities: """
                ,
                {"id": "nvda", "type": "COMPANY", "name": "Duplicate"},
                {"id": "x1", "type": "SPACESHIP", "name": "Bad type"},
                {"id": "x2", "type": "COMPANY", "name": "Bad level", "ontology_level": 12}
                """,
                extraRelationships: """
                ,
                {"id": "r4", "source_entity_id": "nvda", "target_entity_id": "nobody", "type": "SUPPLIES", "weight": 1.5},
                {"id": "r5", "source_entity_id": "nvda", "target_entity_id": "h100", "type": "SUPPLIES", "impact_formula": "1 +* ;"},
                {"id": "r6", "source_entity_id": "nvda", "target_entity_id": "h100", "type": "LIKES"},
                {"id": "r7", "source_entity_id": "nvda", "target_entity_id": "h100", "type": "IMPACTS", "metadata": {"formula": "missing_formula"}},
                {"id": "r8", "source_entity_id": "nvda", "target_entity_id": "h100", "type": "IMPACTS", "metadata": {"formula": "gdp_sector_impact@9"}}
                """)
            let error = #expect(throws: StoreError.self) { try importText(store, bad) }
            let paths = Set(error?.problems.map(\.path) ?? [])
            let expected: Set<String> = [
                "world.json: $.entities[5].id",
                "world.json: $.entities[6].type",
                "world.json: $.entities[7].ontology_level",
                "world.json: $.relationships[3].weight",
                "world.json: $.relationships[3].target_entity_id",
                "world.json: $.relationships[5].type",
                "world.json: $.relationships[6].metadata.formula",
                "world.json: $.relationships[7].metadata.formula",
            ]
            #expect(expected.isSubset(of: paths), "missing: \(expected.subtracting(paths))")
            #expect(paths.contains { $0.hasPrefix("world.json: $.relationships[4].impact_formula 1:") })
            #expect(error?.message.contains("nothing was written") == true)
            #expect(try store.tableCounts() == before)
        }
    }

    @Test(arguments: TestBackend.available)
    func aFailingFormulaInTheFileStopsTheImport(_ backend: TestBackend) throws {
        try backend.withStore { store in
            let bad = Fixtures.world().replacingOccurrences(of: "\"expected\": 1.8}", with: "\"expected\": 99}")
            let error = #expect(throws: StoreError.self) { try importText(store, bad) }
            #expect(error?.problems.map(\.path) == ["world.json: $.formulas[0].test_cases[0]"])
            let entities = try store.tableCounts()["entities"]
            #expect(entities == 0)
        }
    }

    @Test(arguments: TestBackend.available)
    func injectionShapedIdsAndMetadataRoundTrip(_ backend: TestBackend) throws {
        try backend.withStore { store in
            let evil = JSONValue.string(Fixtures.injection).serialized()
            let world = """
            {"entities": [{"id": \(evil), "type": "COMPANY", "name": \(evil), "metadata": {\(evil): \(evil)}}],
             "relationships": [{"id": \(evil), "source_entity_id": \(evil), "target_entity_id": \(evil), "type": "OWNS"}]}
            """
            _ = try importText(store, world)
            let entity = try #require(try store.entity(Fixtures.injection))
            #expect(entity.name == Fixtures.injection)
            #expect(try JSONValue.parse(try #require(entity.metadata))[Fixtures.injection] == .string(Fixtures.injection))
            #expect(try store.loadWorld().relationships.map(\.id) == [Fixtures.injection])
            #expect(try store.tableCounts()["formulas"] == 0)
        }
    }

    @Test(arguments: TestBackend.available)
    func referencesToEntitiesAlreadyStoredAreAccepted(_ backend: TestBackend) throws {
        try backend.withStore { store in
            _ = try importText(store, Fixtures.world())
            let more = """
            {"entities": [{"id": "tsmc", "type": "COMPANY", "name": "TSMC"}],
             "relationships": [{"id": "r9", "source_entity_id": "tsmc", "target_entity_id": "nvda", "type": "SUPPLIES", "weight": 0.8,
               "metadata": {"formula": "gdp_sector_impact@1"}}]}
            """
            let report = try importText(store, more)
            #expect(report.rowsWritten["relationships"] == 1)
        }
    }

    /// A file of edges between stored entities (a split world's relationships file): the store
    /// is asked about the ids in chunks, and exactly the references to ids it lacks are reported,
    /// in file order, whichever chunk they fall in; nothing is written.
    @Test(arguments: TestBackend.available)
    func referencesToMissingStoredEntitiesAreFoundInEveryChunk(_ backend: TestBackend) throws {
        try backend.withStore { store in
            let count = 1_200
            let entities = (0..<count).map { #"{"id": "e\#($0)", "type": "COMPANY", "name": "E\#($0)"}"# }
            _ = try importText(store, #"{"entities": [\#(entities.joined(separator: ","))]}"#)
            // Ids the store lacks, in different chunks of the lookup; ghost3 is referenced twice.
            let edges = (0..<count).map { i in
                let source = i == 3 || i == 1_100 ? "ghost\(i)" : "e\(i)"
                let target = i == count - 1 ? "ghost3" : "e\((i + 1) % count)"
                return #"{"id": "r\#(i)", "source_entity_id": "\#(source)", "target_entity_id": "\#(target)", "type": "OWNS"}"#
            }
            let error = #expect(throws: StoreError.self) {
                try importText(store, #"{"relationships": [\#(edges.joined(separator: ","))]}"#)
            }
            #expect(error?.problems.map(\.path) == [
                "world.json: $.relationships[3].source_entity_id", "world.json: $.relationships[1100].source_entity_id",
                "world.json: $.relationships[1199].target_entity_id",
            ])
            #expect(error?.problems.map(\.code) == Array(repeating: "world.unknown-entity", count: 3))
            #expect(try store.tableCounts()["relationships"] == 0)
        }
    }

    @Test(arguments: TestBackend.available)
    func aBulkLoadRestoresIndexesAndForeignKeys(_ backend: TestBackend) throws {
        try backend.withStore { store in
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("bulk-\(UUID().uuidString).json").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            // Both tables above the bulk threshold: each is loaded without its secondary indexes,
            // which are rebuilt before the commit.
            try SyntheticWorld.write(to: path, entities: 20_000, relationships: 25_000)
            let report = try store.importWorld(path: path)
            #expect(report.rowsWritten["relationships"] == 25_000)
            #expect(report.rowsWritten["entities"] == 20_000)

            func indexes(_ table: String) throws -> Set<String> {
                try store.read { db in
                    let sql = db.dialect == .sqlite
                        ? "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND name LIKE 'idx_%'"
                        : "SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ? AND indexname LIKE 'idx_%'"
                    return Set(try db.query(sql, [.text(table)]).compactMap { $0.string("name") })
                }
            }
            let expected: Set<String> = backend == .sqlite
                ? ["idx_relationships_source", "idx_relationships_target", "idx_relationships_type"]
                : ["idx_relationships_source", "idx_relationships_target", "idx_relationships_type", "idx_relationships_metadata"]
            #expect(try indexes("relationships") == expected)
            let expectedEntities: Set<String> = backend == .sqlite
                ? ["idx_entities_type", "idx_entities_category", "idx_entities_level"]
                : ["idx_entities_type", "idx_entities_category", "idx_entities_level", "idx_entities_metadata"]
            #expect(try indexes("entities") == expectedEntities)

            // Foreign keys are enforced again after the load.
            #expect(throws: StoreError.self) {
                try store.write { db in
                    try db.execute("INSERT INTO relationships (id, external_id, source_entity_id, target_entity_id, type) VALUES (?, ?, ?, ?, ?)",
                                   "00000000-0000-8000-8000-000000000000", "dangling", "00000000-0000-8000-8000-000000000001",
                                   "00000000-0000-8000-8000-000000000002", "OWNS")
                }
            }
            // So are CHECK constraints (SQLite skips them for the validated rows of the load).
            #expect(throws: StoreError.self) {
                try store.write { db in
                    try db.execute("INSERT INTO entities (id, external_id, type, name) VALUES (?, ?, ?, ?)",
                                   "00000000-0000-8000-8000-00000000000a", "bad-type", "SPACESHIP", "x")
                }
            }
            let world = try store.loadWorld()
            #expect(world.relationships.count == 25_000)
            #expect(world.entities.count == 20_000)
            let graph = try store.entityGraph(of: "e7")
            #expect(!graph.isEmpty)
        }
    }

    /// A split world's second relationships file adds as many rows as the table holds: it takes
    /// the bulk path too (indexes rebuilt once, not kept row by row in a growing table), while
    /// importing the same file again finds its rows stored and leaves the indexes alone.
    @Test(arguments: TestBackend.available)
    func eachFileOfASplitWorldIsBulkLoaded(_ backend: TestBackend) throws {
        try backend.withStore { store in
            let count = BulkLoad.threshold
            func edges(_ range: Range<Int>) -> JSONValue {
                .object(JSONObject([("relationships", .array(range.map { i in
                    .object(JSONObject([
                        ("id", .string("r\(i)")), ("source_entity_id", .string("e\(i % count)")),
                        ("target_entity_id", .string("e\((i * 7 + 1) % count)")), ("type", .string("SUPPLIES")),
                        ("weight", .number(0.5)),
                    ]))
                }))]))
            }
            let entities = JSONValue.object(JSONObject([("entities", .array((0..<count).map { i in
                .object(JSONObject([("id", .string("e\(i)")), ("type", .string("COMPANY")), ("name", .string("E\(i)"))]))
            }))]))
            func phases(_ world: JSONValue) throws -> (ImportReport, [String]) {
                var seen: [String] = []
                let report = try store.importWorld(world, file: "part.json") { if seen.last != $0.phase { seen.append($0.phase) } }
                return (report, seen)
            }
            #expect(try phases(entities).1.contains("indexing entities"))
            #expect(try phases(edges(0..<count)).1.contains("indexing relationships"))
            let (second, secondPhases) = try phases(edges(count..<2 * count))
            #expect(second.rowsWritten["relationships"] == count)
            #expect(secondPhases.contains("indexing relationships"), "phases: \(secondPhases)")
            let (again, againPhases) = try phases(edges(count..<2 * count))
            #expect(again.totalWritten == 0)
            #expect(!againPhases.contains("indexing relationships"), "phases: \(againPhases)")

            #expect(try store.tableCounts()["relationships"] == 2 * count)
            let indexes = try store.read { db in
                let sql = db.dialect == .sqlite
                    ? "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'relationships' AND name LIKE 'idx_%'"
                    : "SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'relationships' AND indexname LIKE 'idx_%'"
                return Set(try db.query(sql, []).compactMap { $0.string("name") })
            }
            #expect(indexes.isSuperset(of: ["idx_relationships_source", "idx_relationships_target", "idx_relationships_type"]))
            let graph = try store.entityGraph(of: "e3")
            #expect(graph.count == 4)  // r3 and r20003 leave e3; r14286 and r34286 reach it (7 × 14286 + 1 ≡ 3)
        }
    }

    /// The files of a split world imported together: each large table's indexes are dropped once
    /// and rebuilt once, after the last file (not once per file), and the rows are those of
    /// importing the files one by one.
    @Test(arguments: TestBackend.available)
    func theFilesOfASplitWorldRebuildTheIndexesOnce(_ backend: TestBackend) throws {
        let count = BulkLoad.threshold
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("split-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func write(_ name: String, _ world: JSONValue) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try Data(world.serialized().utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
        let entities = try write("entities.json", .object(JSONObject([("entities", .array((0..<count).map { i in
            .object(JSONObject([("id", .string("e\(i)")), ("type", .string("COMPANY")), ("name", .string("E\(i)"))]))
        }))])))
        let parts = try (0..<3).map { part in
            try write("relationships-\(part).json", .object(JSONObject([("relationships", .array((part * count..<(part + 1) * count).map { i in
                .object(JSONObject([
                    ("id", .string("r\(i)")), ("source_entity_id", .string("e\(i % count)")),
                    ("target_entity_id", .string("e\((i * 7 + 1) % count)")), ("type", .string("SUPPLIES")), ("weight", .number(0.5)),
                ]))
            }))])))
        }
        var together: [String: Int] = [:]
        var phases: [String] = []
        try backend.withStore { store in
            let reports = try store.importWorlds(paths: [entities] + parts) { if phases.last != $0.phase { phases.append($0.phase) } }
            #expect(reports.map { $0.rowsWritten["relationships"] } == [0, count, count, count])
            together = try store.tableCounts()
            #expect(try store.entityGraph(of: "e3").count == 6)  // r3, r20003, r40003 leave e3; r14286, r34286, r54286 reach it
        }
        #expect(phases.filter { $0 == "indexing relationships" }.count == 1, "phases: \(phases)")
        #expect(phases.filter { $0 == "indexing entities" }.count == 1, "phases: \(phases)")
        #expect(phases.last(where: { $0.hasPrefix("writing") }) == "writing relationships" && phases.suffix(3).first == "indexing entities",
                "phases: \(phases)")
        try backend.withStore { store in
            for path in [entities] + parts { _ = try store.importWorld(path: path) }
            #expect(try store.tableCounts() == together)
        }
    }

    /// The next file of a split import is read and decoded on another thread while the one
    /// before it is written (`DecodingAhead`): an error in it fails the import with exactly the
    /// message, place and hint that importing that file alone gives, after the phases of the
    /// file before it, and rolls back what that file wrote; a file that cannot be read likewise.
    @Test(arguments: TestBackend.available)
    func anErrorInTheFileDecodedAheadFailsTheImportAsAloneAndWritesNothing(_ backend: TestBackend) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ahead-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let entities = directory.appendingPathComponent("entities.json").path
        try SyntheticWorld.write(to: entities, entities: BulkLoad.threshold, relationships: 0)
        let broken = directory.appendingPathComponent("broken.json").path
        try Data(#"{"relationships": [{"id": "r0", "source_entity_id": "e1", "target_entity_id": "e2", "type": "SUPPLIES"},\#n  {"id": ]}"#.utf8)
            .write(to: URL(fileURLWithPath: broken))
        let missing = directory.appendingPathComponent("missing.json").path
        try backend.withStore { store in
            for second in [broken, missing] {
                let alone = #expect(throws: StoreError.self) { try store.importWorld(path: second) }
                var phases: [String] = []
                let together = #expect(throws: StoreError.self) {
                    try store.importWorlds(paths: [entities, second]) { if phases.last != $0.phase { phases.append($0.phase) } }
                }
                #expect(together != nil && together?.message == alone?.message, "\(String(describing: together))")
                #expect(together?.location == alone?.location)
                #expect(together?.hint == alone?.hint)
                #expect(try store.tableCounts()["entities"] == 0)
                if second == broken {
                    #expect(alone?.location == "\(broken):2:10: $.relationships[1].id")
                    // The broken file's phase is reported after the entities were written, as by one thread.
                    let written = try #require(phases.lastIndex(of: "writing entities"))
                    #expect(phases.last?.hasPrefix("parsing and validating") == true && phases.count - 1 > written, "phases: \(phases)")
                }
            }
        }
    }

    /// Large tables take the bulk path (PostgreSQL: COPY); awkward text must survive it verbatim.
    @Test(arguments: TestBackend.available)
    func awkwardTextSurvivesTheBulkPath(_ backend: TestBackend) throws {
        try backend.withStore { store in
            let awkward = "tab\there\nnew line\r\\N back\\slash \(Fixtures.injection) 漢字 🚀 \"quoted\""
            var entities: [JSONValue] = []
            for i in 0..<1_500 {
                entities.append(.object(JSONObject([
                    ("id", .string("\(awkward) #\(i)")), ("type", .string("COMPANY")), ("name", .string(awkward)),
                    ("metadata", .object(JSONObject([("note", .string(awkward)), ("i", .number(Double(i)))]))),
                ])))
            }
            let world = JSONValue.object(JSONObject([("entities", .array(entities))]))
            let report = try store.importWorld(world, file: "awkward.json")
            #expect(report.rowsWritten["entities"] == 1_500)
            let back = try #require(try store.entity("\(awkward) #7"))
            #expect(back.name == awkward)
            #expect(try JSONValue.parse(try #require(back.metadata))["note"] == .string(awkward))
            #expect(try store.importWorld(world, file: "awkward.json").totalWritten == 0)
        }
    }
}

@Suite("The seed's functions")
struct SeedFunctionTests {
    /// On PostgreSQL the seed's `get_active_formula` and `get_entity_graph` exist as SQL functions
    /// and agree with the store queries that SQLite uses.
    @Test(arguments: TestBackend.available)
    func seedFunctionsAgreeWithTheStoreQueries(_ backend: TestBackend) throws {
        try backend.withStore { store in
            _ = try store.importWorld(try JSONValue.parse(Fixtures.world()), file: "world.json")
            let active = try #require(try store.activeFormula(named: "gdp_sector_impact", asOf: "2025-06-30"))
            let graph = try store.entityGraph(of: "semis")
            guard backend == .postgresql else { return }
            let row = try store.read { db in
                try db.queryOne("SELECT version, formula_text FROM get_active_formula(?)", [.text("gdp_sector_impact")])
            }
            #expect(row?.int("version") == active.version)
            #expect(row?.string("formula_text") == active.document.formulaText)
            let semis = ContentHash.stableID("entity", "semis")
            let edges = try store.read { db in
                try db.query("SELECT entity_name, relationship_type, connected_entity, weight FROM get_entity_graph(CAST(? AS UUID))", [.text(semis)])
            }
            #expect(Set(edges.map { $0.string("connected_entity") ?? "" }) == Set(graph.map(\.connectedEntity)))
            #expect(edges.count == graph.count)
        }
    }
}
