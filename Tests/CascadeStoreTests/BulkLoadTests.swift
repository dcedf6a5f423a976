@testable import CascadeStore
import Foundation
import Testing

/// `BulkLoads.finish` on SQLite: the secondary indexes a bulk load dropped are rebuilt with the
/// sorter in its file mode (one packed buffer, runs spilled past `cache_size`) rather than one
/// allocation per record, and the connection is back in memory mode afterwards — also when a
/// rebuild fails. (PostgreSQL has no such setting; its rebuild is covered by
/// `ImportConformanceTests.aBulkLoadRestoresIndexesAndForeignKeys`.)
@Suite("Bulk load index rebuild (SQLite)")
struct BulkLoadTests {
    static let indexes = ["idx_relationships_source", "idx_relationships_target", "idx_relationships_type"]

    /// A migrated SQLite store and a connection of its own to it, inside a write transaction.
    func withConnection(_ body: (SQLiteConnection) throws -> Void) throws {
        let (location, cleanup) = try TestBackend.sqlite.freshLocation()
        defer { cleanup() }
        try Store(location, actor: "tester").migrate()
        guard case .sqlite(let path) = location else { Issue.record("not a SQLite location"); return }
        let db = try SQLiteConnection(path: path)
        defer { db.close() }
        try db.begin(writing: true)
        defer { db.rollback() }
        try body(db)
    }

    /// SQLite's `temp_store`: 1 is FILE, 2 MEMORY (-1 when it cannot be read).
    func tempStore(_ db: SQLiteConnection) -> Int {
        ((try? db.queryOne("PRAGMA temp_store"))?.int("temp_store")) ?? -1
    }

    /// Keys of `count` new rows: with the table empty, every one counts as new.
    func keys(_ count: Int) -> [(high: UInt64, low: UInt64, index: Int)] {
        (0..<count).map { (UInt64($0), 0, $0) }
    }

    @Test func theIndexesAreRebuiltWithFileSortsAndMemoryModeIsRestored() throws {
        try withConnection { db in
            #expect(tempStore(db) == 2)
            var bulk = BulkLoads()
            try bulk.begin(table: "relationships", keys: keys(BulkLoad.threshold), indexes: Self.indexes, db)
            let dropped = try db.query("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'idx_relationships_%'")
            #expect(dropped.isEmpty)

            var seen: [String: Int] = [:]
            try bulk.finish(db) { progress in seen[progress.phase] = tempStore(db) }
            #expect(seen == ["indexing relationships": 1])  // FILE while the indexes are built
            #expect(tempStore(db) == 2)                  // MEMORY again afterwards
            let rebuilt = try db.query("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'idx_relationships_%'")
            #expect(Set(rebuilt.compactMap { $0.string("name") }) == Set(Self.indexes))
        }
    }

    /// The per-row triggers that count writes to the table for the world version are dropped for
    /// the load and restored after it, and the load counts as one write.
    @Test func theWriteCountingTriggersAreDroppedForTheLoadAndItCountsOnce() throws {
        try withConnection { db in
            func triggers() throws -> Set<String> {
                Set(try db.query("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'entities'").compactMap { $0.string("name") })
            }
            func changes() throws -> Int? { try db.queryOne("SELECT changes FROM world_digest WHERE id = 1")?.int("changes") }
            let counting: Set = ["entities_insert_counted", "entities_update_counted", "entities_delete_counted"]
            #expect(try triggers().isSuperset(of: counting))
            let before = try #require(try changes())
            var bulk = BulkLoads()
            try bulk.begin(table: "entities", keys: keys(BulkLoad.threshold), indexes: [], db)
            #expect(try triggers().isDisjoint(with: counting))
            for k in 0..<3 {
                try db.execute("INSERT INTO entities (id, external_id, type, name, ontology_level) VALUES (?, ?, 'COMPANY', 'n', 3)",
                               .text("00000000-0000-8000-8000-00000000000\(k)"), .text("e\(k)"))
            }
            #expect(try changes() == before)
            try bulk.finish(db) { _ in }
            #expect(try triggers().isSuperset(of: counting))
            #expect(try changes() == before + 1)
            try db.execute("UPDATE entities SET name = 'm'")
            #expect(try changes() == before + 4, "the restored triggers count again, once per row")
        }
    }

    @Test func memoryModeIsRestoredWhenARebuildFails() throws {
        try withConnection { db in
            var bulk = BulkLoads()
            try bulk.begin(table: "relationships", keys: keys(BulkLoad.threshold), indexes: Self.indexes, db)
            // An index of the same name already exists: the first rebuild statement fails.
            try db.execute("CREATE INDEX idx_relationships_source ON relationships(weight)")
            #expect(throws: StoreError.self) { try bulk.finish(db) { _ in } }
            #expect(tempStore(db) == 2)
        }
    }
}
