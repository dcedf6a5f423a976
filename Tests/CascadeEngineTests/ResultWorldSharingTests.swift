@testable import CascadeEngine
import CascadeJSON
@testable import CascadeStore
import CascadeTestSupport
import Foundation
import Testing

/// PostgreSQL, several connections: a world part used by a result cannot be deleted; a result
/// stored while another connection deletes the world part's last reference keeps its world part;
/// the API's role reads world parts with the scenarios it sees and cleans up only its own user's.
@Suite(.serialized, .enabled(if: TestStores.postgresURL != nil))
struct ResultWorldSharingTests {
    static func withStores<T>(_ body: (StoreLocation, Store) throws -> T) throws -> T {
        let (location, _, _, cleanup) = try TestStores.fresh(postgres: true, prefix: "cascade-world-parts")
        defer { cleanup() }
        let store = try Store(location, actor: "tests")
        try store.migrate()
        _ = try store.importWorld(ResultColumnsTests.world(), file: "world.json")
        return try body(location, store)
    }

    static func scenario(_ name: String, author: String = "tests", isPublic: Bool = true, shock: String) -> JSONValue {
        var object = ResultWorldTests.scenario(name, shock: shock).objectValue!
        object["author"] = .string(author)
        object["is_public"] = .bool(isPublic)
        return .object(object)
    }

    /// The world parts' keys and how many results use each.
    static func users(_ store: Store) throws -> [Int] {
        try ResultWorldTests.worlds(store).values.map(\.users).sorted()
    }

