@testable import CascadeEngine
import CascadeJSON
import CascadeStore
import CascadeTestSupport
import Foundation
import Testing

/// A large result is stored as one binary column document (version 3: a world part and a run
/// part), not a JSON row per entity, and reads back byte for byte as it was computed; a damaged
/// document, or a missing or damaged world part, is an error, never a crash.
struct ResultColumnsTests {
    /// 3 000 entities (over `ScenarioService.inlineEntityLimit`), cycles, formulas, shocks.
    @Test(arguments: ScenarioServiceTests.Backend.available)
    func aLargeResultIsStoredAsColumnsAndReadsBackByteForByte(_ backend: ScenarioServiceTests.Backend) throws {
        try backend.withStore { store in
            _ = try store.importWorld(Self.world(), file: "world.json")
            let shocks = JSONObject((0..<60).map { ("e\($0 * 5)", JSONValue.number(-0.01 * Double($0 % 7 + 1))) })
            let scenario = JSONValue.object(JSONObject([
                ("name", .string("columns")), ("author", .string("tests")), ("as_of", .string("2025-06-30")),
                ("macro_variables", .object(JSONObject())), ("entity_shocks", .object(shocks)),
            ]))
            let service = ScenarioService(store: store)
            let (id, _) = try service.submit(scenario, today: "2025-06-30")
            let fresh = try service.run(id, includeEntities: true)
            let cached = try service.run(id, includeEntities: true)
            #expect(!fresh.isCached && cached.isCached)
            let freshTexts = try #require(fresh.entityTexts), cachedTexts = try #require(cached.entityTexts)
            #expect(freshTexts.count == 3_000)
            #expect(cachedTexts == freshTexts)
            #expect(freshTexts.contains { $0.contains("\"shock:e5\"") })
            let rows = try store.read { db in
                (try db.queryOne("SELECT COUNT(*) AS n FROM scenario_result_parts WHERE scenario_id = ?", [.text(id)])?.int("n"),
                 try db.queryOne("SELECT COUNT(*) AS n FROM scenario_entity_results WHERE scenario_id = ?", [.text(id)])?.int("n"))
            }
            #expect(rows.0 == 1 && rows.1 == 0)
            // A second run with --force replaces the parts; deleting the scenario removes them.
            _ = try service.run(id, force: true, includeEntities: false)
            try store.deleteScenario(id, by: "tests", isAdmin: true)
            let left = try store.read { db in try db.queryOne("SELECT COUNT(*) AS n FROM scenario_result_parts")?.int("n") }
            #expect(left == 0)
        }
    }

    /// 3 000 companies on 10 levels, each below the first fed by three of the level above (every
    /// fourth through a formula), and two-entity cycles inside every level.
    static func world() -> JSONValue {
        let entities = (0..<3_000).map { i in
            JSONValue.object(JSONObject([("id", .string("e\(i)")), ("type", .string("COMPANY")), ("name", .string("Entity \(i)")),
                                         ("category", .string("SEMICONDUCTOR")), ("ontology_level", .number(Double(i / 300)))]))
        }
        var relationships: [JSONValue] = []
        func edge(_ source: Int, _ target: Int, formula: Bool) {
            var object = JSONObject([("id", .string("r\(relationships.count)")), ("source_entity_id", .string("e\(source)")),
                                     ("target_entity_id", .string("e\(target)")), ("type", .string("SUPPLIES")), ("weight", .number(0.3))])
            if formula { object["impact_formula"] = .string("return source.impact * 0.5;") }
            relationships.append(.object(object))
        }
        for i in 300..<3_000 {
            for k in 0..<3 { edge((i / 300 - 1) * 300 + (i * 7 + k * 101) % 300, i, formula: (i + k) % 4 == 0) }
            if i % 10 == 0 {
                edge(i, i + 1, formula: false)
                edge(i + 1, i, formula: false)
            }
        }
        return .object(JSONObject([("entities", .array(entities)), ("relationships", .array(relationships))]))
    }

