import CascadeJSON
import CascadeStore
import CascadeTestSupport
import Foundation
import Testing

/// On PostgreSQL a what-if session is its author's under row-level security, as a scenario is:
/// the API's role (`cascade_app`) acting for another user neither sees nor changes it, and
/// cannot store one in someone else's name — whatever SQL it sends.
@Suite("What-if sessions under row-level security", .enabled(if: TestStores.postgresURL != nil))
struct WhatIfRowSecurityTests {
    @Test func aSessionIsItsAuthorsAlone() throws {
        let (location, _, cleanup) = try Backend.postgresql.freshStore()
        defer { cleanup() }
        _ = try issueKeys(location, [("root", .admin), ("alice", .author), ("bob", .author)])
        let owner = try Store(location)
        let session = try owner.insertWhatIfSession(
            name: "alice's", author: "alice", baseScenarioID: UUID().uuidString.lowercased(), scenarioID: UUID().uuidString.lowercased(),
            modifications: try JSONValue.parse(#"{"set": {"fed_funds_rate": 0.03}}"#), summary: .object(JSONObject()))

        func acting(as user: String) throws -> Store {
            let store = try Store(location)
            try store.useApplicationRole()
            store.rowSecurityUser = user
            return store
        }
        let bob = try acting(as: "bob"), alice = try acting(as: "alice"), root = try acting(as: "root")
        let count = "SELECT COUNT(*) AS n FROM whatif_sessions"
        #expect(try bob.read { try $0.queryOne(count)?.int("n") } == 0)
        #expect(try alice.read { try $0.queryOne(count)?.int("n") } == 1)
        #expect(try root.read { try $0.queryOne(count)?.int("n") } == 1)
        #expect(try bob.write { try $0.execute("UPDATE whatif_sessions SET status = 'cancelled'") } == 0)
        #expect(try bob.write { try $0.execute("DELETE FROM whatif_sessions") } == 0)
        let forged = #expect(throws: StoreError.self) {
            try bob.write { db in
                _ = try db.execute("""
                    INSERT INTO whatif_sessions (name, author, base_scenario_id, scenario_id, status, modifications, history, created_at, updated_at)
                    VALUES ('forged', 'alice', gen_random_uuid(), gen_random_uuid(), 'active', '{}', '[]', NOW(), NOW())
                    """)
            }
        }
        #expect(forged?.code == "42501", "\(forged.map { "\($0.code ?? "") \($0.message)" } ?? "no error")")
        // Through the store's own method too: someone else's session does not exist for bob.
        let closing = #expect(throws: StoreError.self) { try bob.closeWhatIfSession(session.id, as: .cancelled, by: "bob", isAdmin: false) }
        #expect(closing?.kind == .notFound)
        #expect(try owner.whatIfSession(matching: session.id)?.status == .active)
        #expect(try alice.closeWhatIfSession(session.id, as: .completed, by: "alice", isAdmin: false).status == .completed)
    }
}
