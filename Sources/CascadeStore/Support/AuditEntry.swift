import CascadeJSON

/// One audit-log row: who did what to which row, with the row before and after.
package struct AuditEntry: Sendable, Equatable {
    package var id: Int
    package var occurredAt: String
    package var actor: String
    package var action: String
    package var table: String
    package var rowID: String?
    package var before: JSONValue?
    package var after: JSONValue?
}

extension AuditEntry {
    package var json: JSONValue {
        .object(JSONObject([
            ("id", .number(Double(id))), ("occurred_at", .string(occurredAt)), ("actor", .string(actor)),
            ("action", .string(action)), ("table", .string(table)), ("row_id", rowID.map(JSONValue.string) ?? .null),
            ("before", before ?? .null), ("after", after ?? .null),
        ]))
    }
}

extension Store {
    /// Appends an audit row inside the caller's transaction.
    func audit(
        _ db: any DatabaseConnection, action: String, table: String, row: String?,
        before: JSONValue?, after: JSONValue?
    ) throws {
        try db.execute(
            "INSERT INTO audit_log (occurred_at, actor, action, table_name, row_id, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)",
            .text(now()), .text(actor), .text(action), .text(table), .text(row),
            .json(before.map { $0.serialized(sortedKeys: true) }), .json(after.map { $0.serialized(sortedKeys: true) }))
    }

    /// The audit log, oldest first, optionally for one table.
    package func auditLog(table: String? = nil, limit: Int = 1000, newestFirst: Bool = false) throws -> [AuditEntry] {
        try read { db in
            let rows = try db.query(
                "SELECT id, occurred_at, actor, action, table_name, row_id, before, after FROM audit_log WHERE (CAST(? AS TEXT) IS NULL OR table_name = ?) ORDER BY id \(newestFirst ? "DESC" : "") LIMIT ?",
                [.text(table), .text(table), .integer(Int64(limit))])
            return rows.map { row in
                AuditEntry(
                    id: row.int("id") ?? 0, occurredAt: row.timestamp("occurred_at") ?? "", actor: row.string("actor") ?? "",
                    action: row.string("action") ?? "", table: row.string("table_name") ?? "", rowID: row.string("row_id"),
                    before: row.string("before").flatMap { try? JSONValue.parse($0) },
                    after: row.string("after").flatMap { try? JSONValue.parse($0) })
            }
        }
    }
}