    /// The run part is made in parts of `partBytes` bytes (the last one shorter), handed over one
    /// at a time, so that storing a result never holds all of it (at 1 M entities with 30 000
    /// shocks the whole document was ~0.7 GB, held beside the columns it copies); in order, the
    /// parts are the whole run part, whatever their size.
    @Test(arguments: [7, 4_096, 1 << 20])
    func theDocumentIsMadeInPartsThatAddUpToIt(_ partBytes: Int) throws {
        let (w, s) = AttributionReferenceTests.world(seed: 5, shocks: 300)
        let result = try w.run(s)
        let table = try #require(result.entities.table)
        let whole = ResultColumns.encode(table, positions: result.entities.positions)
        var parts: [[UInt8]] = []
        ResultColumns.encode(table, positions: result.entities.positions, world: whole.world.key, partBytes: partBytes) { parts.append($0) }
        #expect(parts.count == (whole.run.count + partBytes - 1) / partBytes)
        #expect(parts.dropLast().allSatisfy { $0.count == partBytes }, "\(Set(parts.map(\.count)))")
        #expect(Array(parts.joined()) == whole.run)
        #expect(try ResultColumns.decode(whole.run, world: whole.world.bytes).count == result.entities.count)
    }

    /// The store writes each part as it is handed over and reads them back, in order, as one
    /// document.
    @Test(arguments: ScenarioServiceTests.Backend.available)
    func aDocumentStoredPartByPartReadsBackWhole(_ backend: ScenarioServiceTests.Backend) throws {
        try backend.withStore { store in
            _ = try store.importWorld(Self.world(), file: "world.json")
            let scenario = JSONValue.object(JSONObject([
                ("name", .string("parts")), ("author", .string("tests")), ("as_of", .string("2025-06-30")),
                ("macro_variables", .object(JSONObject())), ("entity_shocks", .object(JSONObject([("e5", .number(-0.01))]))),
            ]))
            let (id, _) = try ScenarioService(store: store).submit(scenario, today: "2025-06-30")
            let document = (0..<1_000).map { UInt8(truncatingIfNeeded: $0 &* 37) }
            var handedOver = 0
            try store.storeResult(scenarioID: id, fingerprint: "f", dataVersion: "v", summaryText: "{}", parts: { store in
                for start in stride(from: 0, to: document.count, by: 300) {
                    try store(Array(document[start..<min(start + 300, document.count)]))
                    handedOver += 1
                }
            })
            let parts = try store.read { db in
                try db.queryOne("SELECT COUNT(*) AS n FROM scenario_result_parts WHERE scenario_id = ?", [.text(id)])?.int("n")
            }
            #expect(handedOver == 4 && parts == 4)
            #expect(try store.result(scenarioID: id)?.columns == document)
        }
    }

