import CascadeJSON
import Foundation

extension Store {
    static let whatIfColumns = """
        id, name, author, base_scenario_id, scenario_id, status, CAST(modifications AS TEXT) AS modifications,
        CAST(history AS TEXT) AS history, created_at, updated_at
        """

    /// Stores a new active session of `author`; its name must be new among the author's sessions.
    /// Audited. Returns the stored session.
    package func insertWhatIfSession(name: String, author: String, baseScenarioID: String, scenarioID: String,
                                    modifications: JSONValue, summary: JSONValue) throws -> StoredWhatIfSession {
        try write { db in
            if try db.queryOne("SELECT id FROM whatif_sessions WHERE author = ? AND name = ?", [.text(author), .text(name)]) != nil {
                throw StoreError(.conflict, "\(author) already has a what-if session named `\(name)`",
                                 hint: "choose another name, or add to it: `cascade whatif add \(name) --set …`")
            }
            let id = UUID().uuidString.lowercased()
            let history = JSONValue.array([summary])
            try db.execute("""
                INSERT INTO whatif_sessions (id, name, author, base_scenario_id, scenario_id, status, modifications, history, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?, ?)
                """,
                .text(id), .text(name), .text(author), .text(baseScenarioID), .text(scenarioID),
                .json(modifications.serialized(sortedKeys: true)), .json(history.serialized()), .text(now()), .text(now()))
            let stored = try whatIfSession(db, id: id)
            try audit(db, action: "create", table: "whatif_sessions", row: id, before: nil, after: stored.json)
            return stored
        }
    }

    /// Records a change to an active session: its merged modifications, the modified scenario
    /// and the change's impact summary (appended to the history). Audited.
    package func addWhatIfChange(_ id: String, modifications: JSONValue, scenarioID: String, summary: JSONValue,
                                by user: String, isAdmin: Bool) throws -> StoredWhatIfSession {
        try write { db in
            let before = try editableWhatIfSession(db, id, by: user, isAdmin: isAdmin)
            try Self.requireActive(before)
            let history = JSONValue.array(before.history + [summary])
            try db.execute("""
                UPDATE whatif_sessions SET modifications = ?, scenario_id = ?, history = ?, updated_at = ?
                WHERE id = ? AND status = 'active'
                """,
                .json(modifications.serialized(sortedKeys: true)), .text(scenarioID), .json(history.serialized()), .text(now()), .text(before.id))
            let after = try whatIfSession(db, id: before.id)
            try audit(db, action: "update", table: "whatif_sessions", row: before.id, before: before.json, after: after.json)
            return after
        }
    }

    /// Closes an active session as `completed` or `cancelled`. Audited.
    package func closeWhatIfSession(_ id: String, as status: StoredWhatIfSession.Status, by user: String, isAdmin: Bool) throws -> StoredWhatIfSession {
        try write { db in
            let before = try editableWhatIfSession(db, id, by: user, isAdmin: isAdmin)
            try Self.requireActive(before)
            try db.execute("UPDATE whatif_sessions SET status = ?, updated_at = ? WHERE id = ? AND status = 'active'",
                           .text(status.rawValue), .text(now()), .text(before.id))
            let after = try whatIfSession(db, id: before.id)
            try audit(db, action: "update", table: "whatif_sessions", row: before.id, before: before.json, after: after.json)
            return after
        }
    }

    /// Sessions, newest first: every one, or (with `author`) that author's only.
    package func whatIfSessions(author: String? = nil) throws -> [StoredWhatIfSession] {
        try read { db in
            try db.query("""
                SELECT \(Self.whatIfColumns) FROM whatif_sessions WHERE (CAST(? AS TEXT) IS NULL OR author = ?)
                ORDER BY created_at DESC, id
                """, [.text(author), .text(author)]).map(Self.storedWhatIfSession)
        }
    }

    /// The session a person names: its id, a unique id prefix (6 characters or more) or its name
    /// when one session has it (among `author`'s when given). Nil when nothing matches; several
    /// matches are an error listing them.
    package func whatIfSession(matching key: String, author: String? = nil) throws -> StoredWhatIfSession? {
        let candidates = try read { db -> [StoredWhatIfSession] in
            let lowered = key.lowercased()
            if UUID(uuidString: key) != nil,
               let row = try db.queryOne("SELECT \(Self.whatIfColumns) FROM whatif_sessions WHERE id = ?", [.text(lowered)]) {
                return [try Self.storedWhatIfSession(row)]
            }
            var found: [StoredWhatIfSession] = []
            if lowered.count >= 6, lowered.allSatisfy({ $0.isHexDigit || $0 == "-" }) {
                found = try db.query("SELECT \(Self.whatIfColumns) FROM whatif_sessions WHERE CAST(id AS TEXT) LIKE ? ORDER BY created_at DESC, id",
                                     [.text(lowered + "%")]).map(Self.storedWhatIfSession)
            }
            if found.isEmpty {
                found = try db.query("SELECT \(Self.whatIfColumns) FROM whatif_sessions WHERE name = ? ORDER BY created_at DESC, id",
                                     [.text(key)]).map(Self.storedWhatIfSession)
            }
            return found
        }.filter { author == nil || $0.author == author }
        guard candidates.count > 1 else { return candidates.first }
        throw StoreError(.invalidInput, "`\(key)` names \(candidates.count) what-if sessions: "
                         + candidates.map { "\($0.id) (\($0.name), by \($0.author))" }.joined(separator: ", "),
                         hint: "name one by its id, or by a longer prefix of it")
    }

    private func whatIfSession(_ db: any DatabaseConnection, id: String) throws -> StoredWhatIfSession {
        guard let row = try db.queryOne("SELECT \(Self.whatIfColumns) FROM whatif_sessions WHERE id = ?", [.text(id)]) else {
            throw StoreError(.notFound, "no what-if session `\(id)`")
        }
        return try Self.storedWhatIfSession(row)
    }

    /// The session `id` when `user` may change it: `notFound` when it does not exist or is
    /// someone else's (a session is private to its author, as row-level security has it on PostgreSQL).
    private func editableWhatIfSession(_ db: any DatabaseConnection, _ id: String, by user: String, isAdmin: Bool) throws -> StoredWhatIfSession {
        guard UUID(uuidString: id) != nil else { throw StoreError(.notFound, "no what-if session `\(id)`") }
        let session = try whatIfSession(db, id: id.lowercased())
        guard isAdmin || session.author == user else { throw StoreError(.notFound, "no what-if session `\(id)`") }
        return session
    }

    private static func requireActive(_ session: StoredWhatIfSession) throws {
        guard session.status == .active else {
            throw StoreError(.conflict, "what-if session `\(session.name)` is \(session.status.rawValue); only an active session changes",
                             hint: "start a new one: `cascade whatif BASE --set … --save NAME`")
        }
    }

    static func storedWhatIfSession(_ row: Row) throws -> StoredWhatIfSession {
        func json(_ column: String) -> JSONValue? { row.string(column).flatMap { try? JSONValue.parse($0) } }
        return StoredWhatIfSession(
            id: row.string("id") ?? "", name: row.string("name") ?? "", author: row.string("author") ?? "",
            baseScenarioID: row.string("base_scenario_id") ?? "", scenarioID: row.string("scenario_id") ?? "",
            status: row.string("status").flatMap(StoredWhatIfSession.Status.init(rawValue:)) ?? .active,
            modifications: json("modifications") ?? .object(JSONObject()), history: json("history")?.arrayValue ?? [],
            createdAt: row.timestamp("created_at") ?? "", updatedAt: row.timestamp("updated_at") ?? "")
    }
}
