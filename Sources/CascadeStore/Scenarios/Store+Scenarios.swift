import CascadeJSON
import Foundation

extension Store {
    static let scenarioColumns = """
        id, name, author, as_of, is_public, created_at, CAST(document AS TEXT) AS document,
        CAST(macro_variables AS TEXT) AS macro_variables, result_fingerprint, result_data_version, results_updated_at
        """

    /// Stores a validated scenario document; returns its new id. Audited.
    package func insertScenario(name: String, description: String?, author: String, asOf: String, isPublic: Bool,
                               document: JSONValue) throws -> String {
        try write { db in
            try insertScenario(db, name: name, description: description, author: author, asOf: asOf, isPublic: isPublic,
                               document: document)
        }
    }

    /// Stores a validated scenario document unless its author already stored the same one
    /// (same name, same canonical document): then returns that scenario's id, with `isNew` false.
    ///
    /// The look-up and the insert share one write transaction, so concurrent identical
    /// submissions from many processes store one scenario: SQLite serialises writers (`BEGIN
    /// IMMEDIATE`); on PostgreSQL, where READ COMMITTED would let two transactions both miss the
    /// other's uncommitted row, one submitter per (author, name) at a time holds an advisory lock
    /// until commit (as formula registration does per name). Nothing here is retried on a unique
    /// violation, so it cannot loop.
    package func submitScenario(name: String, description: String?, author: String, asOf: String, isPublic: Bool,
                               document: JSONValue) throws -> (id: String, isNew: Bool) {
        let canonical = document.serialized(sortedKeys: true)
        return try writeRetrying { db in
            if db.dialect == .postgresql {
                _ = try db.query("SELECT pg_advisory_xact_lock(1396917838, hashtext(?))", [.text(JSONValue.array([.string(author), .string(name)]).serialized())])
            }
            if let id = try identicalScenario(db, name: name, author: author, canonical: canonical) { return (id, false) }
            let id = try insertScenario(db, name: name, description: description, author: author, asOf: asOf, isPublic: isPublic,
                                        document: document)
            return (id, true)
        }
    }

    /// The id of the stored scenario of `author` named `name` whose document is `document`, if any.
    package func storedScenarioID(name: String, author: String, document: JSONValue) throws -> String? {
        try read { db in try identicalScenario(db, name: name, author: author, canonical: document.serialized(sortedKeys: true)) }
    }

    private func identicalScenario(_ db: any DatabaseConnection, name: String, author: String, canonical: String) throws -> String? {
        for row in try db.query("SELECT id, CAST(document AS TEXT) AS document FROM scenarios WHERE name = ? AND author = ? ORDER BY created_at, id",
                                [.text(name), .text(author)]) {
            if let text = row.string("document"), let stored = try? JSONValue.parse(text),
               stored.serialized(sortedKeys: true) == canonical, let id = row.string("id") {
                return id
            }
        }
        return nil
    }