    /// Every truncation, and 400 seeded single-byte changes, of a result's columns — version 3
    /// run parts with plain ids and with UUIDs, and versions 2 and 1 — either decode to entities
    /// that serialise or fail with an error; none crashes. A version 3 world part damaged in any
    /// of those ways, or absent, is always refused: its key is the hash of its bytes.
    @Test(arguments: ["plain ids", "uuid ids", "world part", "version 2", "version 1"])
    func damagedColumnsAreAnErrorNeverACrash(_ form: String) throws {
        var bytes: [UInt8], world: [UInt8]? = nil
        var decode: ([UInt8]) throws -> EntityResults = { try ResultColumns.decode($0) }
        if form == "version 1" || form == "version 2" {
            let name = form == "version 1" ? "result-columns-v1-sensitivities.bin" : "result-columns-v2.bin"
            bytes = try [UInt8](Data(contentsOf: Self.fixtures.appendingPathComponent(name)))
        } else {
            let (w, scenario) = form == "plain ids" ? (PropertyTests.world(seed: 7), PropertyTests.shocked(7)) : Self.uuidWorld(seed: 7)
            let result = try w.run(scenario)
            let table = try #require(result.entities.table)
            let encoded = ResultColumns.encode(table, positions: result.entities.positions)
            #expect(Self.texts(try ResultColumns.decode(encoded.run, world: encoded.world.bytes)) == Self.texts(result.entities))
            #expect(throws: ResultColumns.DecodingError.self) { try ResultColumns.decode(encoded.run) }
            if form == "world part" {
                bytes = encoded.world.bytes
                decode = { try ResultColumns.decode(encoded.run, world: $0) }
            } else {
                bytes = encoded.run
                world = encoded.world.bytes
                decode = { try ResultColumns.decode($0, world: world) }
            }
        }

        for length in [0, 8, 24, 31, bytes.count / 3, bytes.count / 2, bytes.count - 1] {
            #expect(throws: ResultColumns.DecodingError.self) { try decode(Array(bytes.prefix(length))) }
        }
        #expect(throws: ResultColumns.DecodingError.self) { try decode(bytes + [0]) }
        var state: UInt64 = 99
        var refused = 0
        for _ in 0..<400 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            var damaged = bytes
            let position = Int((state >> 33) % UInt64(bytes.count))
            damaged[position] ^= UInt8(truncatingIfNeeded: (state >> 13) | 1)
            do {
                let entities = try decode(damaged)
                for k in entities.indices { _ = entities.jsonText(at: k) }
            } catch {
                refused += 1
            }
        }
        #expect(form == "world part" ? refused == 400 : refused > 0, "\(refused) of 400 refused")
    }

    /// The entities' JSON texts, in order.
    static func texts(_ entities: EntityResults) -> [String] { entities.indices.map { entities.jsonText(at: $0) } }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// Documents stored before version 2 (`Fixtures/result-columns-v1*.bin`, written by the
    /// version 1 encoder at dc324eb, beside the entity texts they stood for) still decode to
    /// exactly those texts; the same table written again is a smaller version 2 document that
    /// reads back the same.
    @Test(arguments: ["result-columns-v1", "result-columns-v1-sensitivities"])
    func aVersion1DocumentStillDecodes(_ name: String) throws {
        let old = try [UInt8](Data(contentsOf: Self.fixtures.appendingPathComponent(name + ".bin")))
        let expected = try String(contentsOf: Self.fixtures.appendingPathComponent(name + ".jsonl"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        #expect(old.starts(with: ResultColumns.magicVersion1) && !expected.isEmpty)
        let decoded = try ResultColumns.decode(old)
        #expect(Self.texts(decoded) == expected)
        let again = ResultColumns.encode(try #require(decoded.table), positions: decoded.positions)
        #expect(again.run.starts(with: ResultColumns.magic) && again.world.bytes.starts(with: ResultColumns.worldMagic))
        #expect(again.run.count + again.world.bytes.count < old.count, "\(again.run.count) + \(again.world.bytes.count) bytes, version 1 \(old.count)")
        #expect(Self.texts(try ResultColumns.decode(again.run, world: again.world.bytes)) == expected)
    }

    /// A version 2 document (`Fixtures/result-columns-v2.bin`, written by the version 2 encoder at
    /// 238a0cb for `uuidWorld(seed: 7)`, beside the entity texts it stood for) still decodes to
    /// exactly those texts, with no world part; written again it is a world part and a run part
    /// that read back the same, and the world part is the one the same world's fresh run makes.
    @Test func aVersion2DocumentStillDecodes() throws {
        let old = try [UInt8](Data(contentsOf: Self.fixtures.appendingPathComponent("result-columns-v2.bin")))
        let expected = try String(contentsOf: Self.fixtures.appendingPathComponent("result-columns-v2.jsonl"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        #expect(old.starts(with: ResultColumns.magicVersion2) && expected.count == 40)
        let decoded = try ResultColumns.decode(old)
        #expect(Self.texts(decoded) == expected)
        let again = ResultColumns.encode(try #require(decoded.table), positions: decoded.positions)
        #expect(Self.texts(try ResultColumns.decode(again.run, world: again.world.bytes)) == expected)
        let (w, scenario) = Self.uuidWorld(seed: 7)
        let fresh = try #require(try w.run(scenario).entities.table)
        #expect(ResultColumns.encodeWorld(fresh).bytes == again.world.bytes)
    }

    /// The world part holds only what every run of the world shares: two scenarios on one world
    /// make the same world part (and key), and their run parts name it; a run part decoded with
    /// another world's part (a changed entity name) is refused, not read as the wrong entities.
    @Test func runsOfOneWorldShareTheirWorldPartAndAnotherWorldsIsRefused() throws {
        var (w, scenario) = Self.uuidWorld(seed: 7)
        let first = try #require(try w.run(scenario).entities.table)
        scenario.entityShocks = scenario.entityShocks.mapValues { $0 * 2 }
        let second = try w.run(scenario)
        let table = try #require(second.entities.table)
        let a = ResultColumns.encode(first, positions: []), b = ResultColumns.encode(table, positions: second.entities.positions)
        #expect(a.world.bytes == b.world.bytes && a.world.keyText == b.world.keyText && a.run != b.run)
        #expect(a.world.keyText.count == 32 && b.run[ResultColumns.magic.count..<ResultColumns.magic.count + 16].elementsEqual(
            withUnsafeBytes(of: b.world.key.0.littleEndian, Array.init) + withUnsafeBytes(of: b.world.key.1.littleEndian, Array.init)))
        w.world.entities[0].name += " (renamed)"
        let renamed = ResultColumns.encodeWorld(try #require(try w.run(scenario).entities.table))
        #expect(renamed.keyText != b.world.keyText)
        let error = try #require(throws: ResultColumns.DecodingError.self) { try ResultColumns.decode(b.run, world: renamed.bytes) }
        #expect(error.message.contains("does not hash to its key"), "\(error)")
        let missing = try #require(throws: ResultColumns.DecodingError.self) { try ResultColumns.decode(b.run) }
        #expect(missing.message.contains("world part `\(b.world.keyText)` is missing"), "\(missing)")
    }

    /// A run part listing the same edge's error twice (only damage writes that) is an error, not
    /// a trap building the table's dictionary of edge errors.
    @Test func anEdgeErrorListedTwiceIsAnErrorNotACrash() throws {
        let result = try PropertyTests.world(seed: 7).run(PropertyTests.shocked(7))
        let t = try #require(result.entities.table)
        let table = ResultTable(
            ids: t.ids, names: t.names, types: t.types, levels: t.levels, hasCurrentValue: t.hasCurrentValue, levelValues: t.levelValues,
            isMacro: t.isMacro, impact: t.impact, unclamped: t.unclamped, status: t.status, rounds: t.rounds, shock: t.shock,
            bindingEdge: t.bindingEdge, incomingStart: t.incomingStart, edgeSource: t.edgeSource, edgeRelationship: t.edgeRelationship,
            edgeIsBottleneck: t.edgeIsBottleneck, relationshipIDs: t.relationshipIDs, state: t.state, shown: t.shown,
            edgeErrors: [0: "x", 1: "y"], attributionKeys: t.attributionKeys, attributionRowStart: t.attributionRowStart,
            attributionRowCount: t.attributionRowCount, attributionEntryKey: t.attributionEntryKey,
            attributionEntryValue: t.attributionEntryValue, strongest: t.strongest)
        let encoded = ResultColumns.encode(table, positions: result.entities.positions)
        #expect(try ResultColumns.decode(encoded.run, world: encoded.world.bytes).table?.edgeErrors == [0: "x", 1: "y"])
        // The edges (width 1, two of them: 0 and 1), then their texts ("x", "y"); edge 1 made 0.
        let listed: [UInt8] = [1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0] + Array("xy".utf8)
        let at = try #require(encoded.run.firstRange(of: listed))
        var damaged = encoded.run
        damaged[at.lowerBound + 10] = 0
        let error = try #require(throws: ResultColumns.DecodingError.self) { try ResultColumns.decode(damaged, world: encoded.world.bytes) }
        #expect(error.message.contains("edge error"), "\(error)")
    }

    /// `PropertyTests.world(seed:)` with UUIDs for the ids of its entities (not its three macro
    /// variables) and relationships, as an imported world has.
    static func uuidWorld(seed: UInt64) -> (WorldBuilder, Scenario) {
        func uuid(_ id: String) -> String { id.hasPrefix("m-") ? id : ContentHash.stableID("result-columns-tests", id) }
        var w = PropertyTests.world(seed: seed)
        for k in w.world.entities.indices { w.world.entities[k].id = uuid(w.world.entities[k].id) }
        for k in w.world.relationships.indices {
            w.world.relationships[k].id = uuid(w.world.relationships[k].id)
            w.world.relationships[k].sourceID = uuid(w.world.relationships[k].sourceID)
            w.world.relationships[k].targetID = uuid(w.world.relationships[k].targetID)
        }
        var s = PropertyTests.shocked(seed)
        s.entityShocks = Dictionary(uniqueKeysWithValues: s.entityShocks.map { (uuid($0.key), $0.value) })
        return (w, s)
    }

    /// Ids that are UUIDs are kept as their 16 bytes, not their 36 characters of text (at 1 M
    /// entities / 5 M relationships they were 230 MB of the 688 MB document); ids that are not
    /// (the macro variables here) are listed beside them as text; a type column of few values is
    /// a dictionary. Every entity reads back byte for byte.
    @Test func uuidIDsAreKeptAsSixteenBytes() throws {
        let (world, scenario) = Self.uuidWorld(seed: 7)
        let result = try world.run(scenario)
        let table = try #require(result.entities.table)
        let encoded = ResultColumns.encode(table, positions: result.entities.positions)
        #expect(Self.texts(try ResultColumns.decode(encoded.run, world: encoded.world.bytes)) == Self.texts(result.entities))
        let document = encoded.world.bytes + encoded.run
        func holds(_ text: String) -> Bool { document.firstRange(of: Array(text.utf8)) != nil }
        let entity = try #require(table.ids.first { $0.utf8.count == 36 })
        #expect(!holds(entity) && !holds(table.relationshipIDs[0]))
        #expect(holds("m-fed"))
        #expect(table.types.filter { $0 == "COMPANY" }.count > 2 && !holds("COMPANYCOMPANY"))
    }
}
