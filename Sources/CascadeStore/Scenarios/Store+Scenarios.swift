import CascadeJSON
import Foundation

extension Store {
    static let scenarioColumns = """
        id, name, author, as_of, is_public, created_at, CAST(document AS TEXT) AS document,
        CAST(macro_variables AS TEXT) AS macro_variables, result_fingerprint, result_data_version, results_updated_at
        """

    /// Stores a validated scenario document; returns its new id.
    public func insertScenario(name: String, description: String?, author: String, asOf: String, isPublic: Bool,
                               document: JSONValue) throws -> String {
        let id = UUID().uuidString.lowercased()
        try write { db in
            _ = try db.execute("""
                INSERT INTO scenarios (id, name, description, author, macro_variables, level_settings, is_public, as_of, document, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                .text(id), .text(name), .text(description), .text(author),
                .json((document["macro_variables"] ?? .object(JSONObject())).serialized(sortedKeys: true)),
                .json(document["level_settings"].map { $0.serialized(sortedKeys: true) }),
                .bool(isPublic), .text(asOf), .json(document.serialized(sortedKeys: true)), .text(now()), .text(now()))
        }
        return id
    }

    /// One scenario by id (or by unique name when no id matches).
    public func scenario(_ key: String) throws -> StoredScenario? {
        try read { db in
            let isUUID = UUID(uuidString: key) != nil
            if isUUID, let row = try db.queryOne("SELECT \(Self.scenarioColumns) FROM scenarios WHERE id = ?", [.text(key.lowercased())]) {
                return try Self.storedScenario(row)
            }
            let rows = try db.query("SELECT \(Self.scenarioColumns) FROM scenarios WHERE name = ? ORDER BY created_at DESC, id", [.text(key)])
            return try rows.first.map(Self.storedScenario)
        }
    }

    /// Every scenario, newest first.
    public func scenarios(limit: Int = 1000) throws -> [StoredScenario] {
        try read { db in
            try db.query("SELECT \(Self.scenarioColumns) FROM scenarios ORDER BY created_at DESC, id LIMIT ?",
                         [.integer(Int64(limit))]).map(Self.storedScenario)
        }
    }

    static func storedScenario(_ row: Row) throws -> StoredScenario {
        let text = row.string("document") ?? row.string("macro_variables") ?? "{}"
        let document = (try? JSONValue.parse(text)) ?? .object(JSONObject())
        return StoredScenario(
            id: row.string("id") ?? "", name: row.string("name") ?? "", author: row.string("author") ?? "",
            asOf: row.date("as_of"), isPublic: row.bool("is_public") ?? false, createdAt: row.string("created_at") ?? "",
            document: document, resultFingerprint: row.string("result_fingerprint"),
            resultDataVersion: row.string("result_data_version"), resultsUpdatedAt: row.string("results_updated_at"))
    }

    /// Replaces a scenario's cached result in one transaction: the summary in `simulation_results`
    /// and, when given, per-entity rows in `scenario_entity_results`.
    public func storeResult(scenarioID: String, fingerprint: String, dataVersion: String, summary: JSONValue,
                            entities: [(id: String, json: String)]) throws {
        try storeResult(scenarioID: scenarioID, fingerprint: fingerprint, dataVersion: dataVersion, summary: summary,
                        entityCount: entities.count) { entities[$0] }
    }

    /// Like `storeResult(…entities:)`, with the per-entity rows produced one at a time by
    /// `entity(0..<entityCount)` as they are written (a large result is never held whole).
    public func storeResult(scenarioID: String, fingerprint: String, dataVersion: String, summary: JSONValue,
                            entityCount: Int, entity: (Int) throws -> (id: String, json: String)) throws {
        try write { db in
            _ = try db.execute("DELETE FROM scenario_entity_results WHERE scenario_id = ?", .text(scenarioID))
            if entityCount > 0 {
                _ = try db.bulkInsert(into: "scenario_entity_results", columns: ["scenario_id", "entity_id", "result"],
                                      count: entityCount, suffix: "", progress: { _ in }) { i, out in
                    let (id, json) = try entity(i)
                    out += [.text(scenarioID), .text(id), .json(json)]
                }
            }
            _ = try db.execute("""
                UPDATE scenarios SET simulation_results = ?, result_fingerprint = ?, result_data_version = ?,
                  results_updated_at = ?, updated_at = ? WHERE id = ?
                """,
                .json(summary.serialized()), .text(fingerprint), .text(dataVersion), .text(now()), .text(now()), .text(scenarioID))
        }
    }

    /// Records that the cached result is still valid at a newer data version (nothing it read changed).
    public func confirmResult(scenarioID: String, dataVersion: String) throws {
        try write { db in
            _ = try db.execute("UPDATE scenarios SET result_data_version = ? WHERE id = ?", .text(dataVersion), .text(scenarioID))
        }
    }

    /// The cached result of a scenario, if it has one; the per-entity rows only when asked for.
    public func result(scenarioID: String, includeEntities: Bool = true) throws -> StoredResult? {
        try read { db in
            guard let row = try db.queryOne("SELECT CAST(simulation_results AS TEXT) AS results FROM scenarios WHERE id = ?",
                                            [.text(scenarioID)]),
                  let text = row.string("results"), let summary = try? JSONValue.parse(text) else { return nil }
            guard includeEntities else { return StoredResult(summary: summary, entityTexts: []) }
            // Streamed (no row objects), then put in entity id (byte) order by sorting positions.
            var ids: [String] = [], texts: [String] = []
            try db.forEachRow(
                "SELECT entity_id, CAST(result AS TEXT) AS result FROM scenario_entity_results WHERE scenario_id = ?",
                [.text(scenarioID)]) { row in
                guard let id = row.string(0), let text = row.string(1) else { return }
                ids.append(id)
                texts.append(text)
            }
            let order = ids.indices.sorted { ids[$0].utf8.lexicographicallyPrecedes(ids[$1].utf8) }
            ids = []
            return StoredResult(summary: summary, entityTexts: order.map { texts[$0] })
        }
    }

    /// A cheap token that changes whenever anything a run can read changes: the count and the
    /// highest id of the audit rows of the engine's input tables (every such write is audited).
    public func dataVersion() throws -> String {
        try read { db in
            let row = try db.queryOne("""
                SELECT COUNT(*) AS n, COALESCE(MAX(id), 0) AS m FROM audit_log
                WHERE table_name IN ('entities', 'relationships', 'sector_coefficients', 'formulas', 'macro_data', 'world', 'schema_migrations')
                """)
            return "\(row?.int("n") ?? 0):\(row?.int("m") ?? 0)"
        }
    }

    /// Every `macro_data` point.
    public func macroData() throws -> [(date: String, variable: String, value: Double?, unit: String?)] {
        try read { db in
            try db.query("SELECT date, variable_name, value, unit FROM macro_data ORDER BY variable_name, date").map {
                ($0.date("date") ?? "", $0.string("variable_name") ?? "", $0.double("value"), $0.string("unit"))
            }
        }
    }

    /// Every formula version of every name.
    public func allFormulaVersions() throws -> [FormulaVersion] {
        try formulaSummaries().flatMap { try history(named: $0.name) }
    }
}
