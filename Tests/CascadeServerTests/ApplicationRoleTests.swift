@testable import CascadeServer
import CascadeJSON
import CascadeStore
import CascadeTestSupport
import Foundation
import Testing

/// The PostgreSQL role the API acts as (`cascade_app`) holds on its own: a server that logs in as
/// a role that is only a member of it cannot promote a user, erase the audit log or rewrite the
/// schema's history — not through the API, not with raw SQL, not after `RESET ROLE`.
@Suite("PostgreSQL application role", .serialized, .enabled(if: TestStores.postgresURL != nil))
struct ApplicationRoleTests {
    @Test func aLoginRoleThatIsOnlyAMemberOfCascadeAppCannotEscalate() async throws {
        let (location, db, cleanup) = try Backend.postgresql.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("root", .admin), ("alice", .author)])
        let base = try #require(TestStores.postgresURL)
        let owner = try #require(URLComponents(string: base)?.user)
        let login = "cascade_server_\(UUID().uuidString.lowercased().prefix(8))"
        try Store(.postgresql(url: base)).write { db in
            _ = try db.execute("CREATE ROLE \(login) LOGIN")
            _ = try db.execute("GRANT \(Migration.applicationRole) TO \(login)")
        }
        defer {
            _ = try? Store(.postgresql(url: base)).write { db in
                _ = try db.execute("DROP OWNED BY \(login)")
                _ = try db.execute("DROP ROLE \(login)")
            }
        }
        let serverURL = db.replacingOccurrences(of: "://\(owner)@", with: "://\(login)@")
        #expect(serverURL != db)
        let ownerStore = try Store(location)
        let auditBefore = try ownerStore.auditLog(limit: 100_000).count
        let schemaBefore = try ownerStore.schemaStatus()

        do {
            let store = try Store(.postgresql(url: serverURL))
            try store.useApplicationRole()
            store.rowSecurityUser = "alice"
            let attempts = [
                "UPDATE users SET role = 'admin' WHERE username = 'alice'",
                "INSERT INTO users (id, username, role, key_id, key_salt, key_hash, is_active, created_at) VALUES (gen_random_uuid(), 'mallory', 'admin', 'k', 's', 'h', TRUE, NOW())",
                "DELETE FROM users WHERE username = 'root'",
                "DELETE FROM audit_log",
                "UPDATE audit_log SET actor = 'nobody'",
                "TRUNCATE audit_log",
                "INSERT INTO schema_migrations (id, name, applied_at) VALUES (99, 'forged', '2026-01-01')",
                "UPDATE schema_migrations SET name = 'forged'",
                "DELETE FROM schema_migrations",
                "SELECT cascade_add_user(gen_random_uuid(), 'mallory', 'admin', 'k2', 's', 'h', NOW())",
                "SET ROLE \(owner)",
            ]
            // As cascade_app, then again after RESET ROLE (the login role itself has no more).
            for reset in [false, true] {
                if reset { try store.write { db in _ = try db.execute("RESET ROLE") } }
                for sql in attempts {
                    let error = #expect(throws: StoreError.self, "\(reset ? "after RESET ROLE: " : "")\(sql)") {
                        try store.write { db in _ = try db.execute(sql) }
                    }
                    #expect(error?.code == "42501", "\(sql): \(error.map { "\($0.code ?? "") \($0.message)" } ?? "no error")")
                }
            }
            // What the API needs still works for this connection: reading users, appending to the audit log.
            #expect(try store.read { db in try db.query("SELECT username FROM users").count } == 2)
        }

        // Nothing changed.
        #expect(try ownerStore.users().map { "\($0.username):\($0.role.rawValue)" } == ["alice:author", "root:admin"])
        #expect(try ownerStore.schemaStatus() == schemaBefore)
        #expect(try ownerStore.auditLog(limit: 100_000).count == auditBefore)

        // The API served by that login role: an admin adds a user (through the SECURITY DEFINER
        // function), an author submits, every write is audited.
        let server = try await TestServer.start(.postgresql(url: serverURL)) { $0.workers = 0 }
        #expect(try await server.request(.GET, "/v1/health").status == 200)
        let added = try await server.request(.POST, "/v1/users", key: keys["root"], body: #"{"username": "dora", "role": "author"}"#)
        #expect(added.status == 201, "\(added.body)")
        let refused = try await server.request(.POST, "/v1/users", key: keys["alice"], body: #"{"username": "eve", "role": "admin"}"#)
        #expect(refused.status == 403)
        let submitted = try await server.request(.POST, "/v1/scenarios", key: keys["alice"], body: scenarioJSON(name: "As the server", author: "alice"))
        #expect(submitted.status == 201, "\(submitted.body)")
        let audit = try await server.request(.GET, "/v1/audit?limit=1000", key: keys["root"])
        let actions = (audit.json?["entries"]?.arrayValue ?? []).compactMap { e in
            e["table"]?.stringValue.flatMap { t in e["action"]?.stringValue.map { "\(t).\($0)" } }
        }
        #expect(actions.contains("users.create") && actions.contains("scenarios.create"), "\(actions)")
        await server.stop()
        #expect(try ownerStore.users().map(\.username) == ["alice", "dora", "root"])
    }
}