    private func insertScenario(_ db: any DatabaseConnection, name: String, description: String?, author: String, asOf: String,
                                isPublic: Bool, document: JSONValue) throws -> String {
        let id = UUID().uuidString.lowercased()
        _ = try db.execute("""
            INSERT INTO scenarios (id, name, description, author, macro_variables, level_settings, is_public, as_of, document, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            .text(id), .text(name), .text(description), .text(author),
            .json((document["macro_variables"] ?? .object(JSONObject())).serialized(sortedKeys: true)),
            .json(document["level_settings"].map { $0.serialized(sortedKeys: true) }),
            .bool(isPublic), .text(asOf), .json(document.serialized(sortedKeys: true)), .text(now()), .text(now()))
        try audit(db, action: "create", table: "scenarios", row: id, before: nil, after: document)
        return id
    }

    /// Replaces a scenario's document (and drops its cached result) when `user` may edit it: its
    /// author, or anyone when `isAdmin`. Audited with the document before and after.
    package func replaceScenario(_ id: String, name: String, description: String?, author: String, asOf: String, isPublic: Bool,
                                document: JSONValue, by user: String, isAdmin: Bool) throws {
        try write { db in
            let before = try editableScenario(db, id, by: user, isAdmin: isAdmin)
            let changed = try db.execute("""
                UPDATE scenarios SET name = ?, description = ?, author = ?, macro_variables = ?, level_settings = ?, is_public = ?,
                  as_of = ?, document = ?, simulation_results = NULL, result_fingerprint = NULL, result_data_version = NULL,
                  results_updated_at = NULL, updated_at = ?
                WHERE id = ? AND (author = ? OR ?)
                """,
                .text(name), .text(description), .text(author),
                .json((document["macro_variables"] ?? .object(JSONObject())).serialized(sortedKeys: true)),
                .json(document["level_settings"].map { $0.serialized(sortedKeys: true) }), .bool(isPublic), .text(asOf),
                .json(document.serialized(sortedKeys: true)), .text(now()), .text(before.id), .text(user), .bool(isAdmin))
            guard changed == 1 else { throw Self.notYours(before) }
            try deleteEntityResults(db, before.id)
            try audit(db, action: "update", table: "scenarios", row: before.id, before: before.document, after: document)
        }
    }

    /// Deletes a scenario (with its cached result and queued runs) when `user` may edit it. Audited.
    package func deleteScenario(_ id: String, by user: String, isAdmin: Bool) throws {
        try write { db in
            let before = try editableScenario(db, id, by: user, isAdmin: isAdmin)
            try deleteEntityResults(db, before.id)
            try db.execute("DELETE FROM run_queue WHERE scenario_id = ?", .text(before.id))
            guard try db.execute("DELETE FROM scenarios WHERE id = ? AND (author = ? OR ?)", .text(before.id), .text(user), .bool(isAdmin)) == 1 else {
                throw Self.notYours(before)
            }
            try audit(db, action: "delete", table: "scenarios", row: before.id, before: before.document, after: nil)
        }
    }

    /// The scenario `id` when `user` may change it; `notFound` when it does not exist (or is not
    /// visible to them), `forbidden` when it is someone else's. (The change itself repeats the
    /// ownership condition, and on PostgreSQL row-level security enforces it again.)
    private func editableScenario(_ db: any DatabaseConnection, _ id: String, by user: String, isAdmin: Bool) throws -> StoredScenario {
        guard UUID(uuidString: id) != nil,
              let row = try db.queryOne("SELECT \(Self.scenarioColumns) FROM scenarios WHERE id = ?", [.text(id.lowercased())]) else {
            throw StoreError(.notFound, "no scenario `\(id)`")
        }
        let scenario = try Self.storedScenario(row)
        guard isAdmin || scenario.author == user else {
            // Someone else's private scenario does not exist for this user (as row-level security
            // has it on PostgreSQL): saying whose it is would tell them it does.
            throw scenario.isPublic ? Self.notYours(scenario) : StoreError(.notFound, "no scenario `\(id)`")
        }
        return scenario
    }

    private static func notYours(_ scenario: StoredScenario) -> StoreError {
        StoreError(.forbidden, "scenario `\(scenario.id)` belongs to \(scenario.author); only its author (or an admin) can change it")
    }

    /// One scenario by id (or by unique name when no id matches).
    package func scenario(_ key: String) throws -> StoredScenario? {
        try read { db in
            let isUUID = UUID(uuidString: key) != nil
            if isUUID, let row = try db.queryOne("SELECT \(Self.scenarioColumns) FROM scenarios WHERE id = ?", [.text(key.lowercased())]) {
                return try Self.storedScenario(row)
            }
            let rows = try db.query("SELECT \(Self.scenarioColumns) FROM scenarios WHERE name = ? ORDER BY created_at DESC, id", [.text(key)])
            return try rows.first.map(Self.storedScenario)
        }
    }

    /// The scenario a person names on the command line: its id, a unique prefix of its id (at
    /// least 6 characters, as git accepts for commits), or its name when exactly one scenario has
    /// it. Nil when nothing matches; several matches are an error listing every one of them.
    package func scenario(matching key: String) throws -> StoredScenario? {
        if UUID(uuidString: key) != nil, let exact = try scenario(key) { return exact }
        let prefix = key.lowercased()
        var candidates: [StoredScenario] = []
        if prefix.count >= 6, prefix.allSatisfy({ $0.isHexDigit || $0 == "-" }) {
            // Hex digits and hyphens only: nothing in the key is a LIKE wildcard.
            candidates = try read { db in
                try db.query("SELECT \(Self.scenarioColumns) FROM scenarios WHERE CAST(id AS TEXT) LIKE ? ORDER BY created_at DESC, id",
                             [.text(prefix + "%")]).map(Self.storedScenario)
            }
        }
        if candidates.isEmpty { candidates = try scenarios(named: key) }
        guard candidates.count > 1 else { return candidates.first }
        throw StoreError(.invalidInput, "`\(key)` names \(candidates.count) scenarios: "
                         + candidates.map { "\($0.id) (\($0.name), by \($0.author))" }.joined(separator: ", "),
                         hint: "name one by its id, or by a longer prefix of it")
    }

    /// Every scenario with this exact name, newest first.
    package func scenarios(named name: String) throws -> [StoredScenario] {
        try read { db in
            try db.query("SELECT \(Self.scenarioColumns) FROM scenarios WHERE name = ? ORDER BY created_at DESC, id", [.text(name)])
                .map(Self.storedScenario)
        }
    }

    /// Scenarios, newest first: every one, or (with `visibleTo`) the public ones and that user's own.
    package func scenarios(visibleTo user: String? = nil, author: String? = nil, limit: Int = 1000, offset: Int = 0) throws -> [StoredScenario] {
        try read { db in
            try db.query("""
                SELECT \(Self.scenarioColumns) FROM scenarios
                WHERE (CAST(? AS TEXT) IS NULL OR is_public = ? OR author = ?) AND (CAST(? AS TEXT) IS NULL OR author = ?)
                ORDER BY created_at DESC, id LIMIT ? OFFSET ?
                """, [.text(user), .bool(true), .text(user), .text(author), .text(author), .integer(Int64(limit)), .integer(Int64(offset))])
            .map(Self.storedScenario)
        }
    }

    static func storedScenario(_ row: Row) throws -> StoredScenario {
        let text = row.string("document") ?? row.string("macro_variables") ?? "{}"
        let document = (try? JSONValue.parse(text)) ?? .object(JSONObject())
        return StoredScenario(
            id: row.string("id") ?? "", name: row.string("name") ?? "", author: row.string("author") ?? "",
            asOf: row.date("as_of"), isPublic: row.bool("is_public") ?? false, createdAt: row.timestamp("created_at") ?? "",
            document: document, resultFingerprint: row.string("result_fingerprint"),
            resultDataVersion: row.string("result_data_version"), resultsUpdatedAt: row.timestamp("results_updated_at"))
    }

    /// The most bytes of a result's binary document in one `scenario_result_parts` row.
    package static let resultPartBytes = 48 << 20

    /// Replaces a scenario's cached result in one transaction: the summary in `simulation_results`
    /// (a small result's entities inside it) and, for a large result, its per-entity results as
    /// one binary document (opaque here) in `scenario_result_parts`. `parts` produces the document
    /// part by part (at most `resultPartBytes` bytes each) and hands each to the function it is
    /// given, which stores it before the next is made; it may be called again if the transaction
    /// is retried. In the same transaction it marks the queue job `lease` done (first, so a lost
    /// lease writes nothing) and finishes the run-log row `run`.
    ///
    /// `world`, the document's world part (version 3), is stored once per owner (the scenario's
    /// author) and key in `result_worlds`/`result_world_parts` — written only when not stored
    /// yet — and referred to from `scenario_result_worlds`; the world part the replaced result
    /// used is deleted here when no other result uses it.
    package func storeResult(scenarioID: String, fingerprint: String, dataVersion: String, summaryText: String,
                            world: ResultWorld? = nil, parts: ((_ store: ([UInt8]) throws -> Void) throws -> Void)? = nil,
                            run: (id: String, counts: JSONValue?)? = nil, lease: JobLease? = nil) throws {
        try writeRetrying { db in
            if let lease { try completeJob(db, lease, status: .succeeded, runID: run?.id, cached: false, error: nil) }
            var owner: String?
            if let world {
                guard let author = try db.queryOne("SELECT author FROM scenarios WHERE id = ?", [.text(scenarioID)])?.string("author") else {
                    throw StoreError(.notFound, "no scenario `\(scenarioID)`")
                }
                try retainWorld(db, owner: author, world)  // before the old reference goes: the same world is kept, not rewritten
                owner = author
            }
            let previous = try dropEntityResults(db, scenarioID)
            // Each part is encoded just before it is written, as bytes, and dropped after, so one
            // part is held at a time (the whole document was ~0.7 GB at 1 M entities with 30 000
            // shocks, and its base64 text, written until migration 15, 0.9 GB).
            var k = 0
            try parts? { part in
                precondition(part.count <= Self.resultPartBytes, "a result part of \(part.count) bytes")
                try db.execute("INSERT INTO scenario_result_parts (scenario_id, part, data) VALUES (?, ?, ?)",
                               .text(scenarioID), .integer(Int64(k)), .blob(part))
                k += 1
            }
            if let world, let owner {
                try db.execute("INSERT INTO scenario_result_worlds (scenario_id, owner, world_key) VALUES (?, ?, ?)",
                               .text(scenarioID), .text(owner), .text(world.key))
            }
            if let previous { try collectWorld(db, owner: previous.owner, key: previous.key) }
            try setSummary(db, scenarioID: scenarioID, fingerprint: fingerprint, dataVersion: dataVersion, summaryText: summaryText)
            if let run { try finishRun(db, run.id, status: .succeeded, counts: run.counts, error: nil) }
        }
    }

    private func setSummary(_ db: any DatabaseConnection, scenarioID: String, fingerprint: String, dataVersion: String,
                            summaryText: String) throws {
        _ = try db.execute("""
            UPDATE scenarios SET simulation_results = ?, result_fingerprint = ?, result_data_version = ?,
              results_updated_at = ?, updated_at = ? WHERE id = ?
            """,
            .json(summaryText), .text(fingerprint), .text(dataVersion), .text(now()), .text(now()), .text(scenarioID))
    }

    /// Removes a scenario's stored per-entity results, in either form, and deletes the world part
    /// they used when no other result uses it.
    private func deleteEntityResults(_ db: any DatabaseConnection, _ scenarioID: String) throws {
        if let world = try dropEntityResults(db, scenarioID) { try collectWorld(db, owner: world.owner, key: world.key) }
    }

    /// Removes a scenario's stored per-entity results and its reference to a world part; returns
    /// the world part it referred to, for `collectWorld` (once a new reference, if any, is in).
    private func dropEntityResults(_ db: any DatabaseConnection, _ scenarioID: String) throws -> (owner: String, key: String)? {
        _ = try db.execute("DELETE FROM scenario_entity_results WHERE scenario_id = ?", .text(scenarioID))
        _ = try db.execute("DELETE FROM scenario_result_parts WHERE scenario_id = ?", .text(scenarioID))
        return try dropWorldReference(db, scenarioID)
    }

    /// Records that the cached result is still valid at a newer data version (nothing it read changed).
    package func confirmResult(scenarioID: String, dataVersion: String) throws {
        try write { db in
            _ = try db.execute("UPDATE scenarios SET result_data_version = ? WHERE id = ?", .text(dataVersion), .text(scenarioID))
        }
    }

    /// The cached result of a scenario, if it has one; the per-entity rows only when asked for.
    package func result(scenarioID: String, includeEntities: Bool = true) throws -> StoredResult? {
        try read { db in
            // Without the entities, the database drops a result's inline entity list before it is sent.
            let column = includeEntities ? "simulation_results"
                : db.dialect == .sqlite ? "json_remove(simulation_results, '$.entities')" : "(simulation_results - 'entities')"
            guard let row = try db.queryOne("SELECT CAST(\(column) AS TEXT) AS results FROM scenarios WHERE id = ?",
                                            [.text(scenarioID)]),
                  let text = row.string("results"), let summary = try? JSONValue.parse(text) else { return nil }
            guard includeEntities else { return StoredResult(summary: summary, entityTexts: []) }
            let parts = try db.queryOne("SELECT COUNT(*) AS n FROM scenario_result_parts WHERE scenario_id = ?",
                                        [.text(scenarioID)])?.int("n") ?? 0
            if parts > 0 {
                // Every part but the last holds `resultPartBytes`: the document is built in place.
                var columns: [UInt8] = []
                columns.reserveCapacity(parts * Self.resultPartBytes)
                try db.forEachRow("SELECT data FROM scenario_result_parts WHERE scenario_id = ? ORDER BY part",
                                  [.text(scenarioID)]) { row in
                    if row.isBlob(0) {
                        _ = row.withBytes(0) { columns.append(contentsOf: $0) }
                    } else if let text = row.string(0), let data = Data(base64Encoded: text) {
                        columns += data  // a part stored as base64 text before migration 15
                    } else {
                        throw StoreError(.database, "a stored result part of scenario \(scenarioID) is neither bytes nor base64 text",
                                         hint: "run the scenario again with `--force` to replace its result")
                    }
                }
                return StoredResult(summary: summary, entityTexts: [], columns: columns, worldColumns: try worldColumns(db, scenarioID))
            }
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
    /// highest id of the audit rows of the engine's input tables (every write Cascade makes is
    /// audited), and the count of writes to entities and relationships kept by triggers (which
    /// also counts writes made with `psql` or `sqlite3`, see `Migration.worldDigest`).
    package func dataVersion() throws -> String {
        try read { db in
            let (count, latest) = try Self.inputAudit(db)
            return "\(count):\(latest)/\(try Self.worldWrites(db))"
        }
    }

    /// The count and the highest id of the audit rows of the engine's input tables.
    static func inputAudit(_ db: any DatabaseConnection) throws -> (count: Int, latest: Int) {
        let row = try db.queryOne("""
            SELECT COUNT(*) AS n, COALESCE(MAX(id), 0) AS m FROM audit_log
            WHERE table_name IN ('entities', 'relationships', 'sector_coefficients', 'formulas', 'macro_data', 'world', 'schema_migrations')
            """)
        return (row?.int("n") ?? 0, row?.int("m") ?? 0)
    }

    /// Every formula version of every name.
    package func allFormulaVersions() throws -> [FormulaVersion] {
        try formulaSummaries().flatMap { try history(named: $0.name) }
    }
}