    /// Both backends: the reference is a foreign key, so deleting a world part a result uses fails
    /// (and changes nothing), whoever tries it.
    @Test(arguments: ScenarioServiceTests.Backend.available)
    func aWorldPartInUseCannotBeDeleted(_ backend: ScenarioServiceTests.Backend) throws {
        try backend.withStore { store in
            _ = try store.importWorld(ResultColumnsTests.world(), file: "world.json")
            let service = ScenarioService(store: store, snapshots: .off)
            let (a, _) = try service.submit(Self.scenario("a", shock: "e5"), today: "2025-06-30")
            let fresh = try service.run(a, includeEntities: true)
            let error = try #require(throws: StoreError.self) {
                try store.write { db in _ = try db.execute("DELETE FROM result_worlds") }
            }
            #expect(["23503", "SQLITE_CONSTRAINT_FOREIGNKEY"].contains(error.code ?? ""), "\(error)")
            #expect(try service.run(a, includeEntities: true).entityTexts == fresh.entityTexts)
        }
    }

    /// One connection drops the last reference to world part K and deletes it, and holds its
    /// transaction open; another stores a result of the same world meanwhile and is seen waiting
    /// on K's row lock; when the first commits, the second writes K again. Its result reads back
    /// whole; K is stored once, used once.
    @Test func aResultStoredWhileItsWorldPartIsDeletedKeepsIt() throws {
        try Self.withStores { location, store in
            let service = ScenarioService(store: store, snapshots: .off)
            let (a, _) = try service.submit(Self.scenario("a", shock: "e5"), today: "2025-06-30")
            let (b, _) = try service.submit(Self.scenario("b", shock: "e9"), today: "2025-06-30")
            let fresh = try service.run(a, includeEntities: true)  // stores K, used by `a`
            let key = try #require(try ResultWorldTests.worlds(store).keys.first)

            // Each connection is opened on the thread that uses it.
            let deleted = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0), done = DispatchGroup()
            let outcomes = Outcomes()
            DispatchQueue.global().async(group: done) {
                outcomes.set(deleter: Result {
                    let deleter = try Store(location, actor: "deleter")
                    return try deleter.write { db in
                        let dropped = try deleter.dropWorldReference(db, a)
                        try deleter.collectWorld(db, owner: "tests", key: key)
                        deleted.signal()
                        release.wait()
                        return dropped?.key
                    }
                })
            }
            #expect(deleted.wait(timeout: .now() + 60) == .success, "the deleter never deleted")
            DispatchQueue.global().async(group: done) {
                outcomes.set(storer: Result {
                    let storer = try Store(location, actor: "storer")
                    outcomes.set(storerPID: try storer.read { db in try db.queryOne("SELECT pg_backend_pid() AS pid")?.int("pid") })
                    return try ScenarioService(store: storer, snapshots: .off).run(b, includeEntities: true).entityTexts
                })
            }
            // Wait (up to 60 s) for the storer to wait on a lock: K's row, which the deleter holds.
            var seen: [String] = []
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline {
                guard let storerPID = outcomes.storerPID else {
                    usleep(20_000)
                    continue
                }
                let row = try store.read { db in
                    try db.queryOne("SELECT wait_event_type AS w, COALESCE(query, '') AS q FROM pg_stat_activity WHERE pid = ?",
                                    [.integer(Int64(storerPID))])
                }
                let state = "\(row?.string("w") ?? "-"): \(row?.string("q")?.prefix(80) ?? "")"
                if seen.last != state { seen.append(state) }
                if row?.string("w") == "Lock" { break }
                usleep(20_000)
            }
            #expect(seen.last?.hasPrefix("Lock") == true, "the storer was not seen waiting on a lock; seen: \(seen)")
            #expect(seen.last?.contains("FROM result_worlds") == true, "\(seen)")
            release.signal()
            #expect(done.wait(timeout: .now() + 60) == .success, "the two did not finish; seen: \(seen)")

            #expect(try outcomes.deleter?.get() == key)
            let texts = try #require(try outcomes.storer?.get())
            #expect(texts == (try ScenarioService(store: store, snapshots: .off).run(b, force: true, includeEntities: true).entityTexts))
            #expect(try ScenarioService(store: store, snapshots: .off).run(b, includeEntities: true).entityTexts == texts)
            #expect(try ResultWorldTests.worlds(store).mapValues(\.users) == [key: 1])
            #expect(fresh.entityTexts?.isEmpty == false)
        }
    }

    /// As `cascade_app`: another user reads a public scenario's result (its world part with it) but
    /// neither sees a private one's nor can delete the world part; the author's clean-up (deleting
    /// the scenarios) keeps the world part while one of them uses it and deletes it after.
    @Test func theApplicationRoleReadsWorldPartsWithTheScenariosItSeesAndCleansUpItsOwn() throws {
        try Self.withStores { location, store in
            let service = ScenarioService(store: store, snapshots: .off)
            let (open, _) = try service.submit(Self.scenario("open", author: "alice", shock: "e5"), today: "2025-06-30")
            let (closed, _) = try service.submit(Self.scenario("closed", author: "alice", isPublic: false, shock: "e9"), today: "2025-06-30")
            let fresh = try service.run(open, includeEntities: true)
            _ = try service.run(closed)
            #expect(try Self.users(store) == [2])

            let bob = try Store(location, actor: "bob")
            try bob.useApplicationRole()
            bob.rowSecurityUser = "bob"
            let asBob = ScenarioService(store: bob, snapshots: .off)
            let read = try #require(try asBob.storedResult(open, onlyIfCurrent: false, includeEntities: true))
            #expect(read.entityTexts == fresh.entityTexts)
            #expect(try bob.result(scenarioID: closed) == nil)
            for table in ["result_world_parts", "result_worlds"] {
                #expect(try bob.write { db in try db.execute("DELETE FROM \(table)") } == 0)
            }

            let alice = try Store(location, actor: "alice")
            try alice.useApplicationRole()
            alice.rowSecurityUser = "alice"
            try alice.deleteScenario(open, by: "alice", isAdmin: false)
            #expect(try Self.users(store) == [1])
            try alice.deleteScenario(closed, by: "alice", isAdmin: false)
            #expect(try Self.users(store).isEmpty)
            #expect(try store.read { db in try db.queryOne("SELECT COUNT(*) AS n FROM result_world_parts")?.int("n") } == 0)
        }
    }
}

/// What the two threads of `aResultStoredWhileItsWorldPartIsDeletedKeepsIt` ended with.
private final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var _deleter: Result<String?, any Error>?
    private var _storer: Result<[String]?, any Error>?
    private var _storerPID: Int?
    var storerPID: Int? { lock.withLock { _storerPID } }
    func set(storerPID value: Int?) { lock.withLock { _storerPID = value } }
    var deleter: Result<String?, any Error>? { lock.withLock { _deleter } }
    var storer: Result<[String]?, any Error>? { lock.withLock { _storer } }
    func set(deleter value: Result<String?, any Error>) { lock.withLock { _deleter = value } }
    func set(storer value: Result<[String]?, any Error>) { lock.withLock { _storer = value } }
}
