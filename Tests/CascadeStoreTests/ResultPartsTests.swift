@testable import CascadeStore
import CSQLite
import CascadeJSON
import Foundation
import Testing

/// A large result's parts are stored as bytes (SQLite `BLOB`, PostgreSQL `bytea`), not base64
/// text; parts stored as base64 text before migration 15 still read back as the same document.
@Suite("Result parts (both backends)")
struct ResultPartsTests {
    /// Every byte value, zero included.
    static let document = (0..<1_000).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }

    static func scenario(_ store: Store) throws -> String {
        try store.insertScenario(name: "parts", description: nil, author: "tests", asOf: "2025-06-30", isPublic: true,
                                 document: .object(JSONObject([("name", .string("parts"))])))
    }

    static func storeParts(_ store: Store, _ id: String, _ parts: [[UInt8]]) throws {
        try store.storeResult(scenarioID: id, fingerprint: "f", dataVersion: "v", summaryText: "{}", parts: { put in
            for part in parts { try put(part) }
        })
    }

    @Test(arguments: TestBackend.available)
    func partsAreStoredAsBytes(_ backend: TestBackend) throws {
        try backend.withStore { store in
            let id = try Self.scenario(store)
            try Self.storeParts(store, id, [Array(Self.document[..<600]), Array(Self.document[600...]), []])
            let types = try store.read { db in
                try db.query(db.dialect == .sqlite
                    ? "SELECT typeof(data) AS t FROM scenario_result_parts WHERE scenario_id = ? ORDER BY part"
                    : "SELECT pg_typeof(data)::text AS t FROM scenario_result_parts WHERE scenario_id = ? ORDER BY part",
                    .text(id)).map { $0.string("t") ?? "" }
            }
            #expect(types == Array(repeating: backend == .sqlite ? "blob" : "bytea", count: 3))
            #expect(try store.result(scenarioID: id)?.columns == Self.document)
        }
    }

    /// The table as migration 10 made it, holding two parts as that code wrote them (base64
    /// text); then migration 15. They read back as the document, and a new result replaces them.
    @Test(arguments: TestBackend.available)
    func partsStoredAsTextBeforeMigration15ReadBack(_ backend: TestBackend) throws {
        try backend.withStore { store in
            let id = try Self.scenario(store)
            try Self.storeParts(store, id, [[]])  // the summary
            try store.write { db in
                try db.executeScript("DROP TABLE scenario_result_parts")
                try db.executeScript(Migration.resultParts.script(for: db.dialect))
                for (k, part) in [Array(Self.document[..<512]), Array(Self.document[512...])].enumerated() {
                    try db.execute("INSERT INTO scenario_result_parts (scenario_id, part, data) VALUES (?, ?, ?)",
                                   .text(id), .integer(Int64(k)), .text(Data(part).base64EncodedString()))
                }
                try db.executeScript(Migration.resultPartBytes.script(for: db.dialect))
            }
            #expect(try store.result(scenarioID: id)?.columns == Self.document)
            try Self.storeParts(store, id, [Array(Self.document.reversed())])
            #expect(try store.result(scenarioID: id)?.columns == Array(Self.document.reversed()))
        }
    }

    /// A part that is text but not base64 (SQLite's column takes any value) is an error that
    /// says what to do, not a result without entities.
    @Test func aPartThatIsNeitherBytesNorBase64IsAnError() throws {
        try TestBackend.sqlite.withStore { store in
            let id = try Self.scenario(store)
            try Self.storeParts(store, id, [Self.document])
            try store.write { db in
                try db.execute("UPDATE scenario_result_parts SET data = ? WHERE scenario_id = ?", .text("not base64!"), .text(id))
            }
            let error = try #require(throws: StoreError.self) { try store.result(scenarioID: id) }
            #expect(error.message.contains("neither bytes nor base64"), "\(error)")
            #expect(error.hint?.contains("--force") == true)
        }
    }
}

/// SQLite store files are created with 64 KiB pages (a large result's document costs half the
/// CPU to write as in 4 KiB pages); a file made before keeps its page size and works as it did.
@Suite("SQLite page size")
struct SQLitePageSizeTests {
    static func pageSize(_ store: Store) throws -> Int? {
        try store.read { db in try db.queryOne("PRAGMA page_size")?.int("page_size") }
    }

    @Test func aNewStoreFileHasLargePagesAndAnOldOneKeepsItsOwn() throws {
        let fresh = try TestBackend.sqlite.freshLocation()
        defer { fresh.cleanup() }
        let store = try Store(fresh.location, actor: "tester")
        try store.migrate()
        #expect(try Self.pageSize(store) == 65_536)

        let old = try TestBackend.sqlite.freshLocation()
        defer { old.cleanup() }
        guard case .sqlite(let path) = old.location else { Issue.record("not a file: \(old.location)"); return }
        var handle: OpaquePointer?
        #expect(sqlite3_open(path, &handle) == SQLITE_OK)
        #expect(sqlite3_exec(handle, "PRAGMA page_size=4096; CREATE TABLE made_before (x INTEGER)", nil, nil, nil) == SQLITE_OK)
        sqlite3_close(handle)
        let reopened = try Store(old.location, actor: "tester")
        try reopened.migrate()
        #expect(try Self.pageSize(reopened) == 4_096)
        let id = try ResultPartsTests.scenario(reopened)
        try ResultPartsTests.storeParts(reopened, id, [ResultPartsTests.document, ResultPartsTests.document])
        #expect(try reopened.result(scenarioID: id)?.columns == ResultPartsTests.document + ResultPartsTests.document)
    }
}
